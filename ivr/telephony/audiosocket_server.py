"""Asterisk AudioSocket ingress: a TCP server, one connection per call.

Asterisk connects (``AudioSocket(<uuid>,host:port)`` in the dialplan), sends
the call's UUID, then 20 ms frames of 8 kHz audio, and DTMF frames on newer
versions. Each call becomes an :class:`AudioSocketLine` handed to the
driver's handler in its own task. A call whose peer then sends nothing for
``idle_timeout_s`` (wall clock) is ended with that reason. A call's bad
input, hang-up or failure ends that call only, with one log line on the
``ivr.telephony`` logger.
"""

from __future__ import annotations

import asyncio
import contextlib

from ivr.events import ChannelRole
from ivr.telephony.audiosocket_codec import (
    AUDIO_RATE_HZ,
    FRAME_BYTES,
    MAX_AUDIO_PAYLOAD_BYTES,
    AudioSocketParser,
    Frame,
    FrameType,
    ProtocolError,
    encode_audio,
    encode_hangup,
    split_audio,
)
from ivr.telephony.base_line import (
    DEFAULT_IDLE_TIMEOUT_S,
    LineHandler,
    Playback,
    QueueLine,
    TaskSet,
    log,
    run_handler,
)
from ivr.telephony.ids import printable
from ivr.telephony.line import LineAudio, LineDtmf, LineInfo

__all__ = ["AudioSocketLine", "AudioSocketServer", "serve_audiosocket"]

READ_BYTES = 65536


def _peer_name(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


class AudioSocketLine(QueueLine):
    """A call on an AudioSocket connection.

    ``play`` sends 20 ms audio frames paced at real time against a monotonic
    deadline (Asterisk buffers little), and is done when the last frame is
    sent. ``clear`` just stops sending. ``hangup`` sends a hangup frame and
    closes the socket.
    """

    def __init__(self, info: LineInfo, writer: asyncio.StreamWriter) -> None:
        super().__init__(info)
        self._writer = writer
        self._closed = False

    async def _play(self, pcm: bytes, playback: Playback) -> bool:
        loop = asyncio.get_running_loop()
        start_s = loop.time()
        sent_samples = 0
        for payload in split_audio(pcm, FRAME_BYTES):
            due_s = start_s + sent_samples / AUDIO_RATE_HZ
            if await playback.sleep(due_s - loop.time()) or self.ended:
                return False
            if not await self._send(encode_audio(payload)):
                return False
            sent_samples += len(payload) // 2
        return True

    async def _send_clear(self) -> None:
        return None  # nothing is queued on Asterisk's side worth flushing

    async def _close(self, reason: str) -> None:
        await self.send_hangup_frame()
        await self.close_transport()

    async def send_hangup_frame(self) -> None:
        await self._send(encode_hangup())

    async def _send(self, data: bytes) -> bool:
        if self._closed or self._writer.is_closing():
            return False
        try:
            self._writer.write(data)
            await self._writer.drain()
        except (ConnectionError, OSError):
            return False
        return True

    async def close_transport(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer.wait_closed(), 1.0)


class AudioSocketServer:
    """Listens for Asterisk AudioSocket connections and runs ``handler`` per call."""

    def __init__(
        self,
        handler: LineHandler,
        *,
        uuid_timeout_s: float = 5.0,
        max_payload_bytes: int = MAX_AUDIO_PAYLOAD_BYTES,
        idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
    ) -> None:
        """``idle_timeout_s``: a call whose peer sends nothing (not even part
        of a frame) for this long, wall clock, is ended."""
        self.handler = handler
        self.uuid_timeout_s = uuid_timeout_s
        self.idle_timeout_s = idle_timeout_s
        self.max_payload_bytes = max_payload_bytes
        self._server: asyncio.Server | None = None
        self._handlers = TaskSet()
        self._lines: set[AudioSocketLine] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = await asyncio.start_server(self._on_connection, host, port)

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
        for writer in list(self._writers):  # connections that never became calls
            writer.close()
        await self._handlers.finish()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._server.wait_closed(), 2.0)

    async def __aenter__(self) -> AudioSocketServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peer = _peer_name(writer)
        self._writers.add(writer)
        try:
            await self._serve_call(reader, writer, peer)
        except Exception:  # never let one call's failure reach the server
            log.exception("audiosocket peer %s: unexpected failure", peer)
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _serve_call(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        parser = AudioSocketParser(self.max_payload_bytes)
        try:
            opening = await asyncio.wait_for(self._read_uuid(reader, parser), self.uuid_timeout_s)
        except TimeoutError:
            log.warning(
                "audiosocket peer %s: no UUID within %.1f s; connection closed",
                peer,
                self.uuid_timeout_s,
            )
            return
        except ProtocolError as exc:
            log.warning(
                "audiosocket peer %s: protocol error: %s; connection closed", peer, printable(exc)
            )
            with contextlib.suppress(ConnectionError, OSError):
                writer.write(encode_hangup())
            return
        except (ConnectionError, OSError) as exc:
            log.info("audiosocket peer %s: connection lost before the UUID (%s)", peer, exc)
            return
        if opening is None:
            log.info("audiosocket peer %s: ended before sending a UUID", peer)
            return
        after_uuid, early_error = opening
        assert parser.uuid is not None
        line = AudioSocketLine(
            LineInfo(
                call_id=parser.uuid,
                protocol="audiosocket",
                rate_hz=AUDIO_RATE_HZ,
                roles=(ChannelRole.CUSTOMER,),
                metadata={"peer": peer},
            ),
            writer,
        )
        if early_error is not None:  # the UUID came, then bad input in the same read
            line.end(f"protocol error: {early_error}", error=True)
        self._lines.add(line)
        try:
            self._handlers.start(run_handler(self.handler, line), f"audiosocket {parser.uuid}")
            for frame in after_uuid:
                self._dispatch(line, frame)
            await self._read_calls_frames(reader, parser, line)
            if line.ended_in_error:
                await line.send_hangup_frame()
        finally:
            self._lines.discard(line)
            await line.close_transport()

    async def _read_uuid(
        self, reader: asyncio.StreamReader, parser: AudioSocketParser
    ) -> tuple[list[Frame], ProtocolError | None] | None:
        """Once the UUID has come: the frames that followed it in the same read,
        and the protocol error met there if any. None when the peer hung up or
        closed before sending a UUID."""
        while True:
            data = await reader.read(READ_BYTES)
            if not data:
                parser.finish()
                return None
            try:
                frames = parser.feed(data)
            except ProtocolError as exc:
                if parser.uuid is None:
                    raise
                return [], exc
            for i, frame in enumerate(frames):
                if frame.type is FrameType.UUID:
                    return frames[i + 1 :], None
                if frame.type in (FrameType.HANGUP, FrameType.ERROR):
                    return None

    async def _read_calls_frames(
        self, reader: asyncio.StreamReader, parser: AudioSocketParser, line: AudioSocketLine
    ) -> None:
        while not line.ended:
            try:
                async with asyncio.timeout(self.idle_timeout_s):
                    data = await reader.read(READ_BYTES)
            except TimeoutError:
                line.end(f"no audio for {self.idle_timeout_s:g} s", error=True)
                return
            except (ConnectionError, OSError) as exc:
                line.end(f"connection lost: {exc}", error=True)
                return
            try:
                if not data:
                    parser.finish()
                    line.end("connection closed by the peer")
                    return
                frames = parser.feed(data)
            except ProtocolError as exc:
                line.end(f"protocol error: {exc}", error=True)
                return
            for frame in frames:
                self._dispatch(line, frame)

    @staticmethod
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
                "the peer reported an error"
                + (f" (code 0x{code:02X})" if code is not None else ""),
                error=True,
            )


async def serve_audiosocket(
    handler: LineHandler,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    uuid_timeout_s: float = 5.0,
    max_payload_bytes: int = MAX_AUDIO_PAYLOAD_BYTES,
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S,
) -> AudioSocketServer:
    """Start an AudioSocket server; ``server.port`` is the bound port, ``close()`` stops it."""
    server = AudioSocketServer(
        handler,
        uuid_timeout_s=uuid_timeout_s,
        max_payload_bytes=max_payload_bytes,
        idle_timeout_s=idle_timeout_s,
    )
    await server.start(host, port)
    return server
