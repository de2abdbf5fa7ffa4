"""The call runner: every live call of a process, whichever driver feeds it.

Ingress (the vosk-protocol ``/ws/ingest``, AudioSocket, Twilio media
streams, FreeSWITCH mod_audio_fork) attaches a *leg* (one channel role) of
a call here and detaches it when its peer leaves. The first leg starts the
call (or continues it where the event log says it stands, after a restart);
the call ends when its last leg has gone, with that leg's reason. The demo
runs its paced recordings here (:meth:`CallRunner.run_source`) and the IVR
registers its calls (:meth:`CallRunner.adopt`), so an agent's feedback on a
suggestion has one way in: :meth:`CallRunner.feedback` puts it in the
chain and hands it to the call's advisor.

A leg already held by a connection is **refused**, never merged: two
clients' audio in one recogniser would garble both transcripts. The holder
keeps the leg until it hangs up or falls silent for the idle timeout; then
the leg is free again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from assist.calls.feed import CallFeed, Publish
from assist.pipeline import CallPipeline
from assist.store.base import ResumePoint
from ivr import events as ev
from ivr.asr.base import SpeechEngine

# Where a call stands before it is fed (the chain's log; reads the store off the loop).
OpenCall = Callable[[str], Awaitable[ResumePoint]]


class IngestError(ValueError):
    """A client mistake: answered with {"error": ...} and, if fatal, a close."""


class LegTaken(IngestError):
    """The call's leg (call id and role) already has a connection."""


@dataclass
class _Entry:
    call: CallFeed
    legs: set[ev.ChannelRole] = field(default_factory=set)


@dataclass
class CallRunner:
    """The live calls of this process, shared by their legs."""

    engine_for: Callable[[str], SpeechEngine]
    publish: Publish
    executor: ThreadPoolExecutor | None = None
    open_call: OpenCall | None = None
    # wraps each new call's pipeline (serve --record keeps the call's audio this way)
    wrap_pipeline: Callable[[CallPipeline], CallPipeline] | None = None
    _calls: dict[str, _Entry] = field(default_factory=dict)

    async def attach(
        self,
        call_id: str,
        language: str,
        agent_id: str,
        source: str,
        role: ev.ChannelRole = ev.ChannelRole.CUSTOMER,
    ) -> CallFeed:
        """Take one leg of a call, starting (or continuing) the call if it
        is not running. Raises LegTaken, or IngestError for a language that
        differs from the running call's."""
        entry = self._calls.get(call_id)
        if entry is None:
            resume = await self.open_call(call_id) if self.open_call is not None else None
            entry = self._calls.get(call_id)  # another leg may have started it meanwhile
            if entry is None:
                pipeline = CallPipeline.create(call_id, language, agent_id=agent_id, source=source)
                self.start(pipeline, resume=resume)
                entry = self._calls[call_id]
        if entry.call.pipeline.language != language:
            raise IngestError(
                f"call {call_id} is already running in {entry.call.pipeline.language!r}"
            )
        if role in entry.legs:
            raise LegTaken(f"call {call_id} already has a {role.value} connection")
        entry.legs.add(role)
        return entry.call

    def start(self, pipeline: CallPipeline, *, resume: ResumePoint | None = None) -> CallFeed:
        """A new call of this process, fed by its driver (its legs, if any,
        are attached after)."""
        if self.wrap_pipeline is not None:
            pipeline = self.wrap_pipeline(pipeline)
        engine = self.engine_for(pipeline.language)
        call = CallFeed(pipeline, engine, self.publish, self.executor, resume=resume)
        self._calls[pipeline.call_id] = _Entry(call)
        return call

    def adopt(self, call: CallFeed) -> None:
        """A call a driver made itself (an IVR call): feedback reaches it."""
        self._calls[call.pipeline.call_id] = _Entry(call)

    def forget(self, call_id: str) -> None:
        self._calls.pop(call_id, None)

    async def detach(self, call_id: str, role: ev.ChannelRole | None, reason: str) -> None:
        """A leg's peer has gone (``role`` None: every leg); the call ends
        with ``reason`` when no leg is left."""
        entry = self._calls.get(call_id)
        if entry is None:
            return
        if role is None:
            entry.legs.clear()
        else:
            entry.legs.discard(role)
        if not entry.legs:
            del self._calls[call_id]
            await entry.call.end(reason)

    async def run_source(
        self, chunks: AsyncIterator[ev.AudioChunk], pipeline: CallPipeline
    ) -> None:
        """Drive one call from a paced source of chunks to its end (the demo)."""
        call = self.start(pipeline)
        reason = "hangup"
        try:
            async for chunk in chunks:
                call.channel(chunk.role, chunk.rate_hz).feed_chunk(chunk)
        except Exception as exc:
            reason = "error"
            self.publish(ev.Error(pipeline.call_id, "audio-source", str(exc)))
        finally:
            self.forget(pipeline.call_id)
            await call.end(reason)

    def feedback(self, feedback: ev.SuggestionFeedback) -> ev.Event | None:
        """An agent marked a suggestion used or dismissed: into the chain, and
        to the call's advisor if the call runs here."""
        published = self.publish(feedback)
        entry = self._calls.get(feedback.call_id)
        if entry is not None:
            entry.call.on_feedback(feedback)
        return published if isinstance(published, ev.SuggestionFeedback) else None

    def running(self, call_id: str) -> bool:
        return call_id in self._calls

    @property
    def live_call_ids(self) -> list[str]:
        return list(self._calls)
