"""Running blocking recognisers off the asyncio event loop.

vosk decoding is CPU work in C; it runs in a shared thread pool (the vosk
bindings release the GIL), one recogniser call at a time per channel so the
order of audio is kept.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from ivr.asr.base import AsrResult, Recognizer


class AsyncRecognizer:
    def __init__(self, recognizer: Recognizer, executor: ThreadPoolExecutor | None = None) -> None:
        self.recognizer = recognizer
        self._executor = executor
        self._lock = asyncio.Lock()

    async def accept(self, pcm: bytes) -> AsrResult:
        async with self._lock:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, self.recognizer.accept, pcm)

    async def finish(self) -> AsrResult:
        async with self._lock:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, self.recognizer.finish)
