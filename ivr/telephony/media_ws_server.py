"""Websocket media ingress: Twilio Media Streams (``/twilio``) and FreeSWITCH
mod_audio_fork (``/audio_fork``) on one port.

One websocket = one call, handed to the driver's handler as a line in its own
task. Other paths get HTTP 404. Bad input (not JSON, unknown events, media
before ``start``, odd-length audio, oversized messages) closes that call with
a close code and one log line on the ``ivr.telephony`` logger naming it;
other calls go on. The lines themselves (playing, clearing, hanging up on
each protocol) are in :mod:`ivr.telephony.media_ws_lines`.

``/audio_fork`` learns the stream's shape from its query, in the words of the
``uuid_audio_fork`` command: ``?mix=mono|mixed|stereo&rate=8k|16k``
(default mono, 8k).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid as uuidlib
from collections.abc import Callable, Sequence
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from ivr.audio.g711 import mulaw_decode
from ivr.events import ChannelRole
from ivr.telephony import audio_fork_codec as fork
from ivr.telephony import twilio_codec as tw
from ivr.telephony.base_line import (
    DEFAULT_IDLE_TIMEOUT_S,
    LineHandler,
    QueueLine,
    TaskSet,
    log,
    run_handler,
)
from ivr.telephony.errors import ProtocolError
from ivr.telephony.ids import BadId, check_id, printable
from ivr.telephony.line import LineAudio, LineDtmf, LineInfo
from ivr.telephony.media_ws_lines import (
    CLOSE_NORMAL,
    CLOSE_PROTOCOL_ERROR,
    CLOSE_START_TIMEOUT,
    AudioForkLine,
    TwilioLine,
    close_websocket,
    closed_reason,
    peer_name,
)

__all__ = [
    "CLOSE_NORMAL",
    "CLOSE_PROTOCOL_ERROR",
    "CLOSE_START_TIMEOUT",
    "AudioForkLine",
    "MediaWebsocketServer",
    "TwilioLine",
    "serve_media_websockets",
]

MAX_MESSAGE_BYTES = 65536
PATHS = ("/twilio", "/audio_fork")


class MediaWebsocketServer:
    """Serves ``/twilio`` and ``/audio_fork`` and runs ``handler`` per call."""

    def __init__(
        self,
        handler: LineHandler,
        *,
        start_timeout_s: float = 5.0,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
    ) -> None:
        """``idle_timeout_s``: a call whose peer sends nothing for this long
        (wall clock) is ended with that reason and closed with 4408."""
        self.handler = handler
        self.start_timeout_s = start_timeout_s
        self.idle_timeout_s = idle_timeout_s
        self.max_message_bytes = max_message_bytes
        self._server: Server | None = None
        self._handlers = TaskSet()
        self._lines: set[QueueLine] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = await serve(
            self.handle,
            host,
            port,
            process_request=self._process_request,
            select_subprotocol=self.select_subprotocol,
            max_size=self.max_message_bytes,
            ping_interval=20,
            ping_timeout=20,
        )

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Hang up every call, stop their handlers and stop listening."""
        for line in list(self._lines):
            await line.hangup("server closing")
        await self._handlers.finish()
        if self._server is None:
            return
        self._server.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._server.wait_closed(), 2.0)

    async def __aenter__(self) -> MediaWebsocketServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -------------------------------------------------------------- handshake

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        if url.path not in PATHS:
            return connection.respond(HTTPStatus.NOT_FOUND, "no such media endpoint\n")
        error = self.check_path(request.path)
        if error is not None:
            return connection.respond(HTTPStatus.BAD_REQUEST, f"{error}\n")
        return None

    def check_path(self, path: str) -> str | None:
        """Why a request for ``path`` cannot carry a call (answered with HTTP
        400 before the handshake), or None. For a server that routes these
        paths itself (the hub) along with :meth:`handle`."""
        if urlsplit(path).path == "/audio_fork":
            try:
                self._fork_format(path)
            except ProtocolError as exc:
                return str(exc)
        return None

    @staticmethod
    def select_subprotocol(
        connection: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        if fork.SUBPROTOCOL in offered:
            return Subprotocol(fork.SUBPROTOCOL)
        return None

    @staticmethod
    def _fork_format(path: str) -> fork.ForkFormat:
        query = parse_qs(urlsplit(path).query)
        return fork.parse_format((query.get("mix") or [None])[0], (query.get("rate") or [None])[0])

    async def handle(self, connection: ServerConnection) -> None:
        """Serve one ``/twilio`` or ``/audio_fork`` connection (also when the
        connection was accepted by another websockets server)."""
        peer = peer_name(connection)
        assert connection.request is not None
        path = connection.request.path
        try:
            if urlsplit(path).path == "/twilio":
                await self._serve_twilio(connection, peer)
            else:
                await self._serve_audio_fork(connection, peer, self._fork_format(path))
        except Exception:  # never let one call's failure reach the server
            log.exception("media websocket peer %s: unexpected failure", peer)
            await close_websocket(connection, 1011, "internal error")

    # -------------------------------------------------------------- common

    async def _refuse_before_start(
        self, connection: ServerConnection, protocol: str, peer: str, exc: BaseException
    ) -> None:
        """One log line and a close code for a connection that never became a call."""
        if isinstance(exc, TimeoutError):
            what = "start" if protocol == "twilio" else "first message"
            log.warning(
                "%s peer %s: no %s within %.1f s; closed",
                protocol,
                peer,
                what,
                self.start_timeout_s,
            )
            await close_websocket(connection, CLOSE_START_TIMEOUT, f"no {what} in time")
        elif isinstance(exc, ProtocolError):
            log.warning("%s peer %s: protocol error: %s; closed", protocol, peer, printable(exc))
            await close_websocket(connection, CLOSE_PROTOCOL_ERROR, str(exc))
        elif isinstance(exc, ConnectionClosed):
            reason, error = closed_reason(exc, self.max_message_bytes)
            log.log(
                logging.WARNING if error else logging.INFO,
                "%s peer %s: %s before the call started",
                protocol,
                peer,
                reason,
            )

    async def _receive_loop(
        self,
        connection: ServerConnection,
        line: QueueLine,
        on_message: Callable[[str | bytes], None],
    ) -> None:
        """Run the handler and feed messages to ``on_message`` until the call
        ends; a protocol error closes the call with 4400."""
        self._lines.add(line)
        self._handlers.start(
            run_handler(self.handler, line), f"{line.info.protocol} {line.info.call_id}"
        )
        try:
            while not line.ended:
                try:
                    async with asyncio.timeout(self.idle_timeout_s):
                        message = await connection.recv()
                except TimeoutError:
                    reason = f"no audio for {self.idle_timeout_s:g} s"
                    line.end(reason, error=True)
                    await close_websocket(connection, CLOSE_START_TIMEOUT, reason)
                    return
                except ConnectionClosed as exc:
                    reason, error = closed_reason(exc, self.max_message_bytes)
                    line.end(reason, error=error)
                    return
                try:
                    on_message(message)
                except ProtocolError as exc:
                    line.end(f"protocol error: {exc}", error=True)
                    await close_websocket(connection, CLOSE_PROTOCOL_ERROR, str(exc))
                    return
        finally:
            self._lines.discard(line)
            await close_websocket(connection, CLOSE_NORMAL, "call ended")

    # -------------------------------------------------------------- Twilio

    async def _serve_twilio(self, connection: ServerConnection, peer: str) -> None:
        parser = tw.TwilioStreamParser()
        try:
            start = await asyncio.wait_for(
                self._twilio_start(connection, parser), self.start_timeout_s
            )
        except (TimeoutError, ProtocolError, ConnectionClosed) as exc:
            await self._refuse_before_start(connection, "twilio", peer, exc)
            return
        if start is None:
            log.info("twilio peer %s: stream stopped before it started", peer)
            await close_websocket(connection, CLOSE_NORMAL, "stopped")
            return
        roles = [ChannelRole.CUSTOMER]
        if any(t.startswith("outbound") for t in start.tracks):
            roles.append(ChannelRole.AGENT)
        metadata = dict(start.custom_parameters)
        metadata.update(
            peer=peer,
            stream_sid=start.stream_sid,
            call_sid=start.call_sid,
            account_sid=start.account_sid,
        )
        try:
            call_id = check_id(start.call_sid or start.stream_sid)
        except BadId as exc:
            await self._refuse_before_start(connection, "twilio", peer, ProtocolError(str(exc)))
            return
        line = TwilioLine(
            LineInfo(
                call_id=call_id,
                protocol="twilio",
                rate_hz=tw.RATE_HZ,
                roles=tuple(roles),
                metadata=metadata,
            ),
            connection,
            start.stream_sid,
        )

        def on_message(message: str | bytes) -> None:
            if isinstance(message, bytes):
                raise ProtocolError("binary message (Twilio sends JSON text)")
            event = parser.parse(message)
            if isinstance(event, tw.TwilioMedia):
                role = (
                    ChannelRole.AGENT
                    if event.track.startswith("outbound")
                    else ChannelRole.CUSTOMER
                )
                if role in line.info.roles and event.mulaw:
                    line.push(LineAudio(role, mulaw_decode(event.mulaw).tobytes()))
            elif isinstance(event, tw.TwilioDtmf):
                line.push(LineDtmf(event.digit))
            elif isinstance(event, tw.TwilioMark):
                line.mark_echoed(event.name)
            elif isinstance(event, tw.TwilioStop):
                line.end("the stream stopped")

        await self._receive_loop(connection, line, on_message)

    @staticmethod
    async def _twilio_start(
        connection: ServerConnection, parser: tw.TwilioStreamParser
    ) -> tw.TwilioStart | None:
        while True:
            message = await connection.recv()
            if isinstance(message, bytes):
                raise ProtocolError("binary message (Twilio sends JSON text)")
            event = parser.parse(message)
            if isinstance(event, tw.TwilioStart):
                return event
            if isinstance(event, tw.TwilioStop):
                return None

    # -------------------------------------------------------------- mod_audio_fork

    async def _serve_audio_fork(
        self, connection: ServerConnection, peer: str, fmt: fork.ForkFormat
    ) -> None:
        parser = fork.AudioForkParser(fmt)
        try:
            first = await asyncio.wait_for(connection.recv(), self.start_timeout_s)
            first_audio = parser.binary(first) if isinstance(first, bytes) else None
            if isinstance(first, str):
                parser.text(first)
        except (TimeoutError, ProtocolError, ConnectionClosed) as exc:
            await self._refuse_before_start(connection, "audio_fork", peer, exc)
            return
        metadata = dict(parser.metadata.fields) if parser.metadata else {}
        metadata["peer"] = peer
        roles = (ChannelRole.CUSTOMER, ChannelRole.AGENT)[: fmt.channels]
        call_id = (parser.metadata.call_id if parser.metadata else None) or (
            f"fork-{uuidlib.uuid4().hex[:12]}"
        )
        try:
            check_id(call_id)
        except BadId as exc:
            await self._refuse_before_start(connection, "audio_fork", peer, ProtocolError(str(exc)))
            return
        line = AudioForkLine(
            LineInfo(
                call_id=call_id,
                protocol="audio_fork",
                rate_hz=fmt.rate_hz,
                roles=roles,
                metadata=metadata,
            ),
            connection,
        )

        def push_audio(pieces: tuple[bytes, ...]) -> None:
            for role, pcm in zip(roles, pieces, strict=True):
                line.push(LineAudio(role, pcm))

        def on_message(message: str | bytes) -> None:
            if isinstance(message, str):
                parser.text(message)  # raises: no text after the start
            else:
                push_audio(parser.binary(message))

        if first_audio is not None:
            push_audio(first_audio)
        await self._receive_loop(connection, line, on_message)


async def serve_media_websockets(
    handler: LineHandler,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    start_timeout_s: float = 5.0,
    max_message_bytes: int = MAX_MESSAGE_BYTES,
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
) -> MediaWebsocketServer:
    """Start the websocket media server; ``server.port`` is the bound port."""
    server = MediaWebsocketServer(
        handler,
        start_timeout_s=start_timeout_s,
        max_message_bytes=max_message_bytes,
        idle_timeout_s=idle_timeout_s,
    )
    await server.start(host, port)
    return server
