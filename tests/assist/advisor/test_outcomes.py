"""What followed each suggestion, from recorded events."""

import pytest

from assist.advisor import suggestion_outcomes
from ivr import events as ev

ANGRY, TENSE, CALM = ev.AngerLevel.ANGRY, ev.AngerLevel.TENSE, ev.AngerLevel.CALM


def update(at_s, score, level=TENSE, call="c"):
    return ev.AngerUpdate(call, at_s, score, level, ev.Trend.STEADY)


def suggestion(n, at_s, call="c", kind=ev.SuggestionKind.PHRASE):
    return ev.Suggestion(call, f"p{n}#{n}", "t", "empathy", "insult", "en", kind, at_s=at_s)


def feedback(n, at_s, verdict=ev.Verdict.USED, call="c"):
    return ev.SuggestionFeedback(call, f"p{n}#{n}", verdict, at_s=at_s)


def test_score_before_and_about_ten_seconds_after():
    events = [
        update(0.0, 0.2, CALM),
        update(5.0, 0.7, ANGRY),
        suggestion(1, 5.0),
        feedback(1, 7.0),
        update(10.0, 0.6),
        suggestion(2, 12.0),
        update(15.0, 0.3),
        ev.CallEnded("c", 18.0),
    ]
    first, second = suggestion_outcomes(events)
    assert (first.score_at, first.level_at, first.score_after, first.after_at_s) == (
        0.7,
        ANGRY,
        0.3,
        15.0,
    )
    assert first.fell is True and first.reaction is ev.Verdict.USED and first.reaction_at_s == 7.0
    assert first.left_screen == "used"
    # the call ended 6 s after the second suggestion: "after" is the end of the call
    assert (second.score_at, second.score_after, second.after_at_s) == (0.6, 0.3, 18.0)
    assert second.fell is True and second.reaction is None and second.left_screen is None


def test_a_rising_or_flat_score_did_not_fall():
    events = [
        update(1.0, 0.4),
        suggestion(1, 1.0),
        update(6.0, 0.39),
        suggestion(2, 20.0),
        update(25.0, 0.8, ANGRY),
        update(40.0, 0.8, ANGRY),
    ]
    flat, rose = suggestion_outcomes(events)
    assert flat.fell is False and flat.score_after == 0.39  # a 0.01 wobble is not a fall
    assert rose.fell is False and rose.score_after == 0.8


def test_the_window_is_a_parameter():
    events = [
        update(0.0, 0.7, ANGRY),
        suggestion(1, 0.0),
        update(3.0, 0.3),
        update(8.0, 0.9, ANGRY),
        update(30.0, 0.9, ANGRY),
    ]
    (short,) = suggestion_outcomes(events, window_s=4.0)
    (long,) = suggestion_outcomes(events, window_s=10.0)
    assert short.fell is True and short.score_after == 0.3
    assert long.fell is False and long.score_after == 0.9
    with pytest.raises(ValueError):
        suggestion_outcomes(events, window_s=0.0)


def test_unknown_scores_stay_unknown():
    # before any update, and at the very end of what was recorded
    events = [suggestion(1, 1.0), update(2.0, 0.5), suggestion(2, 9.0)]
    before, last = suggestion_outcomes(events)
    assert before.score_at is None and before.fell is None and before.score_after == 0.5
    assert last.score_at == 0.5 and last.score_after is None and last.fell is None


def test_calls_are_kept_apart_and_superseded_cards_are_reported():
    events = [
        update(0.0, 0.8, ANGRY, "a"),
        update(0.0, 0.1, CALM, "b"),
        suggestion(1, 1.0, "a"),
        suggestion(2, 2.0, "a"),
        suggestion(3, 3.0, "a"),
        feedback(3, 4.0, ev.Verdict.DISMISSED, "a"),
        feedback(1, 4.0, ev.Verdict.USED, "b"),
        update(8.0, 0.2, CALM, "a"),
        update(8.0, 0.9, ANGRY, "b"),
    ]
    outcomes = suggestion_outcomes(events)
    assert [o.suggestion_id for o in outcomes] == ["p1#1", "p2#2", "p3#3"]
    assert [o.left_screen for o in outcomes] == ["superseded", None, "dismissed"]
    assert outcomes[0].reaction is None  # the "used" was for call b
    assert all(o.fell for o in outcomes)  # call a fell to 0.2; call b's 0.9 is not theirs


def test_order_of_updates_in_the_input_does_not_matter():
    events = [
        suggestion(1, 5.0),
        update(15.0, 0.2),
        update(5.0, 0.7, ANGRY),
        update(0.0, 0.1, CALM),
    ]
    (outcome,) = suggestion_outcomes(events)
    assert (outcome.score_at, outcome.score_after, outcome.fell) == (0.7, 0.2, True)
