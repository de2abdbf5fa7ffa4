"""An async audio feed: network ingress pushes PCM16 bytes, consumers read 20 ms chunks.

The producer calls :meth:`AudioFeed.push` with pieces of any size as they
arrive (AudioSocket frames, decoded websocket media...) and
:meth:`AudioFeed.close` on hang-up; the consumer runs
``async for chunk in feed``. Chunks are stamped from the sample count, so
their audio time does not depend on when the network delivered them.

The queue between the two is bounded: :meth:`AudioFeed.push` never waits and
raises :class:`FeedFullError` when the consumer has fallen too far behind
(nothing of that push is kept, so the producer may retry, drop or hang up),
while ``await feed.put(pcm)`` waits for room instead (back-pressure). Use
from one event loop; the feed can be created outside it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator

from ivr.audio.frames import FRAME_MS, Framer
from ivr.events import AudioChunk, ChannelRole

__all__ = [
    "AudioFeed",
    "FeedClosedError",
    "FeedError",
    "FeedFullError",
    "OversizedPushError",
]


class FeedError(Exception):
    """Base class of audio feed errors."""


class FeedClosedError(FeedError):
    """Audio pushed after the feed was closed."""


class FeedFullError(FeedError):
    """The consumer is too far behind; this push was not accepted."""


class OversizedPushError(FeedError, ValueError):
    """One push larger than the feed accepts at once."""


class AudioFeed:
    """Bounded async feed of one call channel's PCM16 (little-endian, mono) audio."""

    def __init__(
        self,
        call_id: str,
        role: ChannelRole,
        rate_hz: int,
        *,
        max_push_bytes: int | None = None,
        max_queued_s: float = 10.0,
        frame_ms: int = FRAME_MS,
    ) -> None:
        self.call_id = call_id
        self.role = ChannelRole(role)
        self.rate_hz = rate_hz
        self._framer = Framer(call_id, self.role, rate_hz, frame_ms=frame_ms)
        self.max_queued_chunks = max(1, round(max_queued_s * 1000 / frame_ms))
        queue_bytes = self.max_queued_chunks * 2 * self._framer.frame_samples
        if max_push_bytes is None:
            # One second of audio, far above any telephony packet, unless the queue is smaller.
            max_push_bytes = min(2 * rate_hz, queue_bytes)
        if max_push_bytes <= 0:
            raise ValueError(f"max_push_bytes must be positive, got {max_push_bytes}")
        if max_push_bytes > queue_bytes:
            raise ValueError(
                f"max_push_bytes={max_push_bytes} is more than the whole queue holds "
                f"({queue_bytes} bytes); raise max_queued_s"
            )
        self.max_push_bytes = max_push_bytes
        self._chunks: deque[AudioChunk] = deque()
        self._readable = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        self._closed = False
        self.dropped_bytes = 0  # a stray odd byte at close

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def queued_chunks(self) -> int:
        return len(self._chunks)

    @property
    def samples_pushed(self) -> int:
        """Whole samples received so far (framed or pending)."""
        return self._framer.next_sample + self._framer.pending_bytes // 2

    def _label(self) -> str:
        return f"audio feed {self.call_id}/{self.role}"

    def _check(self, pcm: bytes | bytearray | memoryview) -> int:
        if self._closed:
            raise FeedClosedError(f"{self._label()}: push after close")
        size = len(pcm) if not isinstance(pcm, memoryview) else pcm.nbytes
        if size > self.max_push_bytes:
            raise OversizedPushError(
                f"{self._label()}: a push of {size} bytes exceeds the limit of "
                f"{self.max_push_bytes} bytes ({self.max_push_bytes / 2 / self.rate_hz:.3g} s "
                f"of audio at {self.rate_hz} Hz)"
            )
        return size

    def _room(self, size: int) -> bool:
        return len(self._chunks) + self._framer.frames_ready_after(size) <= self.max_queued_chunks

    def _enqueue(self, pcm: bytes | bytearray | memoryview) -> None:
        chunks = self._framer.push(pcm)
        if chunks:
            self._chunks.extend(chunks)
            self._readable.set()
        if len(self._chunks) >= self.max_queued_chunks:
            self._writable.clear()

    def push(self, pcm: bytes | bytearray | memoryview) -> None:
        """Add audio without waiting. Raises :class:`FeedClosedError`,
        :class:`OversizedPushError` or :class:`FeedFullError` (which keeps nothing)."""
        size = self._check(pcm)
        if not self._room(size):
            raise FeedFullError(
                f"{self._label()}: {len(self._chunks)} chunks are waiting to be read "
                f"(limit {self.max_queued_chunks}); the consumer is not keeping up"
            )
        self._enqueue(pcm)

    async def put(self, pcm: bytes | bytearray | memoryview) -> None:
        """Add audio, waiting while the queue is full."""
        size = self._check(pcm)
        while not self._room(size):
            self._writable.clear()
            await self._writable.wait()
            if self._closed:
                raise FeedClosedError(f"{self._label()}: closed while waiting to push")
        self._enqueue(pcm)

    def close(self) -> None:
        """End of audio: the tail shorter than a frame becomes a last chunk and the
        iteration ends once everything queued has been read. Idempotent."""
        if self._closed:
            return
        if self._framer.pending_bytes % 2:
            self.dropped_bytes += 1
        self._chunks.extend(self._framer.flush(drop_odd_byte=True))
        self._closed = True
        self._readable.set()
        self._writable.set()  # wake a producer blocked in put()

    def __aiter__(self) -> AsyncIterator[AudioChunk]:
        return self

    async def __anext__(self) -> AudioChunk:
        while not self._chunks:
            if self._closed:
                raise StopAsyncIteration
            self._readable.clear()
            await self._readable.wait()
        chunk = self._chunks.popleft()
        if len(self._chunks) < self.max_queued_chunks:
            self._writable.set()
        return chunk
