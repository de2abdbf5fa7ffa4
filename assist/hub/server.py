"""The hub: one websockets server on one port for pages, screens and audio.

- ``GET /``, ``/agent``, ``/supervisor`` and ``/static/...``: the pages;
- ``/ws/agent?call=ID`` or ``?seat=S`` (follows the seat's current call),
  ``&after=N`` to resume: one call's events; the agent sends back
  ``{"type": "feedback", "call_id", "suggestion_id", "verdict"}``;
- ``/ws/supervisor``: every call's screen events (no partial transcripts);
- ``/ws/ingest?call=ID&lang=ru&seat=S&role=customer``: live audio in the
  vosk-server protocol (see :mod:`assist.hub.ingest`).

Screens authenticate with ``{"type": "auth", "token": ...}`` as their first
message; ingest clients with an ``Authorization: Bearer`` header or a
``token`` in their config message. Events travel in the one wire codec of
:mod:`ivr.wire`. Every refusal is a close code with a readable reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from assist.hub.access import Access, Principal, Role
from assist.hub.bus import EventBus, Subscription
from assist.hub.ingest import CallRegistry, IngestError, IngestSession
from ivr import events as ev
from ivr import wire

log = logging.getLogger(__name__)

PAGES = {"/": "index.html", "/agent": "agent.html", "/supervisor": "supervisor.html"}

CLOSE_OVERFLOW = 4008  # too slow: reconnect with after=<last seq>
CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_SEAT_TAKEN = 4409  # another connection took this agent seat
CLOSE_UNAVAILABLE = 4503


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
        [
            ("Content-Type", ctype),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-cache"),
            ("X-Content-Type-Options", "nosniff"),
        ]
    )
    return Response(HTTPStatus.OK.value, "OK", headers, body)


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass
class HubLimits:
    max_message_bytes: int = 2**20  # websockets closes bigger frames with 1009
    max_audio_bytes: int = 64_000  # one ingest message: 2 s at 16 kHz
    max_queue: int = 1000  # events waiting for one slow screen
    auth_timeout_s: float = 5.0


class Hub:
    def __init__(
        self,
        bus: EventBus,
        *,
        access: Access | None = None,
        registry: CallRegistry | None = None,
        limits: HubLimits | None = None,
        root: Path | None = None,
    ) -> None:
        self.bus = bus
        self.access = access or Access.open_access()
        self.registry = registry
        self.limits = limits or HubLimits()
        self.root = root or web_dir()
        self.bus.max_queue = self.limits.max_queue
        self.feedback_listeners: list[Callable[[ev.SuggestionFeedback], None]] = []
        if registry is not None:
            self.feedback_listeners.append(registry.on_feedback)
        self._seats: dict[str, ServerConnection] = {}
        self._server: Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "hub not started"
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, host: str = "127.0.0.1", port: int = 8765) -> None:
        self._server = await serve(
            self._handle,
            host,
            port,
            process_request=self._process_request,
            ping_interval=20,
            ping_timeout=20,
            max_size=self.limits.max_message_bytes,
            max_queue=16,
        )

    async def stop(self) -> None:
        """Close every connection (1001 going away) and stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    # ------------------------------------------------------------------ HTTP

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path.startswith("/ws/"):
            return None  # a websocket handshake
        response = _static_response(path, self.root)
        if response is None:
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        return response

    # ------------------------------------------------------------- websockets

    async def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        url = urlsplit(connection.request.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            if url.path == "/ws/ingest":
                await self._ingest(connection, query)
                return
            if url.path not in ("/ws/agent", "/ws/supervisor"):
                raise Refused(CLOSE_BAD_REQUEST, f"no endpoint {url.path}")
            try:
                after = int(query.get("after", "0"))
            except ValueError:
                raise Refused(CLOSE_BAD_REQUEST, "after must be an integer") from None
            principal = await self._authenticate_screen(connection)
            if url.path == "/ws/supervisor":
                if principal.role is not Role.SUPERVISOR:
                    raise Refused(CLOSE_FORBIDDEN, "supervisors only")
                await self._stream(
                    connection, principal, _supervisor_event, list(self.bus.calls), after
                )
            else:
                await self._agent(connection, principal, query, after)
        except Refused as refusal:
            with contextlib.suppress(ConnectionClosed):
                await connection.close(refusal.code, refusal.reason)
        except ConnectionClosed:
            pass

    async def _authenticate_screen(self, connection: ServerConnection) -> Principal:
        if self.access.open:
            return self.access.identify(None)  # type: ignore[return-value]
        try:
            first = await asyncio.wait_for(connection.recv(), self.limits.auth_timeout_s)
        except TimeoutError:
            raise Refused(CLOSE_UNAUTHORIZED, 'send {"type": "auth", "token": ...} first') from None
        try:
            data = json.loads(first)
        except (TypeError, ValueError):
            data = None
        token = data.get("token") if isinstance(data, dict) and data.get("type") == "auth" else None
        principal = self.access.identify(token if isinstance(token, str) else None)
        if principal is None or principal.role is Role.INGEST:
            raise Refused(CLOSE_UNAUTHORIZED, "unknown token")
        return principal

    async def _agent(
        self, connection: ServerConnection, principal: Principal, query: dict[str, str], after: int
    ) -> None:
        call_id, seat = query.get("call", ""), query.get("seat", "")
        if not call_id and not seat:
            raise Refused(CLOSE_BAD_REQUEST, "give call=ID or seat=SEAT")
        if seat:
            if not principal.may_watch(seat):
                raise Refused(CLOSE_FORBIDDEN, f"not your seat: {seat}")
            previous = self._seats.get(seat)
            if previous is not None:
                with contextlib.suppress(ConnectionClosed):
                    await previous.close(CLOSE_SEAT_TAKEN, "this seat was opened elsewhere")
            self._seats[seat] = connection
            try:
                current = [s.call_id for s in self.bus.calls.values() if s.agent_id == seat]
                history_after = {c: (after if c == call_id else 0) for c in current[-1:]}
                await self._stream(
                    connection,
                    principal,
                    lambda e: self.bus.calls[e.call_id].agent_id == seat,
                    list(history_after),
                    history_after,
                )
            finally:
                if self._seats.get(seat) is connection:
                    del self._seats[seat]
            return
        summary = self.bus.calls.get(call_id)
        if summary is None:
            raise Refused(CLOSE_NOT_FOUND, f"no call {call_id}")
        if not principal.may_watch(summary.agent_id):
            raise Refused(CLOSE_FORBIDDEN, "this call belongs to another agent")
        await self._stream(connection, principal, lambda e: e.call_id == call_id, [call_id], after)

    async def _stream(
        self,
        connection: ServerConnection,
        principal: Principal,
        accepts: Callable[[ev.Event], bool],
        call_ids: list[str],
        after: int | dict[str, int],
    ) -> None:
        sub = self.bus.subscribe(accepts)  # subscribe first, then send history: no gap
        try:
            sent: dict[str, int] = {}
            for call_id in call_ids:
                start = after.get(call_id, 0) if isinstance(after, dict) else after
                for event in self.bus.history(call_id, start):
                    if accepts(event):
                        await connection.send(self.bus.encoded(event))
                        sent[call_id] = event.seq
            # Whichever ends first (the client leaves, or the pump closes a
            # client that is too slow) ends the other.
            tasks = [
                asyncio.create_task(self._read_screen(connection, principal)),
                asyncio.create_task(self._pump(connection, sub, sent)),
            ]
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
            for task in done:
                exc = task.exception()
                if exc is not None and not isinstance(exc, ConnectionClosed):
                    raise exc
        finally:
            self.bus.unsubscribe(sub)

    async def _pump(
        self, connection: ServerConnection, sub: Subscription, sent: dict[str, int]
    ) -> None:
        while True:
            if sub.overflowed and sub.queue.empty():
                await connection.close(CLOSE_OVERFLOW, "too slow; reconnect with after=<last seq>")
                return
            event = await sub.queue.get()
            if event.call_id not in sent:
                # A call this stream starts to follow now (a seat takes a call
                # from the IVR): what happened before comes first.
                for earlier in self.bus.history(event.call_id):
                    if earlier.seq < event.seq and sub.accepts(earlier):
                        await connection.send(self.bus.encoded(earlier))
            elif event.seq <= sent[event.call_id]:
                continue  # already sent from history
            sent[event.call_id] = event.seq
            await connection.send(self.bus.encoded(event))

    async def _read_screen(self, connection: ServerConnection, principal: Principal) -> None:
        async for message in connection:
            error = self._on_screen_message(message, principal)
            if error is not None:
                await connection.send(
                    wire.encode(ev.Error(call_id="", code="bad-message", message=error))
                )

    def _on_screen_message(self, message: str | bytes, principal: Principal) -> str | None:
        if isinstance(message, bytes):
            return "binary messages are not accepted here"
        try:
            data = json.loads(message)
        except ValueError:
            return "not JSON"
        kind = data.get("type") if isinstance(data, dict) else None
        if kind == "auth":
            return None  # a repeated auth after reconnect logic; harmless
        if kind != "feedback":
            return f"unknown message type {kind!r}"
        call_id, suggestion_id = data.get("call_id"), data.get("suggestion_id")
        summary = self.bus.calls.get(call_id) if isinstance(call_id, str) else None
        if summary is None or not isinstance(suggestion_id, str):
            return "feedback needs a known call_id and a suggestion_id"
        if not principal.may_watch(summary.agent_id):
            return "this call belongs to another agent"
        try:
            verdict = ev.Verdict(data.get("verdict"))
        except ValueError:
            return "verdict must be 'used' or 'dismissed'"
        feedback = ev.SuggestionFeedback(call_id, suggestion_id, verdict, at_s=summary.last_audio_s)
        feedback = self.bus.publish(feedback)
        for listener in self.feedback_listeners:
            listener(feedback)
        return None

    # ---------------------------------------------------------------- ingest

    async def _ingest(self, connection: ServerConnection, query: dict[str, str]) -> None:
        if self.registry is None:
            raise Refused(CLOSE_UNAVAILABLE, "this hub takes no audio")
        call_id, language = query.get("call", ""), query.get("lang", "")
        seat, role_name = query.get("seat", ""), query.get("role", "customer")
        if not call_id or language not in ("ru", "en"):
            raise Refused(CLOSE_BAD_REQUEST, "ingest needs call=ID and lang=ru|en")
        try:
            role = ev.ChannelRole(role_name)
        except ValueError:
            raise Refused(CLOSE_BAD_REQUEST, "role must be customer or agent") from None
        pending = await self._authenticate_ingest(connection)
        try:
            call = self.registry.attach(call_id, language, seat, "ingest")
        except IngestError as exc:
            raise Refused(CLOSE_BAD_REQUEST, str(exc)) from None
        except Exception as exc:  # no engine for the language, model failure
            log.warning("ingest for call %s refused: %s", call_id, exc)
            raise Refused(CLOSE_UNAVAILABLE, f"no speech engine for {language}") from None
        session = IngestSession(call, role, self.limits.max_audio_bytes)
        reason = "hangup"
        try:
            if pending is not None:
                await self._ingest_message(connection, session, pending)
            if not session.ended:
                async for message in connection:
                    await self._ingest_message(connection, session, message)
                    if session.ended:
                        break
            if session.ended:
                await connection.close()
        except ConnectionClosed:
            reason = "disconnected"
        finally:
            await self.registry.detach(call_id, reason)

    async def _authenticate_ingest(self, connection: ServerConnection) -> str | bytes | None:
        """Check the client before any call exists; returns the first message
        if it had to be read for its token."""
        if self.access.open:
            return None
        assert connection.request is not None
        header = connection.request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            principal = self.access.identify(header.removeprefix("Bearer ").strip())
            if principal is None or principal.role is Role.AGENT:
                raise Refused(CLOSE_UNAUTHORIZED, "unknown ingest token")
            return None
        try:
            first = await asyncio.wait_for(connection.recv(), self.limits.auth_timeout_s)
        except TimeoutError:
            raise Refused(CLOSE_UNAUTHORIZED, "ingest needs a token") from None
        if self._ingest_auth(first) is None:
            raise Refused(CLOSE_UNAUTHORIZED, "ingest needs a token")
        return first

    async def _ingest_message(
        self, connection: ServerConnection, session: IngestSession, message: str | bytes
    ) -> None:
        try:
            if isinstance(message, bytes):
                reply = await session.on_audio(message)
            else:
                reply = await session.on_text(message)
        except IngestError as exc:
            reply = {"error": str(exc)}
        if reply is not None:
            await connection.send(json.dumps(reply, ensure_ascii=False))

    def _ingest_auth(self, message: str | bytes) -> Principal | None:
        """A token in the first (config) message, for clients that cannot set headers."""
        if isinstance(message, bytes):
            return None
        try:
            data = json.loads(message)
        except ValueError:
            return None
        config = data.get("config") if isinstance(data, dict) else None
        token = config.get("token") if isinstance(config, dict) else None
        principal = self.access.identify(token) if isinstance(token, str) else None
        return principal if principal is not None and principal.role is not Role.AGENT else None


def _supervisor_event(event: ev.Event) -> bool:
    return not isinstance(event, ev.TranscriptPartial)
