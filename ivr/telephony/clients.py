"""Peers that act as the telephony side: for tests, demos and benchmarks.

Each speaks its protocol for real over a socket: :class:`AudioSocketCaller`
(Asterisk's AudioSocket, TCP), :class:`TwilioCaller` (Twilio Media Streams)
and :class:`AudioForkCaller` (FreeSWITCH mod_audio_fork). They send caller
audio (paced at real time or as fast as possible), keypad digits and
hang-ups, and collect what the server plays back in ``received`` (PCM16 at
the call's rate). They close when the server closes; ``closed`` is then set.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import time
import uuid as uuidlib
from typing import Self

import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from ivr.audio.g711 import mulaw_decode, mulaw_encode
from ivr.telephony import audio_fork_codec as fork
from ivr.telephony import audiosocket_codec as asock
from ivr.telephony import twilio_codec as tw
from ivr.telephony.errors import ProtocolError

__all__ = ["AudioForkCaller", "AudioSocketCaller", "TwilioCaller", "interleave"]


async def _pace(start_s: float, sent_samples: int, rate_hz: int) -> None:
    """Sleep until ``sent_samples`` worth of audio has elapsed since ``start_s``."""
    delay_s = start_s + sent_samples / rate_hz - time.monotonic()
    if delay_s > 0:
        await asyncio.sleep(delay_s)


def interleave(customer: bytes, agent: bytes) -> bytes:
    """Two equal-length mono PCM16 streams -> stereo (customer left, agent right)."""
    if len(customer) != len(agent) or len(customer) % 2:
        raise ValueError("interleave needs two mono PCM16 streams of the same even length")
    left = np.frombuffer(customer, dtype="<i2")
    right = np.frombuffer(agent, dtype="<i2")
    return np.column_stack([left, right]).astype("<i2").tobytes()


class AudioSocketCaller:
    """Acts as Asterisk: connects, sends the UUID, streams 8 kHz audio frames."""

    rate_hz = asock.AUDIO_RATE_HZ

    def __init__(self, host: str, port: int, call_id: str | None = None) -> None:
        self.host, self.port = host, port
        self.call_id = str(uuidlib.UUID(call_id)) if call_id else str(uuidlib.uuid4())
        self.received = bytearray()
        self.received_times_s: list[float] = []  # monotonic arrival time of each audio frame
        self.received_sizes: list[int] = []  # payload bytes of each audio frame
        self.server_hung_up = False
        self.protocol_error: ProtocolError | None = None
        self.closed = asyncio.Event()
        self.local_address = ""  # host:port of our end, as the server's logs name it
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None

    async def connect(self, *, send_uuid: bool = True) -> Self:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        local = self._writer.get_extra_info("sockname")
        self.local_address = f"{local[0]}:{local[1]}"
        self._task = asyncio.create_task(self._receive())
        if send_uuid:
            await self.send_raw(asock.encode_uuid(self.call_id))
        return self

    async def __aenter__(self) -> Self:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def send_raw(self, data: bytes) -> None:
        assert self._writer is not None, "not connected"
        self._writer.write(data)
        await self._writer.drain()

    async def send_audio(self, pcm: bytes, *, paced: bool = True, frame_bytes: int = 320) -> None:
        """Send PCM16 8 kHz audio as frames, at real time when ``paced``."""
        start_s, sent = time.monotonic(), 0
        for payload in asock.split_audio(pcm, frame_bytes):
            if paced:
                await _pace(start_s, sent, self.rate_hz)
            await self.send_raw(asock.encode_audio(payload))
            sent += len(payload) // 2

    async def send_dtmf(self, digit: str) -> None:
        await self.send_raw(asock.encode_dtmf(digit))

    async def hangup(self) -> None:
        """Hang up as Asterisk may: a hangup frame, then close."""
        with contextlib.suppress(ConnectionError, OSError):
            await self.send_raw(asock.encode_hangup())
        await self.close()

    async def close(self) -> None:
        """Close the socket without a word (a peer that vanishes)."""
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._writer.wait_closed(), 1.0)
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 1.0)

    async def wait_closed(self, timeout_s: float) -> bool:
        """True once the server closed the connection within ``timeout_s``."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closed.wait(), timeout_s)
        return self.closed.is_set()

    async def _receive(self) -> None:
        assert self._reader is not None
        parser = asock.AudioSocketParser(0xFFFF, expect_uuid=False)
        try:
            while data := await self._reader.read(65536):
                for frame in parser.feed(data):
                    if frame.type is asock.FrameType.AUDIO:
                        self.received += frame.payload
                        self.received_times_s.append(time.monotonic())
                        self.received_sizes.append(len(frame.payload))
                    elif frame.type is asock.FrameType.HANGUP:
                        self.server_hung_up = True
        except ProtocolError as exc:
            self.protocol_error = exc
        except (ConnectionError, OSError):
            pass
        finally:
            self.closed.set()


class _WebsocketCaller:
    rate_hz = 8000

    def __init__(self, url: str, tls: ssl.SSLContext | None = None) -> None:
        """``tls``: the context for a ``wss://`` url (e.g. one that trusts a
        self-signed certificate); None: the system's."""
        self.url = url
        self.tls = tls
        self.received = bytearray()  # PCM16 the server played to us
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason = ""
        self.protocol_error: ProtocolError | None = None
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None

    async def _open(self, subprotocols: list[str] | None = None) -> None:
        self._ws = await connect(
            self.url,
            subprotocols=[Subprotocol(p) for p in subprotocols] if subprotocols else None,
            open_timeout=5,
            max_size=2**22,
            ssl=self.tls,
        )
        self._task = asyncio.create_task(self._receive_all())

    @property
    def ws(self) -> ClientConnection:
        assert self._ws is not None, "not connected"
        return self._ws

    async def send_raw(self, message: str | bytes) -> None:
        await self.ws.send(message)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 2.0)

    async def wait_closed(self, timeout_s: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closed.wait(), timeout_s)
        return self.closed.is_set()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _receive_all(self) -> None:
        ws = self.ws
        try:
            async for message in ws:
                await self._on_message(message)
        except ConnectionClosed:
            pass
        except ProtocolError as exc:
            self.protocol_error = exc
            await ws.close(1002, "protocol error")
        finally:
            self.close_code = ws.close_code
            self.close_reason = ws.close_reason or ""
            self.closed.set()

    async def _on_message(self, message: str | bytes) -> None:
        raise NotImplementedError


class TwilioCaller(_WebsocketCaller):
    """Acts as Twilio on a bidirectional stream.

    Received ``media`` is "played" at real time from a local buffer; a
    ``mark`` is echoed back once everything received before it has played,
    and ``clear`` empties the buffer and echoes the pending marks at once.
    """

    def __init__(
        self,
        url: str,
        *,
        call_sid: str | None = None,
        stream_sid: str | None = None,
        custom_parameters: dict[str, str] | None = None,
        tracks: tuple[str, ...] = ("inbound",),
        tls: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(url, tls)
        self.call_sid = call_sid or "CA" + uuidlib.uuid4().hex
        self.stream_sid = stream_sid or "MZ" + uuidlib.uuid4().hex
        self.custom_parameters = dict(custom_parameters or {})
        self.tracks = tracks
        self.marks_echoed: list[str] = []
        self.clears = 0
        self._sequence = 0
        self._chunk = 0
        self._sent_samples = 0
        self._play_until_s = 0.0
        self._pending_marks: dict[str, asyncio.Task[None]] = {}

    async def connect(self, *, start: bool = True) -> Self:
        await self._open()
        if start:
            await self.send_connected()
            await self.send_start()
        return self

    async def __aenter__(self) -> Self:
        return await self.connect()

    def _next(self) -> int:
        self._sequence += 1
        return self._sequence

    async def send_connected(self) -> None:
        await self.send_raw(tw.encode_connected())

    async def send_start(self) -> None:
        await self.send_raw(
            tw.encode_start(
                self._next(),
                self.stream_sid,
                self.call_sid,
                tracks=self.tracks,
                custom_parameters=self.custom_parameters,
            )
        )

    async def send_audio(
        self, pcm: bytes, *, paced: bool = True, chunk_ms: int = 20, track: str = "inbound"
    ) -> None:
        """Send PCM16 8 kHz audio as mu-law ``media`` messages of ``chunk_ms``
        (``track="outbound"``: the other party, on a both-tracks stream)."""
        mulaw = mulaw_encode(pcm).tobytes()
        step = self.rate_hz * chunk_ms // 1000
        start_s, sent = time.monotonic(), 0
        for i in range(0, len(mulaw), step):
            if paced:
                await _pace(start_s, sent, self.rate_hz)
            piece = mulaw[i : i + step]
            self._chunk += 1
            timestamp_ms = self._sent_samples * 1000 // self.rate_hz
            await self.send_raw(
                tw.encode_inbound_media(
                    self._next(), self.stream_sid, self._chunk, timestamp_ms, piece, track
                )
            )
            self._sent_samples += len(piece)
            sent += len(piece)

    async def send_dtmf(self, digit: str) -> None:
        await self.send_raw(tw.encode_dtmf(self._next(), self.stream_sid, digit))

    async def stop(self) -> None:
        """End the stream as Twilio does when the caller hangs up: ``stop``, then close."""
        with contextlib.suppress(ConnectionClosed):
            await self.send_raw(tw.encode_stop(self._next(), self.stream_sid, self.call_sid))
        await self.close()

    async def _on_message(self, message: str | bytes) -> None:
        event = tw.parse_outbound(message)
        now_s = time.monotonic()
        if isinstance(event, tw.TwilioPlayMedia):
            self.received += mulaw_decode(event.mulaw).tobytes()
            self._play_until_s = max(now_s, self._play_until_s) + len(event.mulaw) / self.rate_hz
        elif isinstance(event, tw.TwilioPlayMark):
            delay_s = max(0.0, self._play_until_s - now_s)
            self._pending_marks[event.name] = asyncio.create_task(
                self._echo_mark_later(event.name, delay_s)
            )
        else:
            self.clears += 1
            self._play_until_s = now_s
            for name, timer in list(self._pending_marks.items()):
                timer.cancel()
                await self._echo_mark(name)

    async def _echo_mark_later(self, name: str, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        await self._echo_mark(name)

    async def _echo_mark(self, name: str) -> None:
        if self._pending_marks.pop(name, None) is None:
            return
        self.marks_echoed.append(name)
        with contextlib.suppress(ConnectionClosed):
            await self.send_raw(tw.encode_mark_echo(self._next(), self.stream_sid, name))


class AudioForkCaller(_WebsocketCaller):
    """Acts as FreeSWITCH mod_audio_fork: metadata text, then L16 binary frames.

    ``url`` should carry the stream's shape, e.g. ``.../audio_fork?mix=stereo&rate=16k``;
    ``channels`` and ``rate_hz`` must match it.
    """

    def __init__(
        self,
        url: str,
        *,
        metadata: str | dict[str, object] | None = None,
        channels: int = 1,
        rate_hz: int = 8000,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(url, tls)
        self.metadata = metadata
        self.channels = channels
        self.rate_hz = rate_hz
        self.plays: list[fork.ForkPlayAudio] = []
        self.kills = 0
        self.disconnects = 0

    async def connect(self) -> Self:
        await self._open([fork.SUBPROTOCOL])
        if self.metadata is not None:
            text = self.metadata if isinstance(self.metadata, str) else json.dumps(self.metadata)
            await self.send_raw(text)
        return self

    async def __aenter__(self) -> Self:
        return await self.connect()

    @property
    def subprotocol(self) -> str | None:
        return self.ws.subprotocol

    async def send_audio(self, pcm: bytes, *, paced: bool = True, chunk_ms: int = 20) -> None:
        """Send L16 audio (interleaved when stereo, see :func:`interleave`) in
        binary frames of ``chunk_ms``."""
        frame_bytes = 2 * self.channels
        step = self.rate_hz * chunk_ms // 1000 * frame_bytes
        start_s, sent = time.monotonic(), 0
        for i in range(0, len(pcm), step):
            if paced:
                await _pace(start_s, sent, self.rate_hz)
            piece = pcm[i : i + step]
            await self.send_raw(piece)
            sent += len(piece) // frame_bytes

    async def _on_message(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            raise ProtocolError("mod_audio_fork expects text commands from the server")
        command = fork.parse_server_message(message)
        if isinstance(command, fork.ForkPlayAudio):
            self.plays.append(command)
            self.received += command.pcm
        elif isinstance(command, fork.ForkKillAudio):
            self.kills += 1
        elif isinstance(command, fork.ForkDisconnect):
            self.disconnects += 1
