"""The live driver: one call's audio through the pipeline in real time,
decoding off the event loop, publishing what happens.

A :class:`LiveCall` owns the call's pipeline; each audio stream (customer,
agent) is a :class:`LiveChannel`. Audio is analysed as it arrives. Speech is
recognised either per piece, awaiting the result (the vosk-protocol ingest
answers every message with it), or in a background task that takes
whatever audio has queued up (paced sources), so a slow decode never holds
back the audio clock or other calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from assist.pipeline import CallPipeline
from ivr import events as ev
from ivr.asr.aio import AsyncRecognizer
from ivr.asr.base import AsrResult, SpeechEngine
from ivr.audio.frames import Framer

Publish = Callable[[ev.Event], object]

SCREEN_EVENTS = (
    ev.CallStarted,
    ev.CallEnded,
    ev.CallFlagged,
    ev.TranscriptPartial,
    ev.TranscriptFinal,
    ev.AngerUpdate,
    ev.Suggestion,
    ev.SuggestionFeedback,
    ev.IvrAction,
    ev.Error,
)


class LiveChannel:
    def __init__(
        self,
        call: LiveCall,
        role: ev.ChannelRole,
        rate_hz: int,
        phrases: Sequence[str] | None = None,
    ) -> None:
        self.call = call
        self.role = role
        self.rate_hz = rate_hz
        self._framer = Framer(call.pipeline.call_id, role, rate_hz)
        self._recognizer = AsyncRecognizer(call.engine.recognizer(rate_hz, phrases), call.executor)
        self._queue: asyncio.Queue[bytes | None] | None = None
        self._background: asyncio.Task[None] | None = None
        self.finished: AsrResult | None = None

    def analyse(self, pcm: bytes) -> None:
        """Frame raw PCM into 20 ms chunks and feed the decision pipeline."""
        for chunk in self._framer.push(pcm):
            self.call.emit(self.call.pipeline.on_audio(chunk))

    async def recognise(self, pcm: bytes) -> AsrResult:
        """Analyse and recognise one piece of audio; the recogniser's answer."""
        self.analyse(pcm)
        result = await self._recognizer.accept(pcm)
        self.call.emit(self.call.pipeline.on_asr(self.role, result))
        return result

    def feed_chunk(self, chunk: ev.AudioChunk) -> None:
        """A framed chunk from a paced source; recognition runs in the background."""
        self.call.emit(self.call.pipeline.on_audio(chunk))
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._background = asyncio.create_task(self._recognise_queued(self._queue))
        self._queue.put_nowait(chunk.pcm)

    async def end_utterance(self) -> AsrResult:
        """Close the current utterance (final result); the stream goes on."""
        result = await self._recognizer.finish()
        self.call.emit(self.call.pipeline.on_asr(self.role, result))
        return result

    async def finish(self) -> AsrResult:
        """End of this stream: the last final result. Idempotent."""
        if self.finished is not None:
            return self.finished
        if self._queue is not None and self._background is not None:
            self._queue.put_nowait(None)
            await self._background
        for chunk in self._framer.flush(drop_odd_byte=True):
            self.call.emit(self.call.pipeline.on_audio(chunk))
        self.finished = await self.end_utterance()
        return self.finished

    async def _recognise_queued(self, queue: asyncio.Queue[bytes | None]) -> None:
        while True:
            pieces = [await queue.get()]
            while not queue.empty():
                pieces.append(queue.get_nowait())
            audio = b"".join(p for p in pieces if p is not None)
            if audio:
                result = await self._recognizer.accept(audio)
                self.call.emit(self.call.pipeline.on_asr(self.role, result))
            if pieces[-1] is None:
                return


class LiveCall:
    def __init__(
        self,
        pipeline: CallPipeline,
        engine: SpeechEngine,
        publish: Publish,
        executor: ThreadPoolExecutor | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.engine = engine
        self.publish = publish
        self.executor = executor
        self.channels: dict[ev.ChannelRole, LiveChannel] = {}
        self.ended = False
        self.emit(pipeline.start())

    def channel(
        self, role: ev.ChannelRole, rate_hz: int, phrases: Sequence[str] | None = None
    ) -> LiveChannel:
        existing = self.channels.get(role)
        if existing is not None:
            if existing.rate_hz != rate_hz:
                raise ValueError(f"the {role.value} channel already runs at {existing.rate_hz} Hz")
            return existing
        channel = self.channels[role] = LiveChannel(self, role, rate_hz, phrases)
        return channel

    def emit(self, events: list[ev.Event]) -> None:
        for event in events:
            if isinstance(event, SCREEN_EVENTS):
                self.publish(event)

    async def end(self, reason: str = "hangup") -> None:
        if self.ended:
            return
        self.ended = True
        for channel in list(self.channels.values()):
            await channel.finish()
        self.emit(self.pipeline.end(reason))


async def run_live_call(
    chunks: AsyncIterator[ev.AudioChunk],
    pipeline: CallPipeline,
    engine: SpeechEngine,
    publish: Publish,
    *,
    executor: ThreadPoolExecutor | None = None,
) -> None:
    """Drive one call from a paced source of chunks to its end."""
    call = LiveCall(pipeline, engine, publish, executor)
    reason = "hangup"
    try:
        async for chunk in chunks:
            call.channel(chunk.role, chunk.rate_hz).feed_chunk(chunk)
    except Exception as exc:
        reason = "error"
        publish(ev.Error(pipeline.call_id, "audio-source", str(exc)))
    finally:
        await call.end(reason)
