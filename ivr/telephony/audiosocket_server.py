"""Asterisk AudioSocket ingress: a TCP server, one connection per call.

Asterisk connects (``AudioSocket(<uuid>,host:port)`` in the dialplan), sends
the call's UUID, then 20 ms frames of 8 kHz audio, and DTMF frames on newer
versions. Each call becomes an :class:`AudioSocketLine` handed to the
driver's handler in its own task. A call whose peer then sends nothing for
``idle_timeout_s`` (wall clock) is ended with that reason. A call's bad
input, hang-up or failure ends that call only, with one log line on the
``ivr.telephony`` logger.

Each connection is an asyncio protocol: a read's frames go straight into
the call's line, and a prompt's frames go out on the loop's one prompt
clock (:mod:`ivr.telephony.pacer`), so a node's event loop is not woken
for every caller's every 20 ms frame in each direction.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import socket
import sys
import termios

from ivr.events import ChannelRole
from ivr.telephony.audiosocket_codec import (
    AUDIO_RATE_HZ,
    FRAME_BYTES,
    HEADER_BYTES,
    MAX_AUDIO_PAYLOAD_BYTES,
    AudioSocketParser,
    Frame,
    FrameType,
    ProtocolError,
    encode_hangup,
)
from ivr.telephony.audiosocket_line import AudioSocketLine, prompt_frames
from ivr.telephony.base_line import (
    DEFAULT_IDLE_TIMEOUT_S,
    LineHandler,
    TaskSet,
    log,
    run_handler,
)
from ivr.telephony.ids import printable
from ivr.telephony.line import LineAudio, LineDtmf, LineInfo

__all__ = ["AudioSocketLine", "AudioSocketServer", "prompt_frames", "serve_audiosocket"]


def _peer_name(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


class _Connection(asyncio.Protocol):
    """One TCP connection: the UUID, then the call's frames straight from
    each read into its line (no reader task woken per 20 ms frame)."""

    def __init__(self, server: AudioSocketServer) -> None:
        self.server = server
        self.loop = asyncio.get_running_loop()
        self.parser = AudioSocketParser(server.max_payload_bytes)
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.line: AudioSocketLine | None = None
        self.last_data_s = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._done = False  # the connection is over (closed or being closed)

    # ------------------------------------------------------------ asyncio callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.peer = _peer_name(transport)
        self.server._connections.add(self)
        self._timer = self.loop.call_later(self.server.uuid_timeout_s, self._no_uuid)

    def data_received(self, data: bytes) -> None:
        self.last_data_s = self.loop.time()
        self.server.reads += 1
        try:
            if self.line is None:
                self._before_uuid(data)
            else:
                self._call_data(self.line, data)
        except Exception:  # never let one call's failure reach the server
            log.exception("audiosocket peer %s: unexpected failure", self.peer)
            self._close()

    def eof_received(self) -> bool:
        line = self.line
        if line is None:
            try:
                self.parser.finish()
            except ProtocolError as exc:
                self._refuse(exc)
                return False
            if not self._done:
                log.info("audiosocket peer %s: ended before sending a UUID", self.peer)
            self._close()
            return False
        try:
            self.parser.finish()
            line.end("connection closed by the peer")
        except ProtocolError as exc:
            line.end(f"protocol error: {exc}", error=True)
        self._line_over(line)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        self.server._connections.discard(self)
        line = self.line
        if line is None:
            if exc is not None and not self._done:
                log.info(
                    "audiosocket peer %s: connection lost before the UUID (%s)", self.peer, exc
                )
        else:
            if exc is not None:
                line.end(f"connection lost: {exc}", error=True)
            else:
                line.end("connection closed by the peer")
            self.server._lines.discard(line)
            line.connection_lost()
        self._done = True

    # ------------------------------------------------------------ before the UUID

    def _before_uuid(self, data: bytes) -> None:
        try:
            frames = self.parser.feed(data)
        except ProtocolError as exc:
            if self.parser.uuid is None:
                self._refuse(exc)
                return
            self._open_call([], exc)
            return
        for i, frame in enumerate(frames):
            if frame.type is FrameType.UUID:
                self._open_call(frames[i + 1 :], None)
                return
            if frame.type in (FrameType.HANGUP, FrameType.ERROR):
                log.info("audiosocket peer %s: ended before sending a UUID", self.peer)
                self._close()
                return

    def _refuse(self, exc: ProtocolError) -> None:
        log.warning(
            "audiosocket peer %s: protocol error: %s; connection closed", self.peer, printable(exc)
        )
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode_hangup())
        self._close()

    def _no_uuid(self) -> None:
        self._timer = None
        if self.line is None and not self._done:
            log.warning(
                "audiosocket peer %s: no UUID within %.1f s; connection closed",
                self.peer,
                self.server.uuid_timeout_s,
            )
            self._close()

    def _open_call(self, after_uuid: list[Frame], early_error: ProtocolError | None) -> None:
        assert self.parser.uuid is not None and self.transport is not None
        self._cancel_timer()
        server = self.server
        line = self.line = AudioSocketLine(
            LineInfo(
                call_id=self.parser.uuid,
                protocol="audiosocket",
                rate_hz=AUDIO_RATE_HZ,
                roles=(ChannelRole.CUSTOMER,),
                metadata={"peer": self.peer},
            ),
            self.transport,
            audio_batch_bytes=server.audio_batch_bytes,
        )
        if early_error is not None:  # the UUID came, then bad input in the same read
            line.end(f"protocol error: {early_error}", error=True)
        server._lines.add(line)
        name = f"audiosocket {line.info.call_id}"
        server._handlers.start(run_handler(server.handler, line), name)
        for frame in after_uuid:
            _dispatch(line, frame)
        if line.ended:
            self._line_over(line)
            return
        if server.audio_batch_bytes:
            # Reads of a batch: the kernel wakes us when a batch's frames are in,
            # not for every 20 ms frame (the end of the stream wakes us at once).
            frames = server.audio_batch_bytes // FRAME_BYTES
            self._read_low_water(frames * (HEADER_BYTES + FRAME_BYTES))
        self._timer = self.loop.call_later(server.idle_timeout_s, self._check_idle)

    def _socket(self) -> socket.socket | None:
        return self.transport.get_extra_info("socket") if self.transport else None

    def _read_low_water(self, nbytes: int) -> None:
        """Ask the kernel to report the socket readable only once ``nbytes``
        are waiting (SO_RCVLOWAT; where it is missing, reads stay per frame)."""
        sock = self._socket()
        with contextlib.suppress(OSError, AttributeError, ValueError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, nbytes)

    def _waiting_bytes(self) -> int:
        """Bytes the peer sent that the kernel holds for us (0 when unknown)."""
        sock = self._socket()
        try:
            found = fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0")
        except (OSError, AttributeError, ValueError):
            return 0
        return int.from_bytes(found, sys.byteorder)

    # ------------------------------------------------------------ the call

    def _call_data(self, line: AudioSocketLine, data: bytes) -> None:
        if line.ended:
            return
        payloads = self.parser.audio_payloads(data)
        if payloads is not None:  # the usual read: audio frames only
            for pcm in payloads:
                line.push_audio(ChannelRole.CUSTOMER, pcm)
            return
        try:
            frames = self.parser.feed(data)
        except ProtocolError as exc:
            line.end(f"protocol error: {exc}", error=True)
            self._line_over(line)
            return
        for frame in frames:
            _dispatch(line, frame)
        if line.ended:
            self._line_over(line)

    def _check_idle(self) -> None:
        """One timer per call, moved on only when it fires (not on every read)."""
        line, idle_s = self.line, self.server.idle_timeout_s
        self._timer = None
        if line is None or line.ended:
            return
        quiet_s = self.loop.time() - self.last_data_s
        if quiet_s >= idle_s and self._waiting_bytes():
            # Less than a batch trickled in: the peer is not silent. Read it.
            self._read_low_water(1)
            self.last_data_s = self.loop.time()
            quiet_s = 0.0
        if quiet_s >= idle_s:
            line.end(f"no audio for {idle_s:g} s", error=True)
            self._line_over(line)
            return
        self._timer = self.loop.call_later(idle_s - quiet_s, self._check_idle)

    def _line_over(self, line: AudioSocketLine) -> None:
        """The call ended on the caller's side: a hangup frame when it ended
        in error, then the socket closes."""
        if self._done:
            return
        self._cancel_timer()
        if line.ended_in_error:
            line._write(encode_hangup())
        self._close()

    def _close(self) -> None:
        self._done = True
        self._cancel_timer()
        if self.transport is not None:
            self.transport.close()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _dispatch(line: AudioSocketLine, frame: Frame) -> None:
    if frame.type is FrameType.AUDIO:
        line.push(LineAudio(ChannelRole.CUSTOMER, frame.payload))
    elif frame.type is FrameType.DTMF:
        line.push(LineDtmf(frame.digit))
    elif frame.type is FrameType.HANGUP:
        line.end("the peer hung up")
    elif frame.type is FrameType.ERROR:
        code = frame.error_code
        line.end(
            "the peer reported an error" + (f" (code 0x{code:02X})" if code is not None else ""),
            error=True,
        )


class AudioSocketServer:
    """Listens for Asterisk AudioSocket connections and runs ``handler`` per call."""

    def __init__(
        self,
        handler: LineHandler,
        *,
        uuid_timeout_s: float = 5.0,
        max_payload_bytes: int = MAX_AUDIO_PAYLOAD_BYTES,
        idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
        audio_batch_s: float = 0.0,
    ) -> None:
        """``idle_timeout_s``: a call whose peer sends nothing (not even part
        of a frame) for this long, wall clock, is ended. ``audio_batch_s``:
        a call's audio reaches its handler in pieces of this much (whole
        frames; 0: frame by frame), for drivers that work in batches; the
        kernel then holds a call's bytes until a batch's frames are in, so
        a DTMF or hangup frame amid the audio is read up to one batch later
        (the end of the connection is read at once)."""
        self.handler = handler
        self.uuid_timeout_s = uuid_timeout_s
        self.idle_timeout_s = idle_timeout_s
        self.max_payload_bytes = max_payload_bytes
        frames = round(audio_batch_s * AUDIO_RATE_HZ * 2 / FRAME_BYTES)
        self.audio_batch_bytes = frames * FRAME_BYTES if frames > 1 else 0
        self._server: asyncio.Server | None = None
        self._handlers = TaskSet()
        self._lines: set[AudioSocketLine] = set()
        self._connections: set[_Connection] = set()
        self.reads = 0  # reads of the peers' data so far (tests read it)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), host, port)

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening, hang up every call and stop their handlers."""
        if self._server is None:
            return
        self._server.close()
        for line in list(self._lines):
            await line.hangup("server closing")
        for connection in list(self._connections):  # connections that never became calls
            if connection.line is None:
                connection._close()
        await self._handlers.finish()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._server.wait_closed(), 2.0)

    async def __aenter__(self) -> AudioSocketServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def serve_audiosocket(
    handler: LineHandler,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    uuid_timeout_s: float = 5.0,
    max_payload_bytes: int = MAX_AUDIO_PAYLOAD_BYTES,
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
    audio_batch_s: float = 0.0,
) -> AudioSocketServer:
    """Start an AudioSocket server; ``server.port`` is the bound port, ``close()`` stops it."""
    server = AudioSocketServer(
        handler,
        uuid_timeout_s=uuid_timeout_s,
        max_payload_bytes=max_payload_bytes,
        idle_timeout_s=idle_timeout_s,
        audio_batch_s=audio_batch_s,
    )
    await server.start(host, port)
    return server
