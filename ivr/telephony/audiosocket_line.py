"""An AudioSocket call as a :class:`~ivr.telephony.line.Line`: what our side
writes to Asterisk (prompt frames on the loop's one prompt clock, the hangup
frame) and the end of the connection. The server
(:mod:`ivr.telephony.audiosocket_server`) feeds it the caller's frames.
"""

from __future__ import annotations

import asyncio
import contextlib

from ivr.telephony.audiosocket_codec import FRAME_BYTES, encode_audio, encode_hangup, split_audio
from ivr.telephony.base_line import MAX_PENDING_EVENTS, Playback, QueueLine
from ivr.telephony.line import LineInfo
from ivr.telephony.pacer import pacer

__all__ = ["AudioSocketLine", "prompt_frames"]

FRAMES_CACHE_SIZE = 32  # prompts whose ready frames are kept (every caller hears the same ones)
_frames_cache: dict[bytes, tuple[bytes, ...]] = {}


def prompt_frames(pcm: bytes) -> tuple[bytes, ...]:
    """``pcm`` as ready 0x10 frames of 20 ms (the last may be shorter).

    Kept for the last few prompts: a renderer hands every call the same
    bytes object, whose hash Python keeps, so a repeated prompt is one
    lookup instead of a header and a copy per frame."""
    frames = _frames_cache.get(pcm)
    if frames is None:
        frames = tuple(encode_audio(p) for p in split_audio(pcm, FRAME_BYTES))
        if len(_frames_cache) >= FRAMES_CACHE_SIZE:
            del _frames_cache[next(iter(_frames_cache))]
        _frames_cache[pcm] = frames
    return frames


class AudioSocketLine(QueueLine):
    """A call on an AudioSocket connection.

    ``play`` sends 20 ms audio frames paced at real time on the loop's one
    prompt clock (:mod:`ivr.telephony.pacer`; Asterisk buffers little), and
    is done when the last frame is sent. ``clear`` just stops sending.
    ``hangup`` sends a hangup frame and closes the socket.
    """

    def __init__(
        self, info: LineInfo, transport: asyncio.WriteTransport, *, audio_batch_bytes: int = 0
    ) -> None:
        pending = MAX_PENDING_EVENTS
        if audio_batch_bytes > FRAME_BYTES:  # the same ~30 s bound in bigger pieces
            pending = max(1, MAX_PENDING_EVENTS * FRAME_BYTES // audio_batch_bytes)
        super().__init__(info, max_pending_events=pending, audio_batch_bytes=audio_batch_bytes)
        self._transport = transport
        self._closed = False
        self._lost = asyncio.get_running_loop().create_future()  # the connection is gone

    async def _play(self, pcm: bytes, playback: Playback) -> bool:
        if self.ended:
            return False
        play = pacer().start(
            prompt_frames(pcm), self._write, self._transport.get_write_buffer_size,
            lambda: playback.stopped or self.ended,
        )  # fmt: skip
        return await playback.finished(play.done)

    async def _send_clear(self) -> None:
        return None  # nothing is queued on Asterisk's side worth flushing

    async def _close(self, reason: str) -> None:
        await self.send_hangup_frame()
        await self.close_transport()

    async def send_hangup_frame(self) -> None:
        self._write(encode_hangup())

    def _write(self, data: bytes) -> bool:
        if self._closed or self._transport.is_closing():
            return False
        try:
            self._transport.write(data)
        except (ConnectionError, OSError, RuntimeError):
            return False
        return True

    def connection_lost(self) -> None:
        if not self._lost.done():
            self._lost.set_result(None)

    async def close_transport(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._transport.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self._lost), 1.0)
