"""The report as a person sees it: opened in headless Chromium (the system's),
plots drawn, transcript there, cursor and sorting working, no script errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assist.cli import main
from assist.report import ReportWriter
from audio_fixtures import ensure_fixtures, load_labels

from ..replay.fixture_transcripts import write_transcript
from .calls import HOSTILE, hostile_events

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A replay (recorder transcripts: no model needed) of three calls and a broken file."""
    root = tmp_path_factory.mktemp("calls")
    for call in ("en_escalating", "ru_angry", "en_calm"):
        shutil.copy(ensure_fixtures() / f"{call}.8k.stereo.wav", root / f"{call}.wav")
        write_transcript(root / f"{call}.transcript.json", load_labels(call), agent_id="a1")
    (root / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt ")
    out = tmp_path_factory.mktemp("report")
    assert main(["replay", str(root), "--no-store", "--report", str(out)]) == 1
    return out


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on(
        "request",
        lambda r: errors.append(f"network: {r.url}") if r.url.startswith("http") else None,
    )
    page.script_errors = errors
    yield page
    context.close()


def open_page(page, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=10_000)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_call_report_draws_its_charts_and_transcript(page, report):
    open_page(page, report / "en_escalating.html")
    for chart in ("chart-anger", "chart-loudness", "chart-pitch", "chart-talk"):
        box = page.locator(f"#{chart}").bounding_box()
        assert box and box["width"] > 800 and box["height"] > 40, chart
    drawn = page.evaluate(
        """() => ({
            score: document.querySelector('#chart-anger path.score').getTotalLength(),
            customer: document.querySelector('#chart-loudness path.customer-line').getTotalLength(),
            agent: document.querySelector('#chart-loudness path.agent-line').getTotalLength(),
            pitch: document.querySelector('#chart-pitch path.customer-dots').getBBox().width,
            talking: document.querySelectorAll('#chart-talk rect.talk-agent').length,
            suggestions: document.querySelectorAll('#chart-anger g.suggestion').length,
        })"""
    )
    assert drawn["score"] > 300 and drawn["customer"] > 300 and drawn["agent"] > 300
    assert drawn["pitch"] > 300 and drawn["talking"] >= 4 and drawn["suggestions"] >= 1
    lines = page.locator(".transcript li")
    assert lines.count() == 8
    assert "i want a manager" in lines.nth(6).inner_text()
    assert page.locator("mark.trigger", has_text="manager").count() == 1
    assert page.locator("#s-1").count() == 1

    # the cursor follows the mouse over a chart and reads out the moment
    box = page.locator("#chart-anger").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
    readout = page.locator("#readout").inner_text()
    assert "anger 1.00 (angry)" in readout and "customer" in readout
    assert page.locator("#chart-pitch .cursor").get_attribute("visibility") == "visible"
    lines.nth(2).click()  # a transcript line puts the cursor on its time
    assert "0:06" in page.locator("#readout").inner_text()
    assert "current" in (lines.nth(2).get_attribute("class") or "")
    screenshot(page, "report_call")
    assert page.script_errors == []


def test_the_summary_sorts_by_each_figure(page, report):
    open_page(page, report / "index.html")

    def order() -> list[str]:
        return page.locator("#calls tbody tr td:first-child a").all_inner_texts()

    assert order() == ["ru_angry", "en_escalating", "en_calm"]  # peak, then earliest flag
    first_flag = page.locator("#calls th", has_text="first flag").locator("button")
    first_flag.click()
    assert order() == ["ru_angry", "en_escalating", "en_calm"]  # ascending; never flagged last
    first_flag.click()
    assert order() == ["en_escalating", "ru_angry", "en_calm"]  # descending; still last
    page.locator("#calls th", has_text="time angry").locator("button").click()
    assert order() == ["ru_angry", "en_escalating", "en_calm"]
    page.locator("#calls th", has_text="call").first.locator("button").click()
    assert order() == ["en_calm", "en_escalating", "ru_angry"]
    assert page.locator("#calls svg.spark").count() == 3
    assert "broken.wav" in page.locator(".failed").inner_text()
    screenshot(page, "report_summary")
    page.locator("#calls a", has_text="en_calm").click()
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("h1").inner_text() == "en_calm"
    assert page.script_errors == []


def test_hostile_text_is_shown_not_run(page, tmp_path):
    writer = ReportWriter(tmp_path)
    call_page = writer.add_call(HOSTILE, hostile_events(), 4.0, HOSTILE)
    writer.add_failure(HOSTILE, HOSTILE)
    index = writer.finish()
    for path in (call_page, index):
        open_page(page, path)
        assert page.evaluate("() => document.body.dataset.pwned") is None
        assert page.locator("#pwned").count() == 0
        assert HOSTILE in page.locator("main").inner_text()
    assert page.script_errors == []
