"""One call's decision pipeline, free of I/O: audio chunks and recognition
results in, screen events out.

The live server, the demo, ``analyze`` and QA replay are all drivers around
this one class, so a recording replays exactly as it ran live.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assist.advisor import Advisor
from assist.anger import AngerConfig, AngerCore
from assist.anger.pitch import ANALYSIS_RATE_HZ, PitchSettings
from assist.anger.prosody import BATCH_FRAMES
from ivr import events as ev
from ivr.asr.base import AsrResult

_LEVEL_RANK = {ev.AngerLevel.CALM: 0, ev.AngerLevel.TENSE: 1, ev.AngerLevel.ANGRY: 2}


def analysis_batch_samples(rate_hz: int) -> int:
    """The anger core analyses a channel's audio once this many samples (0.4 s)
    have come in since it last did. Chunks joined so that each ends where
    that happens give the same events as the 20 ms chunks they are made of,
    so a driver that has a whole client message at once feeds it in one or
    two pipeline passes instead of one per 20 ms."""
    return round(BATCH_FRAMES * PitchSettings().hop / ANALYSIS_RATE_HZ * rate_hz)


@dataclass
class CallPipeline:
    call_id: str
    language: str
    anger: AngerCore
    advisor: Advisor
    agent_id: str = ""
    source: str = ""
    _last_partial: dict[ev.ChannelRole, str] = field(default_factory=dict)
    _level: ev.AngerLevel = ev.AngerLevel.CALM
    _audio_s: float = 0.0

    @classmethod
    def create(
        cls,
        call_id: str,
        language: str,
        *,
        agent_id: str = "",
        source: str = "",
        anger_config: AngerConfig | None = None,
    ) -> CallPipeline:
        return cls(
            call_id,
            language,
            AngerCore(call_id, language, config=anger_config),
            Advisor(call_id, language),
            agent_id=agent_id,
            source=source,
        )

    def start(self) -> list[ev.Event]:
        return [ev.CallStarted(self.call_id, self.language, self.agent_id, self.source)]

    def on_audio(self, chunk: ev.AudioChunk) -> list[ev.Event]:
        self._audio_s = max(self._audio_s, chunk.end_s)
        return self._react(self.anger.feed_audio(chunk))

    def on_asr(self, role: ev.ChannelRole, result: AsrResult) -> list[ev.Event]:
        """Turn a recogniser result into transcript events and what follows from them."""
        if result.final:
            self._last_partial.pop(role, None)
            if result.empty:
                return []
            event: ev.Event = ev.TranscriptFinal(
                self.call_id, role, result.text, result.words, at_s=self._at(result)
            )
        else:
            if result.empty or self._last_partial.get(role) == result.text:
                return []  # unchanged partials are not news
            self._last_partial[role] = result.text
            event = ev.TranscriptPartial(
                self.call_id, role, result.text, result.words, at_s=self._at(result)
            )
        out: list[ev.Event] = [event]
        # The advisor hears the words before the anger they cause: a phrase's
        # premise ("the router") may be in the same utterance as its trigger.
        warnings = self.advisor.on_transcript(event)
        out += self._react(self.anger.feed_transcript(event))
        return out + warnings

    def on_feedback(self, feedback: ev.SuggestionFeedback) -> None:
        self.advisor.on_feedback(feedback)

    def end(self, reason: str = "hangup") -> list[ev.Event]:
        """Analyse what audio the core still holds, then close the call."""
        return [*self._react(self.anger.flush()), ev.CallEnded(self.call_id, self._audio_s, reason)]

    def _at(self, result: AsrResult) -> float:
        return result.words[-1].end_s if result.words else self._audio_s

    def _react(self, events: list[ev.Event]) -> list[ev.Event]:
        out = list(events)
        for event in events:
            if isinstance(event, ev.ProsodyFrame):
                out += self.advisor.on_prosody(event)  # the agent's own voice and talk-over
                continue
            if not isinstance(event, ev.AngerUpdate):
                continue
            if _LEVEL_RANK[event.level] > _LEVEL_RANK[self._level]:
                top = max(event.reasons, key=lambda r: r.weight).text if event.reasons else ""
                out.append(ev.CallFlagged(self.call_id, event.at_s, event.level, top))
            self._level = event.level
            out += self.advisor.on_anger(event)
        return out
