"""A readable live log of call events for a person watching a terminal.

Events reach the log a little out of their time order: a final transcript
is stamped with the end of its last word but arrives after the recogniser's
end-of-utterance silence, and several calls' recognisers run in parallel.
With ``reorder_s`` set (the demo, whose calls all start together), lines
are held until the log has seen events that much later, then printed in
time order; :meth:`ConsoleLog.flush` prints what is held.
"""

from __future__ import annotations

import heapq
import itertools
import sys
from dataclasses import dataclass, field
from typing import TextIO

from ivr import events as ev

_RANK = {ev.AngerLevel.CALM: 0, ev.AngerLevel.TENSE: 1, ev.AngerLevel.ANGRY: 2}


@dataclass
class ConsoleLog:
    out: TextIO | None = None  # None: sys.stdout at the time of printing
    show_partials: bool = False
    reorder_s: float | None = None  # hold lines this long (audio time) to print them in order
    _levels: dict[str, ev.AngerLevel] = field(default_factory=dict)
    _held: list[tuple[float, bool, int, str]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)
    _now_s: float = 0.0

    def __call__(self, event: ev.Event) -> None:
        line = self.format(event)
        at_s = getattr(event, "at_s", None)
        if self.reorder_s is None or at_s is None:
            if line:
                self._print(line)
            return
        if line:
            # A call's end comes after its other lines of the same instant.
            ended = isinstance(event, ev.CallEnded)
            heapq.heappush(self._held, (at_s, ended, next(self._order), line))
        self._now_s = max(self._now_s, at_s)
        while self._held and self._held[0][0] <= self._now_s - self.reorder_s:
            self._print(heapq.heappop(self._held)[-1])

    def flush(self) -> None:
        """Print every held line, in time order."""
        while self._held:
            self._print(heapq.heappop(self._held)[-1])

    def _print(self, line: str) -> None:
        print(line, file=self.out or sys.stdout, flush=True)

    def format(self, event: ev.Event) -> str | None:
        t = f"{getattr(event, 'at_s', 0.0):6.1f}s"
        who = f"{event.call_id:<16}"
        match event:
            case ev.CallStarted():
                return f"{'':7} {who} call started ({event.language}, {event.source})"
            case ev.TranscriptFinal():
                return f"{t} {who} {event.role.value:>8}: {event.text}"
            case ev.TranscriptPartial() if self.show_partials:
                return f"{t} {who} {event.role.value:>8}~ {event.text}"
            case ev.AngerUpdate():
                previous = self._levels.get(event.call_id, ev.AngerLevel.CALM)
                self._levels[event.call_id] = event.level
                if event.level == previous:
                    return None
                reasons = "; ".join(
                    r.text for r in sorted(event.reasons, key=lambda r: -r.weight)[:3]
                )
                change = f"{previous.value} -> {event.level.value}"
                state = f"({event.score:.2f}, {_shown_trend(previous, event).value})"
                return f"{t} {who} ANGER {change} {state}: {reasons}"
            case ev.CallFlagged():
                return f"{t} {who} FLAG {event.level.value}: {event.reason}"
            case ev.Suggestion():
                return f"{t} {who} SUGGEST [{event.kind.value}/{event.principle}] {event.text}"
            case ev.SuggestionFeedback():
                return f"{t} {who} agent marked {event.suggestion_id} {event.verdict.value}"
            case ev.IvrAction():
                return f"{t} {who} IVR {event.action} {event.node}: {_ivr_detail(event)}"
            case ev.CallEnded():
                return f"{t} {who} call ended ({event.reason})"
            case ev.Error():
                return f"{'':7} {who} ERROR {event.code}: {event.message}"
        return None


def _shown_trend(previous: ev.AngerLevel, update: ev.AngerUpdate) -> ev.Trend:
    """The trend beside a level change: a jump up is rising and a drop is
    falling, whatever the slower trend tracker says at that instant."""
    step = _RANK[update.level] - _RANK[previous]
    if step > 0:
        return ev.Trend.RISING
    if step < 0:
        return ev.Trend.FALLING
    return update.trend


IVR_DETAIL_KEYS = ("text", "queue", "priority", "reason", "path", "seat")


def _ivr_detail(event: ev.IvrAction) -> str:
    return ", ".join(f"{k}={event.detail[k]}" for k in IVR_DETAIL_KEYS if event.detail.get(k))
