"""Helpers for the telephony tests: every scenario runs under a hard time limit."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest


@pytest.fixture
def arun() -> Callable[..., Any]:
    """Run a coroutine in a fresh event loop, failing the test after ``timeout_s``."""

    def run(coro: Coroutine[Any, Any, Any], timeout_s: float = 10.0) -> Any:
        return asyncio.run(asyncio.wait_for(coro, timeout_s))

    return run


class Recorder:
    """A driver for the server tests: records every call's events until its hang-up.

    The test gets each call's line from :meth:`next_line` to play, clear or hang up.
    """

    def __init__(self) -> None:
        from ivr.telephony.line import LineEvent

        self.events: dict[str, list[LineEvent]] = {}
        self._started: asyncio.Queue = asyncio.Queue()
        self._finished: dict[str, asyncio.Event] = {}

    async def __call__(self, line) -> None:
        call_id = line.info.call_id
        self.events[call_id] = []
        finished = self._finished.setdefault(call_id, asyncio.Event())
        await self._started.put(line)
        try:
            async for event in line.events():
                self.events[call_id].append(event)
        finally:
            finished.set()

    async def next_line(self, timeout_s: float = 5.0):
        return await asyncio.wait_for(self._started.get(), timeout_s)

    async def finished(self, call_id: str, timeout_s: float = 5.0) -> list:
        await asyncio.wait_for(
            self._finished.setdefault(call_id, asyncio.Event()).wait(), timeout_s
        )
        return self.events[call_id]

    def audio(self, call_id: str, role: str = "customer") -> bytes:
        from ivr.telephony.line import LineAudio

        return b"".join(
            e.pcm
            for e in self.events.get(call_id, [])
            if isinstance(e, LineAudio) and e.role == role
        )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def tone(seconds: float, rate_hz: int = 8000, freq_hz: float = 440.0) -> bytes:
    """A short sine prompt as PCM16 bytes."""
    import numpy as np

    t = np.arange(int(seconds * rate_hz)) / rate_hz
    return (np.sin(2 * np.pi * freq_hz * t) * 8000).astype("<i2").tobytes()


@pytest.fixture
def make_tone():
    return tone
