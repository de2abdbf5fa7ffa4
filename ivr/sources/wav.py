"""A recorded call as a source of per-channel 20 ms
:class:`~ivr.events.AudioChunk` s, either paced at real time (``async for``)
or as fast as possible (``for``, for QA replay).

The file formats themselves (probing, decoding, writing) are in
:mod:`ivr.sources.audio_file`; its names are importable from here too.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import numpy as np

from ivr.audio.frames import FRAME_MS, CustomerChannel, Framer, channel_roles, frame_samples
from ivr.audio.resample import Resampler
from ivr.events import AudioChunk, ChannelRole
from ivr.sources.audio_file import (
    RAW_G711_EXTENSIONS,
    AudioFileError,
    AudioFileInfo,
    Encoding,
    iter_audio_blocks,
    probe_audio_file,
    read_audio,
    write_wav,
)

__all__ = [
    "RAW_G711_EXTENSIONS",
    "AudioFileError",
    "AudioFileInfo",
    "Encoding",
    "WavSource",
    "iter_audio_blocks",
    "probe_audio_file",
    "read_audio",
    "write_wav",
]


class WavSource:
    """Per-channel 20 ms :class:`AudioChunk` s from a recorded call.

    ``for chunk in source`` runs as fast as possible (QA replay);
    ``async for chunk in source`` (or :meth:`paced`) delivers each step of
    chunks when its audio would have arrived on a live line, sleeping to
    absolute deadlines on the event loop's clock so it never drifts.
    Each step yields one chunk per channel, the customer first. Mono audio is
    the customer; for stereo ``customer_channel`` says which side is the
    customer. With ``target_rate_hz`` the audio is resampled (streaming).
    The file is validated when the source is created.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        call_id: str | None = None,
        customer_channel: CustomerChannel = "left",
        target_rate_hz: int | None = None,
        frame_ms: int = FRAME_MS,
    ) -> None:
        self.info = probe_audio_file(path)
        self.path = self.info.path
        self.call_id = call_id if call_id is not None else self.path.stem
        self.customer_channel: CustomerChannel = customer_channel
        self.frame_ms = frame_ms
        self._roles = channel_roles(self.info.channels, customer_channel)
        self._rate_hz = target_rate_hz if target_rate_hz is not None else self.info.rate_hz
        try:
            frame_samples(self._rate_hz, frame_ms)
        except ValueError as exc:
            raise AudioFileError(self.path, f"cannot be framed: {exc}") from None
        if self._rate_hz != self.info.rate_hz:
            try:
                Resampler(self.info.rate_hz, self._rate_hz)
            except ValueError as exc:
                raise AudioFileError(self.path, str(exc)) from None

    @property
    def rate_hz(self) -> int:
        """Sample rate of the chunks this source yields (the target rate if one was given)."""
        return self._rate_hz

    @property
    def file_rate_hz(self) -> int:
        return self.info.rate_hz

    @property
    def channels(self) -> int:
        return self.info.channels

    @property
    def roles(self) -> tuple[ChannelRole, ...]:
        """Role of each channel in file order."""
        return self._roles

    @property
    def duration_s(self) -> float:
        return self.info.duration_s

    def steps(self) -> Iterator[tuple[AudioChunk, ...]]:
        """Consecutive 20 ms steps, each a tuple of one chunk per channel, customer first."""
        order = sorted(range(self.channels), key=lambda c: self._roles[c] != ChannelRole.CUSTOMER)
        framers = [
            Framer(self.call_id, self._roles[c], self._rate_hz, frame_ms=self.frame_ms)
            for c in order
        ]
        resamplers = (
            [Resampler(self.info.rate_hz, self._rate_hz) for _ in order]
            if self._rate_hz != self.info.rate_hz
            else None
        )
        for block in iter_audio_blocks(self.info, block_frames=self.info.rate_hz):  # 1 s reads
            per_channel = []
            for k, c in enumerate(order):
                samples = block[:, c]
                if resamplers is not None:
                    samples = resamplers[k].process(np.ascontiguousarray(samples))
                per_channel.append(framers[k].push(samples))
            yield from zip(*per_channel, strict=True)
        tails = []
        for k in range(len(order)):
            tail = resamplers[k].flush() if resamplers is not None else np.zeros(0, np.int16)
            tails.append(framers[k].push(tail) + framers[k].flush())
        yield from zip(*tails, strict=True)

    def __iter__(self) -> Iterator[AudioChunk]:
        for step in self.steps():
            yield from step

    def chunks(self) -> Iterator[AudioChunk]:
        """All chunks as fast as possible (same as iterating the source)."""
        return iter(self)

    async def paced(self, speed: float = 1.0) -> AsyncIterator[AudioChunk]:
        """Chunks at the pace of a live line: each step is released when its audio
        has fully arrived (``speed`` > 1 replays faster, for tests and demos)."""
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        loop = asyncio.get_running_loop()
        started = loop.time()
        for step in self.steps():
            due = started + step[0].end_s / speed
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            for chunk in step:
                yield chunk

    def __aiter__(self) -> AsyncIterator[AudioChunk]:
        return self.paced()
