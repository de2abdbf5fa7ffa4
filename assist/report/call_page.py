"""One call's HTML report: figures first, then the charts on one time axis
(anger with its levels, loudness, pitch, who talked when), the suggestions
with what followed them, and the transcript with the trigger words marked.
Self-contained: inline CSS, JS and SVG; every text from the call is escaped."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from assist.advisor.outcomes import Outcome, suggestion_outcomes
from assist.analysis import top_reasons
from assist.anger.config import load_anger_config
from assist.report.assets import CALL_JS, CSS
from assist.report.metrics import CallMetrics, call_metrics
from assist.report.series import CallSeries, call_series
from assist.report.svg import TimeChart, clock
from assist.report.transcript import Line, transcript_lines
from ivr import events as ev

OUTCOME_WINDOW_S = 10.0
_ROLE_LABEL = {ev.ChannelRole.CUSTOMER: "customer", ev.ChannelRole.AGENT: "agent"}


@dataclass(frozen=True)
class CallView:
    """Everything one report page shows, computed once."""

    call_id: str
    file_label: str
    duration_s: float
    events: Sequence[ev.Event]
    metrics: CallMetrics
    series: CallSeries
    outcomes: list[Outcome]
    lines: list[Line]


def call_view(
    call_id: str, events: Sequence[ev.Event], duration_s: float, file_label: str = ""
) -> CallView:
    outcomes = suggestion_outcomes(events, OUTCOME_WINDOW_S)
    metrics = call_metrics(events, duration_s, outcomes, call_id=call_id)
    return CallView(
        call_id=call_id,
        file_label=file_label,
        duration_s=duration_s,
        events=events,
        metrics=metrics,
        series=call_series(events, duration_s),
        outcomes=outcomes,
        lines=transcript_lines(events, metrics.language),
    )


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{clock(value)}"


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _chip(level: ev.AngerLevel) -> str:
    return f'<span class="chip {level.value}">{level.value}</span>'


# -------------------------------------------------------------------- figures


def _kpis(view: CallView) -> str:
    m = view.metrics
    tiles = [
        (
            "Peak anger",
            f"{m.peak_score:.2f} {_chip(m.peak_level)}",
            f"at {clock(m.peak_at_s)}" if m.peak_at_s is not None else "no anger update",
        ),
        (
            "First flag",
            _seconds(m.first_flag_s),
            f"angry from {clock(m.first_angry_s)}"
            if m.first_angry_s is not None
            else "never angry",
        ),
        (
            "Time angry",
            _percent(m.angry_share),
            f"tense or angry {_percent(m.tense_or_angry_share)}",
        ),
        ("Agent warnings", str(m.agent_warnings), "what the agent said or how"),
        (
            "Suggestions",
            str(m.suggestions),
            f"anger fell after {m.suggestions_followed_by_fall}" if m.suggestions else "none shown",
        ),
        ("Duration", clock(m.duration_s), f"{m.duration_s:.1f} s of audio"),
    ]
    return (
        '<section class="kpis">'
        + "".join(
            f'<div class="card kpi"><div class="label">{escape(label)}</div>'
            f'<div class="value">{value}</div><div class="note">{escape(note)}</div></div>'
            for label, value, note in tiles
        )
        + "</section>"
    )


# --------------------------------------------------------------------- charts


def _suggestion_markers(chart: TimeChart, view: CallView) -> None:
    for n, s in enumerate(view.series.suggestions, start=1):
        warning = s.kind is ev.SuggestionKind.WARNING
        chart.marker(
            s.at_s,
            str(n),
            "suggestion warning" if warning else "suggestion",
            f"{n}. {clock(s.at_s)} {s.kind.value}: {s.text}",
            href=f"#s-{n}",
        )


def _anger_chart(view: CallView) -> str:
    levels = load_anger_config().levels
    chart = TimeChart(view.duration_s, 0.0, 1.0, height=190)
    chart.hband(0.0, levels.tense_enter, "band-calm", "calm")
    chart.hband(levels.tense_enter, levels.angry_enter, "band-tense", "tense")
    chart.hband(levels.angry_enter, 1.0, "band-angry", "angry")
    chart.axes([0.0, 0.25, 0.5, 0.75, 1.0], lambda v: f"{v:.2f}", "anger score")
    for start, end, level in view.series.levels:
        chart.vspan(
            start,
            end,
            f"lvl-{level.value}",
            f"{level.value} {clock(start)}-{clock(end)}",
            y0=0.0,
            y1=0.03,
        )
    chart.line([(u.at_s, u.score) for u in view.series.anger], "score", step=True)
    for flag in view.series.flags:
        chart.marker(
            flag.at_s,
            "!",
            f"flag {flag.level.value}",
            f"flagged {flag.level.value} at {clock(flag.at_s)}: {flag.reason}",
            at_bottom=True,
        )
    _suggestion_markers(chart, view)
    return chart.render("chart-anger", "anger score over the call, with its levels")


def _range(values: list[float], floor: float, ceiling: float, pad: float) -> tuple[float, float]:
    if not values:
        return floor, ceiling
    return max(floor, min(values) - pad), min(ceiling, max(values) + pad)


def _loudness_chart(view: CallView) -> str:
    frames = view.series.prosody
    # Scaled to speech; silence sits on the floor of the chart.
    voiced = [f.loudness_db for fs in frames.values() for f in fs if f.voiced]
    y0, y1 = _range(
        voiced or [f.loudness_db for fs in frames.values() for f in fs], -120.0, 20.0, 10.0
    )
    chart = TimeChart(view.duration_s, y0, y1)
    chart.axes(_ticks(y0, y1), lambda v: f"{v:.0f}", "loudness dB")
    for role, fs in frames.items():
        chart.line([(f.at_s, f.loudness_db) for f in fs], f"{_ROLE_LABEL[role]}-line")
    return chart.render("chart-loudness", "loudness per channel")


def _pitch_chart(view: CallView) -> str:
    frames = view.series.prosody
    values = [f.f0_hz for fs in frames.values() for f in fs if f.f0_hz is not None]
    y0, y1 = _range(values, 40.0, 800.0, 20.0)
    chart = TimeChart(view.duration_s, y0, y1)
    chart.axes(_ticks(y0, y1), lambda v: f"{v:.0f}", "pitch Hz")
    for role, fs in frames.items():
        chart.dots(
            [(f.at_s, f.f0_hz) for f in fs if f.f0_hz is not None], f"{_ROLE_LABEL[role]}-dots"
        )
    return chart.render("chart-pitch", "pitch per channel (voiced speech)")


def _talk_chart(view: CallView) -> str:
    s = view.series
    chart = TimeChart(view.duration_s, 0.0, 1.0, height=96)
    chart.axes([0.25, 0.75], lambda v: "agent" if v < 0.5 else "customer", "")
    for start, end in s.overlap:
        chart.vspan(start, end, "overlap", f"both talking {clock(start)}-{clock(end)}")
    for start, end in s.talk_over_cue:
        chart.vspan(
            start,
            end,
            "talk-over",
            f"customer talking over the agent (anger cue) {clock(start)}-{clock(end)}",
            y0=0.46,
            y1=0.54,
        )
    lanes = {ev.ChannelRole.CUSTOMER: (0.58, 0.92), ev.ChannelRole.AGENT: (0.08, 0.42)}
    for role, spans in s.talking.items():
        low, high = lanes[role]
        for start, end in spans:
            chart.vspan(start, end, f"talk-{_ROLE_LABEL[role]}", y0=low, y1=high)
    return chart.render("chart-talk", "who is talking, and talking at once")


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    raw = (high - low) / count
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if s >= raw), 1000)
    first = -(-low // step) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(value)
        value += step
    return ticks


# ---------------------------------------------------------------- suggestions


def _fell(outcome: Outcome | None) -> str:
    if outcome is None or outcome.fell is None:
        return '<span class="unknown" title="nothing known after it">-</span>'
    if outcome.fell:
        return '<span class="fell">fell</span>'
    return '<span class="rose">did not fall</span>'


def _score_change(outcome: Outcome | None) -> str:
    if outcome is None or outcome.score_at is None:
        return "-"
    after = "-" if outcome.score_after is None else f"{outcome.score_after:.2f}"
    return f"{outcome.score_at:.2f} &rarr; {after}"


def _suggestions(view: CallView) -> str:
    if not view.series.suggestions:
        return '<p class="empty">No suggestions were shown during this call.</p>'
    by_id = {o.suggestion_id: o for o in view.outcomes}
    rows = []
    for n, s in enumerate(view.series.suggestions, start=1):
        o = by_id.get(s.suggestion_id)
        reaction = o.reaction.value if o is not None and o.reaction is not None else ""
        left = o.left_screen if o is not None and o.left_screen else "still showing"
        rows.append(
            f'<tr id="s-{n}"><td class="num">{n}</td><td class="num">{clock(s.at_s)}</td>'
            f"<td>{escape(s.kind.value)}</td><td>{escape(s.text)}</td>"
            f"<td>{escape(s.principle)}</td><td>{escape(s.trigger)}</td>"
            f'<td class="num">{_score_change(o)}</td><td>{_fell(o)}</td>'
            f'<td>{escape(reaction or "none")} <span class="unknown">({escape(left)})</span></td>'
            "</tr>"
        )
    return (
        '<table><thead><tr><th class="num">#</th><th class="num">at</th><th>kind</th>'
        "<th>suggestion</th><th>principle</th><th>trigger</th>"
        f'<th class="num">score then &rarr; {OUTCOME_WINDOW_S:.0f} s later</th><th>anger</th>'
        "<th>agent's reaction</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


# ----------------------------------------------------------------- transcript


def _transcript(view: CallView) -> str:
    if not view.lines:
        return '<p class="empty">No words were recognised in this call.</p>'
    items = []
    for line in view.lines:
        words = []
        for w in line.words:
            text = escape(w.word)
            if w.trigger:
                words.append(f'<mark class="trigger" title="{escape(w.trigger)}">{text}</mark>')
            elif w.conf < 0.5:
                words.append(f'<span class="low" title="low confidence">{text}</span>')
            else:
                words.append(text)
        note = (
            f'<span class="warning-note">warning: {escape(line.warning)}</span>'
            if line.warning
            else ""
        )
        role = _ROLE_LABEL[line.role]
        items.append(
            f'<li class="{role}" data-t="{line.start_s:.3f}"><span class="t">'
            f'{clock(line.start_s)}</span><span class="who">{role}</span>'
            f'<span class="words">{" ".join(words)}{note}</span></li>'
        )
    return '<ol class="transcript">' + "".join(items) + "</ol>"


def _reasons(view: CallView) -> str:
    updates = view.series.anger
    reasons = top_reasons(updates, limit=6)
    if not reasons:
        return '<p class="empty">Nothing raised the anger score.</p>'
    return (
        "<ul>"
        + "".join(
            f'<li>{escape(r["text"])} <span class="unknown">({r["weight"]:.2f})</span></li>'
            for r in reasons
        )
        + "</ul>"
    )


# ----------------------------------------------------------------------- page


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element (no "</script>", no "<!--")."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page_data(view: CallView) -> dict[str, Any]:
    prosody = {
        _ROLE_LABEL[role]: [[f.at_s, f.loudness_db, f.f0_hz] for f in frames]
        for role, frames in view.series.prosody.items()
    }
    return {
        "call_id": view.call_id,
        "duration_s": view.duration_s,
        "anger": [[u.at_s, u.score, u.level.value] for u in view.series.anger],
        "prosody": prosody,
    }


def render_call_page(view: CallView, *, summary_href: str = "index.html") -> str:
    m = view.metrics
    meta = " · ".join(
        escape(part)
        for part in (
            view.file_label,
            f"language {m.language}" if m.language else "",
            f"agent {m.agent_id}" if m.agent_id else "",
            f"{m.duration_s:.1f} s",
        )
        if part
    )
    legend = (
        '<span class="legend"><i style="background:var(--customer)"></i>customer'
        '<i style="background:var(--agent)"></i>agent</span>'
    )
    return f"""<!doctype html>
<html lang="{escape(m.language or "en")}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(view.call_id)} - call report</title>
<style>{CSS}</style>
</head>
<body>
<main>
<p><a href="{escape(summary_href)}">&larr; all calls</a></p>
<h1>{escape(view.call_id)}</h1>
<p class="meta">{meta}</p>
{_kpis(view)}
<section class="charts">
<div class="readout" id="readout">Move over a chart to read any moment;
click to find it in the transcript.</div>
<h2>Anger <span class="legend">score, level strip, ! flags, numbered suggestions</span></h2>
{_anger_chart(view)}
<h2>Loudness {legend}</h2>
{_loudness_chart(view)}
<h2>Pitch {legend}</h2>
{_pitch_chart(view)}
<h2>Who is talking <span class="legend"><i style="background:var(--overlap)"></i>both at once
</span></h2>
{_talk_chart(view)}
</section>
<h2>Suggestions and what followed</h2>
{_suggestions(view)}
<h2>Transcript</h2>
{_transcript(view)}
<h2>What drove the score</h2>
{_reasons(view)}
</main>
<script type="application/json" id="call-data">{_script_json(_page_data(view))}</script>
<script>{CALL_JS}</script>
</body>
</html>
"""
