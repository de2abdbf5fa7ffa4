"""What followed each suggestion, for QA: a pure function over a call's
recorded events (or several calls' events mixed).

For every :class:`~ivr.events.Suggestion` it reports the anger score when
it was shown, the score about ``window_s`` later (both read from the
:class:`~ivr.events.AngerUpdate` events: the score at a moment is that of the
last update at or before it), whether it fell, the agent's reaction and how
the card left the screen.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from assist.advisor.screen import MAX_CARDS, replay_screen
from ivr import events as ev


@dataclass(frozen=True)
class Outcome:
    call_id: str
    suggestion_id: str
    kind: ev.SuggestionKind
    trigger: str
    principle: str
    at_s: float
    score_at: float | None  # None: no anger update yet at that moment
    level_at: ev.AngerLevel | None
    score_after: float | None  # None: nothing known after the suggestion
    after_at_s: float | None  # the moment score_after describes (earlier than
    # at_s + window_s when the call or the recording ended first)
    fell: bool | None  # score_after below score_at by at least min_drop
    reaction: ev.Verdict | None  # the agent's first reaction, if any
    reaction_at_s: float | None
    left_screen: str | None  # used | dismissed | superseded | None (still showing)


_TIMED = (
    ev.TranscriptPartial,
    ev.TranscriptFinal,
    ev.ProsodyFrame,
    ev.AngerUpdate,
    ev.Suggestion,
    ev.SuggestionFeedback,
    ev.CallEnded,
    ev.CallFlagged,
    ev.IvrAction,
)


def suggestion_outcomes(
    events: Sequence[ev.Event],
    window_s: float = 10.0,
    *,
    min_drop: float = 0.02,
    max_cards: int = MAX_CARDS,
) -> list[Outcome]:
    """One outcome per suggestion, in event order."""
    if window_s <= 0:
        raise ValueError("window_s must be positive")
    updates: dict[str, list[ev.AngerUpdate]] = {}
    known_until: dict[str, float] = {}
    ended: dict[str, float] = {}
    reactions: dict[tuple[str, str], ev.SuggestionFeedback] = {}
    for event in events:
        if isinstance(event, _TIMED):
            known_until[event.call_id] = max(known_until.get(event.call_id, 0.0), event.at_s)
        if isinstance(event, ev.AudioChunk):
            known_until[event.call_id] = max(known_until.get(event.call_id, 0.0), event.end_s)
        if isinstance(event, ev.AngerUpdate):
            updates.setdefault(event.call_id, []).append(event)
        elif isinstance(event, ev.CallEnded):
            ended[event.call_id] = event.at_s
        elif isinstance(event, ev.SuggestionFeedback):
            reactions.setdefault((event.call_id, event.suggestion_id), event)
    for call_updates in updates.values():
        call_updates.sort(key=lambda u: u.at_s)  # stable: same-time updates keep their order
    times = {call: [u.at_s for u in call_updates] for call, call_updates in updates.items()}

    def state_at(call_id: str, at_s: float) -> ev.AngerUpdate | None:
        index = bisect.bisect_right(times.get(call_id, []), at_s + 1e-9) - 1
        return updates[call_id][index] if index >= 0 else None

    out: list[Outcome] = []
    for life in replay_screen(events, max_cards):
        s = life.suggestion
        before = state_at(s.call_id, s.at_s)
        end_s = ended.get(s.call_id, known_until.get(s.call_id, s.at_s))
        after_at_s = min(s.at_s + window_s, end_s)
        after = state_at(s.call_id, after_at_s) if after_at_s > s.at_s else None
        fell = None
        if before is not None and after is not None:
            fell = after.score <= before.score - min_drop
        reaction = reactions.get((s.call_id, s.suggestion_id))
        out.append(
            Outcome(
                call_id=s.call_id,
                suggestion_id=s.suggestion_id,
                kind=s.kind,
                trigger=s.trigger,
                principle=s.principle,
                at_s=s.at_s,
                score_at=None if before is None else before.score,
                level_at=None if before is None else before.level,
                score_after=None if after is None else after.score,
                after_at_s=None if after is None else after_at_s,
                fell=fell,
                reaction=None if reaction is None else reaction.verdict,
                reaction_at_s=None if reaction is None else reaction.at_s,
                left_screen=life.left,
            )
        )
    return out
