import json
import re

import pytest

from assist.report.call_page import call_view, render_call_page

from .calls import HOSTILE, hostile_events, replay_fixture


@pytest.fixture(scope="module")
def escalating(tmp_path_factory):
    return replay_fixture(tmp_path_factory.mktemp("esc"), "en_escalating")


def test_the_page_has_figures_charts_suggestions_and_transcript(escalating):
    view = call_view("esc", escalating.events, escalating.duration_s, "esc.wav")
    html = render_call_page(view)
    assert html.startswith("<!doctype html>") and "esc.wav" in html
    for chart in ("chart-anger", "chart-loudness", "chart-pitch", "chart-talk"):
        assert f'id="{chart}"' in html
    assert html.count('<li class="customer"') == 4 and html.count('<li class="agent"') == 4
    assert '<mark class="trigger" title="manager demand">manager</mark>' in html
    assert html.count('<tr id="s-') == len(view.series.suggestions) > 0
    assert "did not fall" in html or ">fell<" in html
    # no outside resources: it must work offline
    assert not re.search(r'(src|href)="(https?:)?//', html)
    data = json.loads(re.search(r'id="call-data">(.*?)</script>', html, re.S).group(1))
    assert (
        data["call_id"] == "esc"
        and data["anger"]
        and set(data["prosody"])
        == {
            "customer",
            "agent",
        }
    )


def test_hostile_text_stays_text():
    events = hostile_events()
    html = render_call_page(call_view(HOSTILE, events, 4.0, HOSTILE))
    assert "<img" not in html and 'id="pwned"' not in html
    assert html.count("</script>") == 2  # only the page's own two scripts end
    assert "&lt;img src=x onerror=&quot;document.body.dataset.pwned=1&quot;&gt;" in html
    data = re.search(r'id="call-data">(.*?)</script>', html, re.S).group(1)
    assert json.loads(data)["call_id"] == HOSTILE


def test_an_empty_call_says_so():
    html = render_call_page(call_view("q", [], 0.0))
    assert "No words were recognised" in html and "No suggestions were shown" in html
