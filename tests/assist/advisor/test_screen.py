"""The on-screen policy: at most two cards, a new one replaces the oldest."""

import pytest

from assist.advisor import MAX_CARDS, Screen, replay_screen
from ivr import events as ev


def card(n, at_s=0.0, call="c"):
    return ev.Suggestion(call, f"p{n}#{n}", f"text {n}", "patience", "rising", "en", at_s=at_s)


def used(n, at_s=0.0, call="c", verdict=ev.Verdict.USED):
    return ev.SuggestionFeedback(call, f"p{n}#{n}", verdict, at_s=at_s)


def test_two_cards_and_the_oldest_gives_way():
    screen = Screen()
    assert MAX_CARDS == 2
    assert screen.show(card(1)) is None and screen.show(card(2)) is None
    assert screen.full
    assert screen.show(card(3)) == card(1)
    assert [c.suggestion_id for c in screen.cards] == ["p2#2", "p3#3"]


def test_a_reaction_frees_a_place():
    screen = Screen()
    screen.show(card(1))
    screen.show(card(2))
    assert screen.remove("p1#1") == card(1)
    assert screen.remove("p1#1") is None  # already gone
    assert screen.show(card(3)) is None
    assert [c.suggestion_id for c in screen.cards] == ["p2#2", "p3#3"]


def test_a_screen_needs_a_card():
    with pytest.raises(ValueError):
        Screen(0)


def test_replay_tells_how_each_card_left():
    events = [
        card(1, 1.0),
        card(2, 2.0),
        used(2, 3.0),
        card(3, 4.0),
        card(4, 5.0),
        used(4, 6.0, verdict=ev.Verdict.DISMISSED),
        used(1, 7.0),
    ]
    lives = {
        life.suggestion.suggestion_id: (life.left, life.left_at_s) for life in replay_screen(events)
    }
    assert lives == {
        "p1#1": ("superseded", 5.0),  # card 4 arrived while 1 and 3 were showing
        "p2#2": ("used", 3.0),
        "p3#3": (None, None),
        "p4#4": ("dismissed", 6.0),
    }


def test_replay_keeps_calls_apart():
    events = [card(1, 1.0, "a"), card(2, 1.0, "b"), card(3, 2.0, "a"), card(4, 2.0, "b")]
    assert all(life.left is None for life in replay_screen(events))
    assert [life.left for life in replay_screen(events, max_cards=1)] == [
        "superseded",
        "superseded",
        None,
        None,
    ]
