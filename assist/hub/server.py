"""The hub: one websockets server on one port for pages, screens and audio.

- ``GET /``, ``/agent``, ``/supervisor`` and ``/static/...``: the pages;
- ``/ws/agent?call=ID`` or ``?seat=S`` (follows the seat's current call),
  ``&after=N`` to resume: one call's events; the agent sends back
  ``{"type": "feedback", "call_id", "suggestion_id", "verdict"}``;
- ``/ws/supervisor``: every live call's screen events (no partial
  transcripts); see :mod:`assist.hub.screens`;
- ``/ws/ingest?call=ID&lang=ru&seat=S&role=customer``: live audio in the
  vosk-server protocol (see :mod:`assist.hub.ingest_ws`);
- ``/ws/chat?conversation=ID&role=customer|agent``: a live chat (see :mod:`assist.hub.chat`)
- ``GET /status``: counts for monitoring (live calls, calls and events in
  memory, screens, the largest backlog a screen had, the store's backlog);
- any other websocket route a feature registers with :meth:`Hub.route`
  (the telephony media streams, for one).

Screens authenticate with ``{"type": "auth", "token": ...}`` as their first
message; ingest clients with an ``Authorization: Bearer`` header or a
``token`` in their config message. Events travel in the one wire codec of
:mod:`ivr.wire`. Every refusal is a close code with a readable reason. With
an ``ssl`` context the same port serves https and wss.
"""

from __future__ import annotations

import contextlib
import json
import logging
import mimetypes
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from assist.calls.runner import CallRunner
from assist.chain.chain import EventChain
from assist.hub.access import Access
from assist.hub.bus import EventBus
from assist.hub.chat import ChatEndpoint
from assist.hub.errors import (
    CLOSE_BAD_REQUEST,
    CLOSE_FORBIDDEN,
    CLOSE_IDLE,
    CLOSE_NOT_FOUND,
    CLOSE_OVERFLOW,
    CLOSE_SEAT_TAKEN,
    CLOSE_UNAUTHORIZED,
    CLOSE_UNAVAILABLE,
    Refused,
)
from assist.hub.ingest_ws import IngestEndpoint, IngestLimits
from assist.hub.screens import ScreenLimits, Screens
from ivr import events as ev

log = logging.getLogger(__name__)

PAGES = {"/": "index.html", "/agent": "agent.html", "/supervisor": "supervisor.html"}
MAX_QUERY_CHARS = 4096

__all__ = [
    "CLOSE_BAD_REQUEST",
    "CLOSE_FORBIDDEN",
    "CLOSE_IDLE",
    "CLOSE_NOT_FOUND",
    "CLOSE_OVERFLOW",
    "CLOSE_SEAT_TAKEN",
    "CLOSE_UNAUTHORIZED",
    "CLOSE_UNAVAILABLE",
    "Hub",
    "HubLimits",
    "Refused",
    "Route",
]

# A websocket route: the connection and its query (last value of each key).
Route = Callable[[ServerConnection, dict[str, str]], Awaitable[None]]
# Checks a route's request path before the handshake: an error text answers HTTP 400.
RouteCheck = Callable[[str], str | None]
# Picks a route's websocket subprotocol among those the client offers.
SubprotocolPicker = Callable[[ServerConnection, Sequence[Subprotocol]], Subprotocol | None]


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


@dataclass
class HubLimits:
    max_message_bytes: int = 2**20  # websockets closes bigger frames with 1009
    max_audio_bytes: int = 64_000  # one ingest message: 2 s at 16 kHz
    max_queue: int = 1000  # events waiting for one slow screen
    auth_timeout_s: float = 5.0
    idle_timeout_s: float = 20.0  # an ingest leg that sends nothing this long is over
    stall_s: float = 10.0  # a screen that takes no message this long is closed (4008)
    recent_window_s: float = 900.0  # ended calls a new supervisor is still shown


def _json_response(data: dict[str, int]) -> Response:
    body = json.dumps(data).encode()
    headers = Headers(
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ]
    )
    return Response(HTTPStatus.OK.value, "OK", headers, body)


class Hub:
    def __init__(
        self,
        chain: EventChain,
        *,
        access: Access | None = None,
        registry: CallRunner | None = None,
        limits: HubLimits | None = None,
        root: Path | None = None,
        feedback: Callable[[ev.SuggestionFeedback], object] | None = None,
    ) -> None:
        """``chain``: the events the screens show (the hub adds its screens'
        fan-out to it as a sink while it runs); ``registry``: the call runner
        that takes live audio on ``/ws/ingest``; ``feedback``: where an
        agent's verdict on a suggestion goes (default: the registry's
        :meth:`~assist.calls.runner.CallRunner.feedback`, else the chain)."""
        self.chain = chain
        self.access = access or Access.open_access()
        self.registry = registry
        self.limits = limits or HubLimits()
        self.root = root or web_dir()
        self.bus = EventBus(self.limits.max_queue)
        chain.add_sink(self.bus)
        lim = self.limits
        self.screens = Screens(
            chain,
            self.bus,
            self.access,
            ScreenLimits(lim.auth_timeout_s, lim.stall_s, lim.recent_window_s),
            feedback or (registry.feedback if registry is not None else chain.publish),
        )
        self.routes: dict[str, Route] = {
            "/ws/agent": self.screens.agent,
            "/ws/supervisor": self.screens.supervisor,
            "/ws/ingest": self._no_ingest,
            "/ws/chat": ChatEndpoint(chain, self.access),
        }
        self._checks: dict[str, RouteCheck] = {}
        self._pickers: dict[str, SubprotocolPicker] = {}
        # Routes that carry audio: no permessage-deflate (PCM hardly compresses,
        # and inflating every 20-200 ms message costs CPU at both ends).
        self._uncompressed: set[str] = {"/ws/ingest"}
        if registry is not None:
            if registry.open_call is None:
                registry.open_call = chain.open_call
            self.routes["/ws/ingest"] = IngestEndpoint(
                registry,
                self.access,
                IngestLimits(lim.max_audio_bytes, lim.auth_timeout_s, lim.idle_timeout_s),
            )
        self._server: Server | None = None
        self.status_extra: list[Callable[[], dict[str, int]]] = []  # e.g. the broker's counts

    def route(
        self,
        path: str,
        handler: Route,
        check: RouteCheck | None = None,
        subprotocol: SubprotocolPicker | None = None,
        *,
        compress: bool = True,
    ) -> None:
        """Serve websocket connections to ``path`` with ``handler`` (raise
        :class:`Refused` to close with a code); ``check`` may refuse the
        request path with HTTP 400 before the handshake; ``subprotocol``
        picks the route's websocket subprotocol; ``compress=False``: never
        negotiate permessage-deflate (audio)."""
        self.routes[path] = handler
        if check is not None:
            self._checks[path] = check
        if subprotocol is not None:
            self._pickers[path] = subprotocol
        if not compress:
            self._uncompressed.add(path)

    def _select_subprotocol(
        self, connection: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        assert connection.request is not None
        picker = self._pickers.get(urlsplit(connection.request.path).path)
        return picker(connection, offered) if picker is not None else None

    @property
    def port(self) -> int:
        assert self._server is not None, "hub not started"
        return int(self._server.sockets[0].getsockname()[1])

    async def start(
        self, host: str = "127.0.0.1", port: int = 8765, *, tls: ssl.SSLContext | None = None
    ) -> None:
        self._server = await serve(
            self._handle,
            host,
            port,
            process_request=self._process_request,
            select_subprotocol=self._select_subprotocol,
            ping_interval=20,
            ping_timeout=20,
            max_size=self.limits.max_message_bytes,
            max_queue=16,
            ssl=tls,
        )

    async def stop(self) -> None:
        """Close every connection (1001 going away) and stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await self.screens.close()
        self.chain.remove_sink(self.bus)

    # ------------------------------------------------------------------ HTTP

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        if url.path in self.routes or url.path.startswith("/ws/"):
            check = self._checks.get(url.path)
            error = check(request.path) if check is not None else None
            if error is not None:
                return connection.respond(HTTPStatus.BAD_REQUEST, f"{error}\n")
            if url.path in self._uncompressed:
                connection.protocol.available_extensions = []  # this connection only
            return None  # a websocket handshake
        if url.path == "/status":
            return _json_response(self.status())
        response = _static_response(url.path, self.root)
        if response is None:
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        return response

    def status(self) -> dict[str, int]:
        """Counts for monitoring (``GET /status``; no call ids, no words)."""
        log = self.chain.log
        writer = log.writer
        return {
            "calls_live": sum(1 for s in self.chain.calls.values() if s.live),
            "calls_in_memory": log.calls_in_memory,
            "events_in_memory": log.events_in_memory,
            "screens": self.bus.subscribers,
            "largest_screen_backlog": self.bus.largest_backlog,
            "store_backlog": writer.backlog if writer is not None else 0,
            "sink_errors": self.chain.sink_errors,
        } | {k: v for extra in self.status_extra for k, v in extra().items()}

    # ------------------------------------------------------------- websockets

    async def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        url = urlsplit(connection.request.path)
        try:
            handler = self.routes.get(url.path)
            if handler is None:
                raise Refused(CLOSE_BAD_REQUEST, f"no endpoint {url.path[:60]}")
            if len(url.query) > MAX_QUERY_CHARS:
                raise Refused(CLOSE_BAD_REQUEST, "query too long")
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            await handler(connection, query)
        except Refused as refusal:
            with contextlib.suppress(ConnectionClosed):
                await connection.close(refusal.code, refusal.reason)
        except ConnectionClosed:
            pass

    async def _no_ingest(self, connection: ServerConnection, query: dict[str, str]) -> None:
        raise Refused(CLOSE_UNAVAILABLE, "this hub takes no audio")
