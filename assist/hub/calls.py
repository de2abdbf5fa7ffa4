"""The call runner: live calls fed by the hub's ingress, one client per leg.

Every ingress (the vosk-protocol ``/ws/ingest``, AudioSocket, Twilio media
streams, FreeSWITCH mod_audio_fork) attaches a *leg* (one channel role) of
a call here and detaches it when its peer leaves. The first leg starts the
call (or continues it where the event log says it stands, after a restart);
the call ends when its last leg has gone, with that leg's reason.

A leg already held by a connection is **refused**, never merged: two
clients' audio in one recogniser would garble both transcripts. The holder
keeps the leg until it hangs up or falls silent for the idle timeout; then
the leg is free again.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from assist.hub.eventlog import EventLog
from assist.live import LiveCall, Publish
from assist.pipeline import CallPipeline
from ivr import events as ev
from ivr.asr.base import SpeechEngine


class IngestError(ValueError):
    """A client mistake: answered with {"error": ...} and, if fatal, a close."""


class LegTaken(IngestError):
    """The call's leg (call id and role) already has a connection."""


@dataclass
class _Entry:
    call: LiveCall
    legs: set[ev.ChannelRole] = field(default_factory=set)


@dataclass
class CallRegistry:
    """The live calls fed through the hub's ingress, shared by their legs."""

    engine_for: Callable[[str], SpeechEngine]
    publish: Publish
    executor: ThreadPoolExecutor | None = None
    log: EventLog | None = None  # where a call stands before it starts (the hub sets it)
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
    ) -> LiveCall:
        """Take one leg of a call, starting (or continuing) the call if it
        is not running. Raises LegTaken, or IngestError for a language that
        differs from the running call's."""
        entry = self._calls.get(call_id)
        if entry is None:
            resume = await self.log.open_call(call_id) if self.log is not None else None
            entry = self._calls.get(call_id)  # another leg may have started it meanwhile
            if entry is None:
                engine = self.engine_for(language)
                pipeline = CallPipeline.create(call_id, language, agent_id=agent_id, source=source)
                if self.wrap_pipeline is not None:
                    pipeline = self.wrap_pipeline(pipeline)
                call = LiveCall(pipeline, engine, self.publish, self.executor, resume=resume)
                entry = self._calls[call_id] = _Entry(call)
        if entry.call.pipeline.language != language:
            raise IngestError(
                f"call {call_id} is already running in {entry.call.pipeline.language!r}"
            )
        if role in entry.legs:
            raise LegTaken(f"call {call_id} already has a {role.value} connection")
        entry.legs.add(role)
        return entry.call

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

    def on_feedback(self, feedback: ev.SuggestionFeedback) -> None:
        entry = self._calls.get(feedback.call_id)
        if entry is not None:
            entry.call.pipeline.on_feedback(feedback)

    def running(self, call_id: str) -> bool:
        return call_id in self._calls

    @property
    def live_call_ids(self) -> list[str]:
        return list(self._calls)
