"""Summaries of a call's anger timeline, for ``analyze`` and reports."""

from __future__ import annotations

from typing import Any

from assist.offline import CallRun
from ivr import events as ev
from ivr import wire


def first_time_at(updates: list[ev.AngerUpdate], level: ev.AngerLevel) -> float | None:
    rank = {ev.AngerLevel.CALM: 0, ev.AngerLevel.TENSE: 1, ev.AngerLevel.ANGRY: 2}
    for update in updates:
        if rank[update.level] >= rank[level]:
            return update.at_s
    return None


def top_reasons(updates: list[ev.AngerUpdate], limit: int = 5) -> list[dict[str, Any]]:
    """Reasons ranked by their strongest contribution anywhere in the call:
    each keyword once, each voice cue (whose text carries its changing
    figure) once, at its strongest."""
    best: dict[str, ev.AngerReason] = {}
    for update in updates:
        for reason in update.reasons:
            key = reason.text if reason.kind.startswith("keyword") else reason.kind
            if key not in best or reason.weight > best[key].weight:
                best[key] = reason
    ranked = sorted(best.values(), key=lambda r: -r.weight)[:limit]
    return [{"kind": r.kind, "text": r.text, "weight": round(r.weight, 3)} for r in ranked]


def summarise(run: CallRun) -> dict[str, Any]:
    updates = [e for e in run.events if isinstance(e, ev.AngerUpdate)]
    peak = max(updates, key=lambda u: u.score, default=None)
    finals = [e for e in run.events if isinstance(e, ev.TranscriptFinal)]
    return {
        "file": str(run.path),
        "call_id": run.call_id,
        "duration_s": round(run.duration_s, 3),
        "peak_score": round(peak.score, 3) if peak else 0.0,
        "peak_level": peak.level.value if peak else ev.AngerLevel.CALM.value,
        "peak_at_s": round(peak.at_s, 3) if peak else None,
        "first_tense_s": first_time_at(updates, ev.AngerLevel.TENSE),
        "first_angry_s": first_time_at(updates, ev.AngerLevel.ANGRY),
        "top_reasons": top_reasons(updates),
        "transcript": [{"role": f.role.value, "at_s": f.at_s, "text": f.text} for f in finals],
        "suggestions": [wire.to_dict(e) for e in run.events if isinstance(e, ev.Suggestion)],
    }


def timeline(run: CallRun) -> list[dict[str, Any]]:
    return [wire.to_dict(e) for e in run.events if isinstance(e, ev.AngerUpdate)]


def format_summary(summary: dict[str, Any]) -> str:
    def t(value: float | None) -> str:
        return "never" if value is None else f"{value:.1f} s"

    lines = [
        f"{summary['file']}",
        f"  duration {summary['duration_s']:.1f} s; peak {summary['peak_level']} "
        f"({summary['peak_score']:.2f}) at {t(summary['peak_at_s'])}",
        f"  first tense: {t(summary['first_tense_s'])}; first angry: {t(summary['first_angry_s'])}",
    ]
    for reason in summary["top_reasons"]:
        lines.append(f"  - {reason['text']} ({reason['weight']:.2f})")
    return "\n".join(lines)
