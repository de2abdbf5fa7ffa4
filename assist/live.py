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
import dataclasses
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from assist.pipeline import CallPipeline
from assist.store.base import ResumePoint
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


@dataclass(frozen=True)
class _Phrases:
    phrases: tuple[str, ...] | None


_Queued = bytes | _Phrases | None


class LiveChannel:
    def __init__(
        self,
        call: LiveCall,
        role: ev.ChannelRole,
        rate_hz: int,
        phrases: Sequence[str] | None = None,
        *,
        start_s: float = 0.0,
    ) -> None:
        """``start_s``: the audio time this stream starts at (a call that goes
        on after a restart continues its audio time)."""
        self.call = call
        self.role = role
        self.rate_hz = rate_hz
        self._framer = Framer(
            call.pipeline.call_id, role, rate_hz, start_sample=round(start_s * rate_hz)
        )
        self._recognizer = AsyncRecognizer(call.engine.recognizer(rate_hz, phrases), call.executor)
        self._queue: asyncio.Queue[_Queued] | None = None
        self._background: asyncio.Task[None] | None = None
        self._fed_s = start_s  # audio given to recognisers so far
        self._offset_s = start_s  # where the current recogniser's word times start
        self.finished: AsrResult | None = None

    def analyse(self, pcm: bytes) -> None:
        """Frame raw PCM into 20 ms chunks and feed the decision pipeline."""
        for chunk in self._framer.push(pcm):
            self.call.emit(self.call.pipeline.on_audio(chunk))

    async def recognise(self, pcm: bytes) -> AsrResult:
        """Analyse and recognise one piece of audio; the recogniser's answer."""
        self.analyse(pcm)
        return await self._accept(pcm)

    def feed_chunk(self, chunk: ev.AudioChunk) -> None:
        """A framed chunk from a paced source; recognition runs in the background."""
        self.call.emit(self.call.pipeline.on_audio(chunk))
        self._queued().put_nowait(chunk.pcm)

    def feed_pcm(self, pcm: bytes) -> None:
        """Raw PCM from a network line: framed, analysed, recognised in the background."""
        for chunk in self._framer.push(pcm):
            self.feed_chunk(chunk)

    def listen_for(self, phrases: Sequence[str] | None) -> None:
        """Recognise only ``phrases`` (None: the whole vocabulary) from the audio
        fed next on. The utterance in progress is closed first; word times keep
        counting from the start of the stream."""
        self._queued().put_nowait(_Phrases(None if phrases is None else tuple(phrases)))

    async def end_utterance(self) -> AsrResult:
        """Close the current utterance (final result); the stream goes on."""
        return self._emit(await self._recognizer.finish())

    async def _accept(self, pcm: bytes) -> AsrResult:
        result = await self._recognizer.accept(pcm)
        self._fed_s += len(pcm) / (2 * self.rate_hz)
        return self._emit(result)

    def _emit(self, result: AsrResult) -> AsrResult:
        if self._offset_s and result.words:
            shift = self._offset_s
            words = tuple(
                ev.Word(w.word, w.start_s + shift, w.end_s + shift, w.conf) for w in result.words
            )
            result = AsrResult(result.text, words, result.final)
        self.call.emit(self.call.pipeline.on_asr(self.role, result))
        return result

    async def _switch(self, phrases: tuple[str, ...] | None) -> None:
        await self.end_utterance()
        loop = asyncio.get_running_loop()
        recognizer = await loop.run_in_executor(
            self.call.executor, self.call.engine.recognizer, self.rate_hz, phrases
        )
        self._recognizer = AsyncRecognizer(recognizer, self.call.executor)
        self._offset_s = self._fed_s

    def _queued(self) -> asyncio.Queue[_Queued]:
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._background = asyncio.create_task(self._recognise_queued(self._queue))
        return self._queue

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

    async def _recognise_queued(self, queue: asyncio.Queue[_Queued]) -> None:
        """Recognise whatever audio has queued up in one go, in order with
        phrase-list switches; ``None`` ends the stream."""
        while True:
            items = [await queue.get()]
            while not queue.empty():
                items.append(queue.get_nowait())
            audio = bytearray()
            for item in items:
                if isinstance(item, bytes):
                    audio += item
                    continue
                if audio:
                    await self._accept(bytes(audio))
                    audio.clear()
                if item is None:
                    return
                await self._switch(item.phrases)
            if audio:
                await self._accept(bytes(audio))


class LiveCall:
    def __init__(
        self,
        pipeline: CallPipeline,
        engine: SpeechEngine,
        publish: Publish,
        executor: ThreadPoolExecutor | None = None,
        *,
        resume: ResumePoint | None = None,
    ) -> None:
        """``resume``: where the call stands when it goes on (after a restart,
        or a reconnect after its end): its audio time continues from there,
        and a call already started is not started again."""
        self.pipeline = pipeline
        self.engine = engine
        self.publish = publish
        self.executor = executor
        self.channels: dict[ev.ChannelRole, LiveChannel] = {}
        self.ended = False
        self.start_s = resume.audio_s if resume is not None else 0.0
        if resume is None or not resume.started:
            self.emit(pipeline.start())

    def channel(
        self, role: ev.ChannelRole, rate_hz: int, phrases: Sequence[str] | None = None
    ) -> LiveChannel:
        existing = self.channels.get(role)
        if existing is not None:
            if existing.rate_hz != rate_hz:
                raise ValueError(f"the {role.value} channel already runs at {existing.rate_hz} Hz")
            return existing
        channel = self.channels[role] = LiveChannel(
            self, role, rate_hz, phrases, start_s=self.start_s
        )
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
        self.emit(
            [
                dataclasses.replace(e, at_s=self.start_s)
                if isinstance(e, ev.CallEnded) and e.at_s < self.start_s
                else e
                for e in self.pipeline.end(reason)
            ]
        )


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
