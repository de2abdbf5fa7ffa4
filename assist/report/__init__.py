"""QA reports: one self-contained HTML page per call (charts on one time
axis, suggestions and what followed, the transcript with trigger words
marked) and a summary across calls (HTML, CSV, JSON)."""

from __future__ import annotations

from assist.report.call_page import CallView, call_view, render_call_page
from assist.report.metrics import CallMetrics, call_metrics
from assist.report.summary import render_summary_page, summary_csv, summary_json
from assist.report.writer import ReportWriter

__all__ = [
    "CallMetrics",
    "CallView",
    "ReportWriter",
    "call_metrics",
    "call_view",
    "render_call_page",
    "render_summary_page",
    "summary_csv",
    "summary_json",
]
