"""The feed loop: one call's audio and recogniser results into its pipeline,
written once for every driver (live ingest, telephony lines, the demo, IVR
calls, ``analyze`` and QA replay).

A :class:`CallFeed` takes a call's audio (framed 20 ms chunks, or raw PCM it
frames itself) per channel role and works through it in order, in one task.
The audio is given to the channel's recogniser in batches, cut at
``batch_s`` of audio (0.2 s: vosk is most efficient fed a few hundred ms at
a time) or, for the vosk-protocol ingest, at each client message (its
answer is the recogniser's result for that message). In one trip to the
thread pool (``executor``) the pipeline hears every chunk fed since the
last batch (the anger core's per-frame analysis), the batch is decoded and
the pipeline hears its results: none of it runs on the event loop, which
only publishes the events. So the pipeline sees the same sequence whether
the audio arrives in real time or is read from a file as fast as possible.
Offline drivers (``inline=True``) do all of it in the loop's own thread.

One thing at a time touches the pipeline: the call's *turn* (a lock).
What a driver feeds without waiting goes through a queue and the feed's
task; what a driver awaits (a client message's answer, the end of a
channel) is done in the driver's own task when nothing is queued before
it, which spares a live message two wake-ups of the loop and a queue.

Word times are audio time from the start of the call: a channel that goes
on after a restart, or whose recogniser was replaced by a phrase-limited
one (the IVR's menu options), has its words shifted accordingly.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from assist.calls.items import Chunks, Cut, End, Feedback, Finish, Item, Phrases
from assist.calls.joiner import AudioTap, Failed, FrameJoiner, heard_then, in_call_time, nothing
from assist.calls.trip import in_worker
from assist.pipeline import CallPipeline, analysis_batch_samples
from assist.store.base import ResumePoint
from ivr import events as ev
from ivr.asr.base import AsrResult, Recognizer, SpeechEngine
from ivr.audio.frames import Framer

Publish = Callable[[ev.Event], object]

ASR_BATCH_S = 0.2
_EMPTY_PARTIAL = AsrResult("", (), final=False)
_EMPTY_FINAL = AsrResult("", (), final=True)


@dataclass
class _Channel:
    role: ev.ChannelRole
    rate_hz: int
    recognizer: Recognizer
    batch_bytes: int | None  # None: batches end where the caller says (``cut``)
    framer: Framer
    joiner: FrameJoiner
    pending: bytearray = field(default_factory=bytearray)
    fed_s: float = 0.0  # audio given to recognisers so far (from the call's start)
    offset_s: float = 0.0  # where the current recogniser's word times start
    finished: AsrResult | None = None


class FeedChannel:
    """One channel role of a call, as a driver sees it."""

    def __init__(self, feed: CallFeed, state: _Channel) -> None:
        self.feed = feed
        self.role = state.role
        self.rate_hz = state.rate_hz
        self._state = state

    def feed_chunk(self, chunk: ev.AudioChunk) -> None:
        """A framed 20 ms chunk (a paced source, a file)."""
        self.feed._put(Chunks((chunk,)))

    def feed_pcm(self, pcm: bytes) -> None:
        """Raw PCM (a network line): framed here."""
        chunks = self._state.framer.push(pcm)
        if chunks:
            self.feed._put(Chunks(tuple(chunks)))

    async def recognise(self, pcm: bytes) -> AsrResult:
        """One client message (vosk-protocol ingest): its audio is one batch;
        the recogniser's answer for it. Its whole frames travel as one chunk
        (the joiner cuts it where the anger core's analysis runs)."""
        state = self._state
        whole = state.batch_bytes is None  # else batches are cut frame by frame
        chunks = state.framer.push_run(pcm) if whole else state.framer.push(pcm)
        before = Chunks(tuple(chunks)) if chunks else None
        return await self.feed._ask(Cut(self.role, None), before)

    async def end_utterance(self) -> AsrResult:
        """Close the current utterance (its final result); the stream goes on."""
        return await self.feed._ask(Cut(self.role, None, close=True))

    def tap(self, tap: AudioTap) -> None:
        """Let ``tap`` hear this channel's audio from now on, in the worker
        that gives it to the pipeline (never on the event loop)."""
        self.feed._taps[self.role] = tap

    def listen_for(self, phrases: Sequence[str] | None) -> None:
        """Recognise only ``phrases`` (None: the whole vocabulary) from the audio
        fed next on; the utterance in progress is closed first."""
        self.feed._put(Phrases(self.role, None if phrases is None else tuple(phrases)))

    async def finish(self) -> AsrResult:
        """End of this channel's stream: its last final result. Idempotent."""
        if self._state.finished is not None:
            return self._state.finished
        for chunk in self._state.framer.flush(drop_odd_byte=True):
            self.feed_chunk(chunk)
        return await self.feed._ask(Finish(self.role, None))


class CallFeed:
    def __init__(
        self,
        pipeline: CallPipeline,
        engine: SpeechEngine,
        publish: Publish,
        executor: ThreadPoolExecutor | None = None,
        *,
        resume: ResumePoint | None = None,
        batch_s: float = ASR_BATCH_S,
        inline: bool = False,
    ) -> None:
        """``resume``: where the call stands when it goes on (after a restart,
        or a reconnect after its end): its audio time continues from there,
        and a call already started is not started again. ``inline``: decode
        in the caller's thread (offline drivers), not in ``executor``."""
        self.pipeline = pipeline
        self.engine = engine
        self.publish = publish
        self.executor = executor
        self.batch_s = batch_s
        self.inline = inline
        self.start_s = resume.audio_s if resume is not None else 0.0
        self.channels: dict[ev.ChannelRole, FeedChannel] = {}
        self.ended = False
        self._queue: asyncio.Queue[Item] | None = None
        self._task: asyncio.Task[None] | None = None
        self._turn = asyncio.Lock()  # held by whatever touches the pipeline
        self._unheard: list[ev.AudioChunk] = []  # fed, not yet given to the pipeline
        self._taps: dict[ev.ChannelRole, AudioTap] = {}
        pipeline.anger.hear_recogniser(engine.vocabulary_words)
        if resume is None or not resume.started:
            self.emit(pipeline.start())

    # ------------------------------------------------------------ drivers

    def channel(
        self,
        role: ev.ChannelRole,
        rate_hz: int,
        phrases: Sequence[str] | None = None,
        *,
        batches: bool = True,
    ) -> FeedChannel:
        """The channel of ``role`` (made on first use). ``batches=False``: the
        driver cuts the recognition batches (:meth:`FeedChannel.recognise`)."""
        existing = self.channels.get(role)
        if existing is not None:
            if existing.rate_hz != rate_hz:
                raise ValueError(f"the {role.value} channel already runs at {existing.rate_hz} Hz")
            return existing
        framer = Framer(
            self.pipeline.call_id, role, rate_hz, start_sample=round(self.start_s * rate_hz)
        )
        state = _Channel(
            role,
            rate_hz,
            self.engine.recognizer(rate_hz, phrases),
            int(self.batch_s * rate_hz) * 2 if batches else None,
            framer,
            FrameJoiner(analysis_batch_samples(rate_hz), framer.frame_samples),
            fed_s=self.start_s,
            offset_s=self.start_s,
        )
        channel = self.channels[role] = FeedChannel(self, state)
        return channel

    def on_feedback(self, feedback: ev.SuggestionFeedback) -> None:
        """To the advisor, in turn with the call's audio (which the pipeline
        may be hearing in a worker thread right now)."""
        if self._idle() and not self._turn.locked():
            self.pipeline.on_feedback(feedback)
        else:
            self._put(Feedback(feedback))

    def emit(self, events: list[ev.Event]) -> None:
        for event in events:
            self.publish(event)

    async def end(self, reason: str = "hangup") -> None:
        """Finish every channel, then close the call. Idempotent."""
        if self.ended:
            return
        self.ended = True
        for channel in list(self.channels.values()):
            await channel.finish()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._put(End(reason, done))
        await done
        if self._task is not None:
            await self._task

    async def drained(self) -> None:
        """Wait until everything fed so far is through (offline drivers use it
        to keep the queue short)."""
        if self._queue is not None:
            await self._queue.join()
        async with self._turn:  # and whatever a driver does in its own task
            pass

    # ------------------------------------------------------------ the loop

    def _put(self, item: Item) -> None:
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._task = asyncio.get_running_loop().create_task(self._run(self._queue))
        self._queue.put_nowait(item)

    def _idle(self) -> bool:
        return self._queue is None or self._queue.empty()

    async def _ask(self, item: Cut | Finish, before: Chunks | None = None) -> AsrResult:
        """``before`` (if any), then ``item``, in turn; ``item``'s result. Done
        here when nothing is queued (else queued, for the feed's task)."""
        if not self._idle():
            reply: asyncio.Future[AsrResult] = asyncio.get_running_loop().create_future()
            if before is not None:
                self._put(before)
            self._put(dataclasses.replace(item, reply=reply))
            return await reply
        async with self._turn:
            if before is not None:
                try:
                    await self._step(before)
                except Exception as exc:  # as the feed's task does with a queued one
                    self._failed(exc)
            result = await self._step(item)
        assert result is not None
        return result

    def _failed(self, exc: Exception) -> None:
        self.publish(ev.Error(self.pipeline.call_id, "feed", type(exc).__name__))

    async def _run(self, queue: asyncio.Queue[Item]) -> None:
        while True:
            item = await queue.get()
            try:
                async with self._turn:
                    if isinstance(item, End):
                        await self._hear()
                        self.emit(self._ended(item.reason))
                        item.done.set_result(None)
                        return
                    result = await self._step(item)
                reply = getattr(item, "reply", None)
                if reply is not None and not reply.done():
                    reply.set_result(result)
            except Exception as exc:
                reply = getattr(item, "reply", None) or getattr(item, "done", None)
                if reply is not None and not reply.done():
                    reply.set_exception(exc)
                else:
                    self._failed(exc)
                if isinstance(item, End):
                    return
            finally:
                queue.task_done()

    async def _step(self, item: Item) -> AsrResult | None:
        """One item, in turn: a cut's or a finish's result, else None."""
        if isinstance(item, Chunks):
            for chunk in item.chunks:
                self._unheard.append(chunk)
                state = self.channels[chunk.role]._state
                state.pending += chunk.pcm
                if state.batch_bytes is not None and len(state.pending) >= state.batch_bytes:
                    await self._recognise(state)
            return None
        if isinstance(item, Feedback):
            self.pipeline.on_feedback(item.feedback)
            return None
        state = self.channels[item.role]._state
        if isinstance(item, Cut):
            result = await self._recognise(state) if state.pending else _EMPTY_PARTIAL
            return await self._close(state) if item.close else result
        if isinstance(item, Phrases):
            await self._switch(state, item.phrases)
        elif isinstance(item, Finish):
            if state.finished is None:
                if state.pending:
                    await self._recognise(state)
                state.finished = await self._close(state)
            return state.finished
        return None

    def _ended(self, reason: str) -> list[ev.Event]:
        events = self.pipeline.end(reason)
        return [
            dataclasses.replace(e, at_s=self.start_s)
            if isinstance(e, ev.CallEnded) and e.at_s < self.start_s
            else e
            for e in events
        ]

    # ------------------------------------------------------ recognition

    async def _call(self, fn: Callable[..., Any], *args: object) -> Any:
        """The pipeline hears the audio fed so far, then ``fn(*args)`` runs:
        both in one trip to the executor (the per-frame analysis never runs
        on the event loop), or inline for offline drivers. The feed task
        waits for it, so nothing else touches the pipeline meanwhile."""
        chunks, self._unheard = self._joined(self._unheard), []
        if self.inline:
            events, found, result = heard_then(self.pipeline, chunks, fn, args, self._taps)
        else:
            events, found, result = await in_worker(
                self.executor, heard_then, self.pipeline, chunks, fn, args, self._taps
            )
        for tap, heard in found:
            tap.found(heard)
        self.emit(events)
        if isinstance(result, Failed):
            raise result.error
        return result

    async def _hear(self) -> None:
        """Give the pipeline the audio fed so far (before the call ends)."""
        if self._unheard:
            await self._call(nothing)

    def _joined(self, chunks: list[ev.AudioChunk]) -> list[ev.AudioChunk]:
        """Runs of one channel's chunks joined (:class:`FrameJoiner`)."""
        out: list[ev.AudioChunk] = []
        start = 0
        for end in range(1, len(chunks) + 1):
            if end == len(chunks) or chunks[end].role is not chunks[start].role:
                joiner = self.channels[chunks[start].role]._state.joiner
                out += joiner.joined(chunks[start:end])
                start = end
        return out

    async def _recognise(self, state: _Channel) -> AsrResult:
        pcm = bytes(state.pending)
        state.pending.clear()
        results = await self._results(state, pcm)
        state.fed_s += len(pcm) / (2 * state.rate_hz)
        return results[-1]

    async def _results(self, state: _Channel, pcm: bytes | None) -> list[AsrResult]:
        """A batch's results (``None``: its end), heard by the pipeline in the
        worker; their events are published here, after the audio's."""
        results, events = await self._call(self._decode, state, pcm)
        self.emit(events)
        return results

    def _decode(self, state: _Channel, pcm: bytes | None) -> tuple[list[AsrResult], list[ev.Event]]:
        """In the worker: one result, or several from a recogniser that knows
        its words beforehand, each with its words in call time and what the
        pipeline makes of it (keywords, the anger meter, the advisor)."""
        recognizer = state.recognizer
        many = getattr(recognizer, "accept_many" if pcm is not None else "finish_many", None)
        if many is not None:
            found: list[AsrResult] = many(*([pcm] if pcm is not None else []))
            results = found or [_EMPTY_PARTIAL if pcm is not None else _EMPTY_FINAL]
        elif pcm is None:
            results = [recognizer.finish()]
        else:
            results = [recognizer.accept(pcm)]
        results = [in_call_time(result, state.offset_s) for result in results]
        heard = [self.pipeline.on_asr(state.role, result) for result in results]
        return results, [event for events in heard for event in events]

    async def _close(self, state: _Channel) -> AsrResult:
        return (await self._results(state, None))[-1]

    async def _switch(self, state: _Channel, phrases: tuple[str, ...] | None) -> None:
        if state.pending:
            await self._recognise(state)
        await self._close(state)
        state.recognizer = await self._call(self.engine.recognizer, state.rate_hz, phrases)
        state.offset_s = state.fed_s
