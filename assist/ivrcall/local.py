"""Trying a menu without telephony: a local "line" whose caller is a WAV file
(or the microphone) and whose prompts go to a recording (or the speaker).

The recording is stereo, caller left and IVR right, on the caller's clock, so
a designer can listen to the whole exchange afterwards.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, Callable
from pathlib import Path

import numpy as np

from ivr import events as ev
from ivr.sources import write_wav
from ivr.telephony.base_line import Playback, QueueLine
from ivr.telephony.line import LineAudio, LineInfo

FRAME_S = 0.02


class LocalLine(QueueLine):
    """Caller audio from ``caller`` (chunks at ``rate_hz``); prompts to ``speaker``
    (if given) and into :attr:`prompt_audio` at the caller's current time.
    ``speed`` > 1 plays prompts faster than real time (the caller source
    should be paced the same)."""

    def __init__(
        self,
        call_id: str,
        rate_hz: int,
        *,
        speed: float = 1.0,
        speaker: Callable[[bytes], None] | None = None,
    ) -> None:
        super().__init__(LineInfo(call_id, "local", rate_hz))
        self.speed = speed
        self.speaker = speaker
        self.caller_samples = 0
        self.caller_audio = bytearray()
        self.prompt_audio = bytearray()

    async def feed(self, caller: AsyncIterable[ev.AudioChunk], tail_s: float = 0.0) -> None:
        """Push the caller's audio, then ``tail_s`` of silence (a caller waiting
        for the IVR to answer), then hang up unless the IVR did first."""
        try:
            async for chunk in caller:
                if self.ended:
                    return
                self._caller(chunk.pcm)
        except (OSError, ValueError) as exc:  # a file that breaks half-way
            self.end(f"the caller's audio failed: {exc}", error=True)
            return
        silence = bytes(int(FRAME_S * self.info.rate_hz) * 2)
        deadline = time.monotonic()
        for _ in range(int(tail_s / FRAME_S)):
            if self.ended:
                return
            self._caller(silence)
            deadline += FRAME_S / self.speed
            await asyncio.sleep(max(0.0, deadline - time.monotonic()))
        self.end("the caller's audio ended")

    def _caller(self, pcm: bytes) -> None:
        self.caller_audio += pcm
        self.caller_samples += len(pcm) // 2
        self.push(LineAudio(ev.ChannelRole.CUSTOMER, pcm))

    async def _play(self, pcm: bytes, playback: Playback) -> bool:
        frame_bytes = int(FRAME_S * self.info.rate_hz) * 2
        deadline = time.monotonic()
        for start in range(0, len(pcm), frame_bytes):
            frame = pcm[start : start + frame_bytes]
            at = self.caller_samples * 2
            if len(self.prompt_audio) < at:
                self.prompt_audio += bytes(at - len(self.prompt_audio))
            self.prompt_audio += frame
            if self.speaker is not None:
                self.speaker(frame)
            deadline += len(frame) / (2 * self.info.rate_hz) / self.speed
            if await playback.sleep(deadline - time.monotonic()):
                return False
        return True

    async def _send_clear(self) -> None:
        return None

    async def _close(self, reason: str) -> None:
        return None

    def write_recording(self, path: Path) -> None:
        """Stereo WAV: the caller left, the IVR's prompts right."""
        caller = np.frombuffer(bytes(self.caller_audio), dtype="<i2")
        prompts = np.frombuffer(bytes(self.prompt_audio), dtype="<i2")
        both = np.zeros((max(caller.size, prompts.size), 2), dtype="<i2")
        both[: caller.size, 0] = caller
        both[: prompts.size, 1] = prompts
        write_wav(path, both, self.info.rate_hz)
