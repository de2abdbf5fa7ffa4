"""The figures QA sorts calls by, from one call's events (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assist.advisor.outcomes import Outcome
from assist.analysis import top_reasons
from assist.store.derive import LEVEL_RANK
from ivr import events as ev


@dataclass(frozen=True)
class CallMetrics:
    call_id: str
    language: str
    agent_id: str
    source: str
    duration_s: float
    peak_score: float
    peak_level: ev.AngerLevel  # the highest level reached
    peak_at_s: float | None
    first_flag_s: float | None  # first CallFlagged (tense or angry)
    first_angry_s: float | None
    angry_share: float  # share of the call's duration spent at level angry
    tense_or_angry_share: float
    agent_warnings: int  # Suggestion events of kind warning
    suggestions: int  # phrases and cues shown to the agent
    suggestions_followed_by_fall: int  # of those, how many saw anger fall within the window
    top_reason: str

    def as_row(self) -> dict[str, Any]:
        """Flat, JSON- and CSV-friendly."""
        return {
            "call_id": self.call_id,
            "language": self.language,
            "agent_id": self.agent_id,
            "source": self.source,
            "duration_s": round(self.duration_s, 3),
            "peak_score": round(self.peak_score, 3),
            "peak_level": self.peak_level.value,
            "peak_at_s": _r(self.peak_at_s),
            "first_flag_s": _r(self.first_flag_s),
            "first_angry_s": _r(self.first_angry_s),
            "angry_share": round(self.angry_share, 4),
            "tense_or_angry_share": round(self.tense_or_angry_share, 4),
            "agent_warnings": self.agent_warnings,
            "suggestions": self.suggestions,
            "suggestions_followed_by_fall": self.suggestions_followed_by_fall,
            "top_reason": self.top_reason,
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def level_spans(
    updates: Sequence[ev.AngerUpdate], duration_s: float
) -> list[tuple[float, float, ev.AngerLevel]]:
    """The call as (start_s, end_s, level) spans: calm until the first update,
    then each update's level until the next one (or the end of the call)."""
    spans: list[tuple[float, float, ev.AngerLevel]] = []
    at_s, level = 0.0, ev.AngerLevel.CALM
    for update in sorted(updates, key=lambda u: u.at_s):
        start = min(max(update.at_s, 0.0), duration_s)
        if start > at_s:
            spans.append((at_s, start, level))
        at_s, level = max(at_s, start), update.level
    if duration_s > at_s:
        spans.append((at_s, duration_s, level))
    merged: list[tuple[float, float, ev.AngerLevel]] = []
    for span in spans:
        if merged and merged[-1][2] is span[2] and merged[-1][1] == span[0]:
            merged[-1] = (merged[-1][0], span[1], span[2])
        else:
            merged.append(span)
    return merged


def call_metrics(
    events: Sequence[ev.Event],
    duration_s: float,
    outcomes: Sequence[Outcome] = (),
    *,
    call_id: str = "",
) -> CallMetrics:
    started = next((e for e in events if isinstance(e, ev.CallStarted)), None)
    updates = [e for e in events if isinstance(e, ev.AngerUpdate)]
    flags = [e for e in events if isinstance(e, ev.CallFlagged)]
    suggestions = [e for e in events if isinstance(e, ev.Suggestion)]
    peak = max(updates, key=lambda u: u.score, default=None)
    peak_level = max((u.level for u in updates), key=LEVEL_RANK.__getitem__, default=None)
    spans = level_spans(updates, duration_s)
    angry_s = sum(b - a for a, b, level in spans if level is ev.AngerLevel.ANGRY)
    raised_s = sum(b - a for a, b, level in spans if level is not ev.AngerLevel.CALM)
    first_angry = next((u.at_s for u in updates if u.level is ev.AngerLevel.ANGRY), None)
    reasons = top_reasons(updates, limit=1)
    shown = [s for s in suggestions if s.kind is not ev.SuggestionKind.WARNING]
    shown_ids = {s.suggestion_id for s in shown}
    return CallMetrics(
        call_id=call_id or (started.call_id if started else (events[0].call_id if events else "")),
        language=started.language if started else "",
        agent_id=started.agent_id if started else "",
        source=started.source if started else "",
        duration_s=duration_s,
        peak_score=peak.score if peak else 0.0,
        peak_level=peak_level or ev.AngerLevel.CALM,
        peak_at_s=peak.at_s if peak else None,
        first_flag_s=flags[0].at_s if flags else None,
        first_angry_s=first_angry,
        angry_share=angry_s / duration_s if duration_s > 0 else 0.0,
        tense_or_angry_share=raised_s / duration_s if duration_s > 0 else 0.0,
        agent_warnings=len(suggestions) - len(shown),
        suggestions=len(shown),
        suggestions_followed_by_fall=sum(
            1 for o in outcomes if o.suggestion_id in shown_ids and o.fell
        ),
        top_reason=reasons[0]["text"] if reasons else "",
    )
