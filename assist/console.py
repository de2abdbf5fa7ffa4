"""A readable live log of call events for a person watching a terminal."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

from ivr import events as ev


@dataclass
class ConsoleLog:
    out: TextIO | None = None  # None: sys.stdout at the time of printing
    show_partials: bool = False
    _levels: dict[str, ev.AngerLevel] = field(default_factory=dict)

    def __call__(self, event: ev.Event) -> None:
        line = self.format(event)
        if line:
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
                state = f"({event.score:.2f}, {event.trend.value})"
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


IVR_DETAIL_KEYS = ("text", "queue", "priority", "reason", "path", "seat")


def _ivr_detail(event: ev.IvrAction) -> str:
    return ", ".join(f"{k}={event.detail[k]}" for k in IVR_DETAIL_KEYS if event.detail.get(k))
