"""The summary across calls: ``index.html`` (a sortable table with a small
anger chart per call, and the files that failed), ``summary.csv`` and
``summary.json`` with the same figures."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

from assist.anger.config import load_anger_config
from assist.report.assets import CSS, SUMMARY_JS
from assist.report.metrics import CallMetrics
from assist.report.svg import clock, sparkline


@dataclass(frozen=True)
class SummaryRow:
    metrics: CallMetrics
    file: str
    report: str  # the call's page, relative to the summary
    spark: tuple[tuple[float, float], ...]  # (at_s, anger score)


@dataclass(frozen=True)
class Failure:
    file: str
    error: str


CSV_COLUMNS = (
    "status",
    "call_id",
    "file",
    "report",
    "language",
    "agent_id",
    "duration_s",
    "peak_score",
    "peak_level",
    "peak_at_s",
    "first_flag_s",
    "first_angry_s",
    "angry_share",
    "tense_or_angry_share",
    "agent_warnings",
    "suggestions",
    "suggestions_followed_by_fall",
    "top_reason",
    "error",
)


def ordered(rows: Sequence[SummaryRow]) -> list[SummaryRow]:
    """The default order: highest peak first, earliest flag first among equals."""
    return sorted(
        rows,
        key=lambda r: (
            -r.metrics.peak_score,
            r.metrics.first_flag_s if r.metrics.first_flag_s is not None else float("inf"),
            r.metrics.call_id,
        ),
    )


def summary_json(rows: Sequence[SummaryRow], failures: Sequence[Failure]) -> dict[str, Any]:
    calls = [
        {"status": "ok", "file": r.file, "report": r.report, **r.metrics.as_row()}
        for r in ordered(rows)
    ]
    audio_s = sum(r.metrics.duration_s for r in rows)
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "calls": calls,
        "failed": [{"status": "failed", "file": f.file, "error": f.error} for f in failures],
        "totals": {
            "calls": len(rows),
            "failed": len(failures),
            "audio_s": round(audio_s, 3),
            "flagged": sum(1 for r in rows if r.metrics.first_flag_s is not None),
            "angry": sum(1 for r in rows if r.metrics.first_angry_s is not None),
            "agent_warnings": sum(r.metrics.agent_warnings for r in rows),
        },
    }


def summary_csv(rows: Sequence[SummaryRow], failures: Sequence[Failure]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in ordered(rows):
        row = {"status": "ok", "file": r.file, "report": r.report, **r.metrics.as_row()}
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    for f in failures:
        writer.writerow({"status": "failed", "file": f.file, "error": f.error})
    return out.getvalue()


def _base(file: str) -> str:
    return file.replace("\\", "/").rsplit("/", 1)[-1]


def _sort(value: float | str | None) -> str:
    return "" if value is None else escape(str(value))


def _head(label: str, numeric: bool, first: str = "descending", sortable: bool = True) -> str:
    cls = ' class="num"' if numeric else ""
    if not sortable:
        return f"<th{cls}>{escape(label)}</th>"
    return f'<th{cls} data-first="{first}"><button type="button">{escape(label)}</button></th>'


def render_summary_page(rows: Sequence[SummaryRow], failures: Sequence[Failure]) -> str:
    levels = load_anger_config().levels
    bands = (
        (0.0, levels.tense_enter, "band-calm"),
        (levels.tense_enter, levels.angry_enter, "band-tense"),
        (levels.angry_enter, 1.0, "band-angry"),
    )
    body = []
    for r in ordered(rows):
        m = r.metrics
        first_flag = "never" if m.first_flag_s is None else clock(m.first_flag_s)
        body.append(
            "<tr>"
            f'<td data-sort="{_sort(m.call_id)}">'
            f'<a href="{escape(r.report)}">{escape(m.call_id)}</a>'
            f'<div class="meta" title="{escape(r.file)}">{escape(_base(r.file))}</div></td>'
            f"<td>{sparkline(r.spark, m.duration_s, bands=bands, width=120)}</td>"
            f'<td class="num" data-sort="{m.peak_score:.3f}">{m.peak_score:.2f} '
            f'<span class="chip {m.peak_level.value}">{m.peak_level.value}</span></td>'
            f'<td class="num" data-sort="{_sort(m.first_flag_s)}">{first_flag}</td>'
            f'<td class="num" data-sort="{m.angry_share:.4f}">{m.angry_share * 100:.0f}%</td>'
            f'<td class="num" data-sort="{m.agent_warnings}">{m.agent_warnings}</td>'
            f'<td class="num" data-sort="{m.suggestions}" title="anger fell after '
            f'{m.suggestions_followed_by_fall} of {m.suggestions}">{m.suggestions}'
            f'<div class="meta">{m.suggestions_followed_by_fall} fell after</div></td>'
            f'<td class="num" data-sort="{m.duration_s:.3f}">{clock(m.duration_s)}</td>'
            f'<td class="reason" data-sort="{_sort(m.top_reason)}">{escape(m.top_reason)}</td>'
            "</tr>"
        )
    table = (
        '<div class="table-wrap"><table id="calls"><thead><tr>'
        + _head("call", False, "ascending")
        + _head("anger", False, sortable=False)
        + _head("peak anger", True).replace("<th", '<th aria-sort="descending"', 1)
        + _head("first flag", True, "ascending")
        + _head("time angry", True)
        + _head("agent warnings", True)
        + _head("suggestions", True)
        + _head("duration", True)
        + _head("top reason", False, "ascending")
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
        if rows
        else '<p class="empty">No call could be replayed.</p>'
    )
    failed = (
        '<h2>Failed</h2><ul class="failed">'
        + "".join(
            f'<li><code>{escape(f.file)}</code>: <span class="why">{escape(f.error)}</span></li>'
            for f in failures
        )
        + "</ul>"
        if failures
        else ""
    )
    audio_s = sum(r.metrics.duration_s for r in rows)
    flagged = sum(1 for r in rows if r.metrics.first_flag_s is not None)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>QA replay - {len(rows)} calls</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>QA replay: {len(rows)} calls</h1>
<p class="meta">{clock(audio_s)} of audio · {flagged} flagged · {len(failures)} failed ·
<a href="summary.csv">summary.csv</a> · <a href="summary.json">summary.json</a> ·
click a column to sort</p>
{table}
{failed}
</main>
<script>{SUMMARY_JS}</script>
</body>
</html>
"""
