"""What the store derives from events, as plain rows: the per-call summary
(who, language, ended, peak anger, first flag) and the transcript's word
index. Pure functions, shared by writing and by migrations that backfill."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ivr import events as ev

LEVEL_RANK: dict[ev.AngerLevel, int] = {
    ev.AngerLevel.CALM: 0,
    ev.AngerLevel.TENSE: 1,
    ev.AngerLevel.ANGRY: 2,
}

WordRow = tuple[str, int, int, str, str, float, float, float]
"""(call_id, seq, index in the utterance, role, word, start_s, end_s, conf)"""


@dataclass
class CallDelta:
    """How a batch of one call's events changes its summary row (None: unchanged)."""

    call_id: str
    language: str | None = None
    agent_id: str | None = None
    source: str | None = None
    ended: bool | None = None
    duration_s: float | None = None
    last_seq: int = 0
    peak_score: float = 0.0
    peak_level: ev.AngerLevel = ev.AngerLevel.CALM
    first_flag_s: float | None = None
    flagged: bool = False

    def add(self, event: ev.Event) -> None:
        self.last_seq = max(self.last_seq, event.seq)
        if isinstance(event, ev.CallStarted):
            self.language, self.agent_id, self.source = event.language, event.agent_id, event.source
            self.ended = False
        elif isinstance(event, ev.CallEnded):
            self.ended, self.duration_s = True, event.at_s
        elif isinstance(event, ev.AngerUpdate):
            self.peak_score = max(self.peak_score, event.score)
            if LEVEL_RANK[event.level] > LEVEL_RANK[self.peak_level]:
                self.peak_level = event.level
        elif isinstance(event, ev.CallFlagged):
            self.flagged = True
            if self.first_flag_s is None:
                self.first_flag_s = event.at_s


def call_deltas(events: Iterable[ev.Event]) -> dict[str, CallDelta]:
    """One delta per call, in order of first appearance."""
    deltas: dict[str, CallDelta] = {}
    for event in events:
        delta = deltas.get(event.call_id)
        if delta is None:
            delta = deltas[event.call_id] = CallDelta(event.call_id)
        delta.add(event)
    return deltas


def word_rows(event: ev.Event) -> list[WordRow]:
    """The word index rows of a final transcript (none for other events).
    Words are stored lower-cased, as searched."""
    if not isinstance(event, ev.TranscriptFinal):
        return []
    return [
        (
            event.call_id,
            event.seq,
            index,
            event.role.value,
            word.word.lower(),
            word.start_s,
            word.end_s,
            word.conf,
        )
        for index, word in enumerate(event.words)
    ]
