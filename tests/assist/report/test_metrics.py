import pytest

from assist.advisor.outcomes import suggestion_outcomes
from assist.report.metrics import call_metrics, level_spans
from ivr import events as ev

CALM, TENSE, ANGRY = ev.AngerLevel.CALM, ev.AngerLevel.TENSE, ev.AngerLevel.ANGRY


def update(at_s, score, level):
    return ev.AngerUpdate("c", at_s, score, level, ev.Trend.STEADY)


def test_level_spans_hold_each_level_until_the_next_update():
    updates = [
        update(2, 0.1, CALM),
        update(4, 0.4, TENSE),
        update(6, 0.7, ANGRY),
        update(7, 0.8, ANGRY),
        update(9, 0.2, CALM),
    ]
    assert level_spans(updates, 10.0) == [
        (0.0, 4.0, CALM),
        (4.0, 6.0, TENSE),
        (6.0, 9.0, ANGRY),
        (9.0, 10.0, CALM),
    ]
    assert level_spans([], 5.0) == [(0.0, 5.0, CALM)]
    assert level_spans([update(12, 0.7, ANGRY)], 10.0) == [(0.0, 10.0, CALM)]


def test_metrics_of_a_call():
    events = [
        ev.CallStarted("c", "en", agent_id="a1", source="x.wav"),
        update(2, 0.1, CALM),
        update(4, 0.45, TENSE),
        ev.CallFlagged("c", 4, TENSE, "pitch"),
        ev.Suggestion("c", "p#1", "I hear you", "empathy", "pitch", "en", at_s=4),
        update(6, 0.9, ANGRY),
        ev.CallFlagged("c", 6, ANGRY, "keyword"),
        ev.Suggestion(
            "c", "w#2", "Don't", "respect", "agent_words", "en", ev.SuggestionKind.WARNING, at_s=6.5
        ),
        update(8, 0.3, TENSE),
        update(11, 0.2, CALM),
        ev.CallEnded("c", 20.0),
    ]
    outcomes = suggestion_outcomes(events, 5.0)
    m = call_metrics(events, 20.0, outcomes)
    assert (m.call_id, m.language, m.agent_id, m.source) == ("c", "en", "a1", "x.wav")
    assert (m.peak_score, m.peak_level, m.peak_at_s) == (0.9, ANGRY, 6)
    assert (m.first_flag_s, m.first_angry_s) == (4, 6)
    assert m.angry_share == pytest.approx(2 / 20)
    assert m.tense_or_angry_share == pytest.approx(7 / 20)
    assert (m.agent_warnings, m.suggestions) == (1, 1)
    assert m.suggestions_followed_by_fall == 1  # 0.45 at 4 s -> 0.3 at 9 s
    later = call_metrics(events, 20.0, suggestion_outcomes(events, 3.0))
    assert later.suggestions_followed_by_fall == 0  # 0.45 at 4 s -> 0.9 at 7 s
    row = m.as_row()
    assert row["peak_level"] == "angry" and row["angry_share"] == 0.1


def test_a_quiet_call():
    m = call_metrics([ev.CallStarted("q", "ru"), ev.CallEnded("q", 3.0)], 3.0)
    assert (m.peak_score, m.peak_level, m.first_flag_s, m.angry_share) == (0.0, CALM, None, 0.0)
    assert call_metrics([], 0.0, call_id="z").angry_share == 0.0
