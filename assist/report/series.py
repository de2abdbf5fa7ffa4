"""What a call's charts draw, pulled out of its events (pure): the anger
score and levels, loudness and pitch per channel, who was talking when,
and when the two talked at once."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from assist.report.metrics import level_spans
from ivr import events as ev

Span = tuple[float, float]

_DEFAULT_BLOCK_S = 0.1  # one ProsodyFrame per 100 ms of a channel


@dataclass(frozen=True)
class CallSeries:
    duration_s: float
    anger: list[ev.AngerUpdate]
    levels: list[tuple[float, float, ev.AngerLevel]]
    prosody: dict[ev.ChannelRole, list[ev.ProsodyFrame]]
    talking: dict[ev.ChannelRole, list[Span]]  # voiced stretches per channel
    overlap: list[Span]  # both channels voiced at once
    talk_over_cue: list[Span]  # while the anger core counted the customer talking over
    flags: list[ev.CallFlagged]
    suggestions: list[ev.Suggestion]


def block_s(frames: Sequence[ev.ProsodyFrame]) -> float:
    """The spacing of a channel's prosody frames (their audio block)."""
    gaps = [b.at_s - a.at_s for a, b in itertools.pairwise(frames) if b.at_s > a.at_s]
    return statistics.median(gaps) if gaps else _DEFAULT_BLOCK_S


def merge_spans(spans: Sequence[Span], join_gap_s: float = 1e-6) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + join_gap_s:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def voiced_spans(frames: Sequence[ev.ProsodyFrame]) -> list[Span]:
    size = block_s(frames)
    return merge_spans([(max(0.0, f.at_s - size), f.at_s) for f in frames if f.voiced])


def intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if end > start:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _talk_over_cue(updates: Sequence[ev.AngerUpdate], duration_s: float) -> list[Span]:
    spans = []
    for index, update in enumerate(updates):
        if any(r.kind == "talk_over" for r in update.reasons):
            end = updates[index + 1].at_s if index + 1 < len(updates) else duration_s
            spans.append((update.at_s, max(end, update.at_s)))
    return merge_spans(spans)


def call_series(events: Sequence[ev.Event], duration_s: float) -> CallSeries:
    anger = sorted((e for e in events if isinstance(e, ev.AngerUpdate)), key=lambda u: u.at_s)
    prosody: dict[ev.ChannelRole, list[ev.ProsodyFrame]] = {}
    for e in events:
        if isinstance(e, ev.ProsodyFrame):
            prosody.setdefault(e.role, []).append(e)
    for frames in prosody.values():
        frames.sort(key=lambda f: f.at_s)
    talking = {role: voiced_spans(frames) for role, frames in prosody.items()}
    overlap = intersect(
        talking.get(ev.ChannelRole.CUSTOMER, []), talking.get(ev.ChannelRole.AGENT, [])
    )
    return CallSeries(
        duration_s=duration_s,
        anger=anger,
        levels=level_spans(anger, duration_s),
        prosody=prosody,
        talking=talking,
        overlap=overlap,
        talk_over_cue=_talk_over_cue(anger, duration_s),
        flags=[e for e in events if isinstance(e, ev.CallFlagged)],
        suggestions=[e for e in events if isinstance(e, ev.Suggestion)],
    )
