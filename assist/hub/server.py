"""The hub: one websockets server on one port for the screens and the pages.

- ``GET /agent`` and ``GET /supervisor`` (and ``/static/...``) serve the pages;
- ``/ws/agent?call=ID&after=N``: one call's events after sequence N, live;
  the agent sends back ``{"type": "feedback", "suggestion_id", "verdict"}``;
- ``/ws/supervisor?after=N``: every call's screen events.

Events travel in the one wire codec of :mod:`ivr.wire`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
from collections.abc import Callable
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from assist.hub.bus import EventBus, Subscription
from ivr import events as ev
from ivr import wire

log = logging.getLogger(__name__)

PAGES = {"/": "index.html", "/agent": "agent.html", "/supervisor": "supervisor.html"}
CLOSE_OVERFLOW = 4008  # client too slow: reconnect with your last seq
CLOSE_BAD_REQUEST = 4400


def web_dir() -> Path:
    return Path(str(resources.files("assist") / "web"))


def _static_response(path: str, root: Path) -> Response | None:
    name = PAGES.get(path)
    if name is None and path.startswith("/static/"):
        name = path.removeprefix("/static/")
    if name is None or "/" in name or name.startswith("."):
        return None
    file = root / name
    if not file.is_file():
        return None
    ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if ctype.startswith("text/") or ctype == "application/javascript":
        ctype += "; charset=utf-8"
    body = file.read_bytes()
    headers = Headers(
        [("Content-Type", ctype), ("Content-Length", str(len(body))), ("Cache-Control", "no-cache")]
    )
    return Response(HTTPStatus.OK.value, "OK", headers, body)


class Hub:
    def __init__(self, bus: EventBus, *, root: Path | None = None) -> None:
        self.bus = bus
        self.root = root or web_dir()
        self._server: Server | None = None
        self.feedback_listeners: list[Callable[[ev.SuggestionFeedback], None]] = []

    @property
    def port(self) -> int:
        assert self._server is not None, "hub not started"
        return self._server.sockets[0].getsockname()[1]

    async def start(self, host: str = "127.0.0.1", port: int = 8765) -> None:
        self._server = await serve(
            self._handle,
            host,
            port,
            process_request=self._process_request,
            ping_interval=20,
            ping_timeout=20,
            max_size=2**20,
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path.startswith("/ws/"):
            return None  # a websocket handshake
        response = _static_response(path, self.root)
        if response is None:
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        return response

    async def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        url = urlsplit(connection.request.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            after = int(query.get("after", "0"))
        except ValueError:
            await connection.close(CLOSE_BAD_REQUEST, "after must be an integer")
            return
        if url.path == "/ws/agent":
            call_id = query.get("call", "")
            if not call_id:
                await connection.close(CLOSE_BAD_REQUEST, "call is required")
                return
            await self._stream(connection, lambda e: e.call_id == call_id, [call_id], after)
        elif url.path == "/ws/supervisor":
            await self._stream(connection, _supervisor_event, None, after)
        else:
            await connection.close(CLOSE_BAD_REQUEST, f"no endpoint {url.path}")

    async def _stream(
        self,
        connection: ServerConnection,
        accepts: Callable[[ev.Event], bool],
        call_ids: list[str] | None,
        after: int,
    ) -> None:
        sub = self.bus.subscribe(accepts)  # subscribe first, then send history: no gap
        try:
            sent: dict[str, int] = {}
            for call_id in call_ids if call_ids is not None else list(self.bus.calls):
                for event in self.bus.history(call_id, after):
                    if accepts(event):
                        await connection.send(wire.encode(event))
                        sent[call_id] = event.seq
            # Whichever ends first (the client leaves, or the pump closes a
            # client that is too slow) ends the other.
            tasks = [
                asyncio.create_task(self._read_client(connection)),
                asyncio.create_task(self._pump(connection, sub, sent)),
            ]
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
            for task in done:
                if not task.cancelled() and isinstance(task.exception(), Exception):
                    exc = task.exception()
                    if not isinstance(exc, ConnectionClosed):
                        raise exc  # type: ignore[misc]
        except ConnectionClosed:
            pass
        finally:
            self.bus.unsubscribe(sub)

    async def _pump(self, connection: ServerConnection, sub: Subscription, sent: dict[str, int]) -> None:
        while True:
            if sub.overflowed and sub.queue.empty():
                await connection.close(CLOSE_OVERFLOW, "too slow; reconnect with after=<last seq>")
                return
            event = await sub.queue.get()
            if event.seq <= sent.get(event.call_id, 0):
                continue  # already sent from history
            await connection.send(wire.encode(event))

    async def _read_client(self, connection: ServerConnection) -> None:
        async for message in connection:
            error = self._on_client_message(message)
            if error is not None:
                await connection.send(wire.encode(ev.Error(call_id="", code="bad-message", message=error)))

    def _on_client_message(self, message: str | bytes) -> str | None:
        if isinstance(message, bytes):
            return "binary messages are not accepted here"
        try:
            data = json.loads(message)
        except ValueError:
            return "not JSON"
        if not isinstance(data, dict) or data.get("type") != "feedback":
            return f"unknown message type {data.get('type') if isinstance(data, dict) else None!r}"
        call_id, suggestion_id = data.get("call_id"), data.get("suggestion_id")
        if not isinstance(call_id, str) or call_id not in self.bus.calls or not isinstance(suggestion_id, str):
            return "feedback needs a known call_id and a suggestion_id"
        try:
            verdict = ev.Verdict(data.get("verdict"))
        except ValueError:
            return "verdict must be 'used' or 'dismissed'"
        at_s = self.bus.calls[call_id].last_audio_s
        feedback = ev.SuggestionFeedback(call_id, suggestion_id, verdict, at_s=at_s)
        feedback = self.bus.publish(feedback)
        for listener in self.feedback_listeners:
            listener(feedback)
        return None


def _supervisor_event(event: ev.Event) -> bool:
    return not isinstance(event, ev.TranscriptPartial)
