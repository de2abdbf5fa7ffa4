import csv
import io
import json

from assist.report import ReportWriter
from assist.report.metrics import call_metrics
from assist.report.summary import Failure, SummaryRow, render_summary_page, summary_csv
from assist.report.writer import page_name
from ivr import events as ev

from .calls import HOSTILE, hostile_events


def row(call_id, peak, first_flag_s=None):
    events = [
        ev.CallStarted(call_id, "en"),
        ev.AngerUpdate(call_id, 1.0, peak, ev.AngerLevel.TENSE, ev.Trend.STEADY),
    ]
    if first_flag_s is not None:
        events.append(ev.CallFlagged(call_id, first_flag_s, ev.AngerLevel.TENSE, "x"))
    return SummaryRow(
        call_metrics(events, 10.0), f"{call_id}.wav", f"{call_id}.html", ((1.0, peak),)
    )


def test_csv_has_calls_by_peak_then_the_failures():
    rows = [row("low", 0.2), row("high", 0.9, 3.0), row("mid", 0.5, 1.0)]
    text = summary_csv(rows, [Failure("bad.wav", "truncated, badly")])
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [(r["status"], r["call_id"] or r["file"]) for r in parsed] == [
        ("ok", "high"),
        ("ok", "mid"),
        ("ok", "low"),
        ("failed", "bad.wav"),
    ]
    assert parsed[0]["first_flag_s"] == "3.0" and parsed[2]["first_flag_s"] == ""
    assert parsed[3]["error"] == "truncated, badly"


def test_summary_page_is_sortable_and_escaped():
    html = render_summary_page([row("a", 0.4)], [Failure(HOSTILE, HOSTILE)])
    assert '<table id="calls">' in html and "<button" in html
    assert "<img" not in html and "&lt;img" in html


def test_page_names_are_safe_and_unique():
    taken: set[str] = set()
    names = [page_name(c, taken) for c in ("a/b", "a?b", "index", "..", "Call 1")]
    assert names == ["a_b.html", "a_b-2.html", "index-2.html", "call.html", "Call_1.html"]


def test_the_writer_leaves_a_complete_folder(tmp_path):
    writer = ReportWriter(tmp_path / "r")
    page = writer.add_call(HOSTILE, hostile_events(), 4.0, "x.wav")
    writer.add_failure("y.wav", "not a WAV file")
    index = writer.finish()
    assert page.parent == index.parent and page.name != "index.html"
    assert sorted(p.name for p in index.parent.iterdir()) == sorted(
        [page.name, "index.html", "summary.csv", "summary.json"]
    )
    data = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert data["totals"] == {
        "calls": 1,
        "failed": 1,
        "audio_s": 4.0,
        "flagged": 1,
        "angry": 0,
        "agent_warnings": 0,
    }
    assert data["calls"][0]["call_id"] == HOSTILE and data["calls"][0]["report"] == page.name
