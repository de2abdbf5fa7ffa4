"""Which suggestions are on the agent's screen.

The policy, shared by the advisor, the agent page and QA: at most
``max_cards`` suggestions show at once (two by default). A card leaves the
screen when the agent marks it used or dismissed, or when a new suggestion
arrives while the screen is full: the new one replaces the **oldest** card
still showing (that card is "superseded"). Phrases, cues and warnings share
the same cards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ivr import events as ev

MAX_CARDS = 2


class Screen:
    def __init__(self, max_cards: int = MAX_CARDS) -> None:
        if max_cards < 1:
            raise ValueError("a screen shows at least one card")
        self.max_cards = max_cards
        self._cards: list[ev.Suggestion] = []  # oldest first

    @property
    def cards(self) -> tuple[ev.Suggestion, ...]:
        """The suggestions showing, oldest first."""
        return tuple(self._cards)

    @property
    def full(self) -> bool:
        return len(self._cards) >= self.max_cards

    def show(self, suggestion: ev.Suggestion) -> ev.Suggestion | None:
        """Put a card on screen; returns the card it superseded, if any."""
        gone = self._cards.pop(0) if self.full else None
        self._cards.append(suggestion)
        return gone

    def remove(self, suggestion_id: str) -> ev.Suggestion | None:
        """The agent reacted to a card: it leaves the screen (None if it was
        not showing)."""
        for index, card in enumerate(self._cards):
            if card.suggestion_id == suggestion_id:
                return self._cards.pop(index)
        return None


@dataclass(frozen=True)
class CardLife:
    """One suggestion's time on screen, replayed from events."""

    suggestion: ev.Suggestion
    left: str | None  # "used" | "dismissed" | "superseded" | None (still showing at the end)
    left_at_s: float | None


def replay_screen(events: Iterable[ev.Event], max_cards: int = MAX_CARDS) -> list[CardLife]:
    """Every suggestion in ``events`` (in event order, any number of calls)
    with how it left the screen under the policy above."""
    screens: dict[str, Screen] = {}
    lives: dict[tuple[str, str], CardLife] = {}
    order: list[tuple[str, str]] = []
    for event in events:
        if isinstance(event, ev.Suggestion):
            screen = screens.setdefault(event.call_id, Screen(max_cards))
            gone = screen.show(event)
            if gone is not None:
                key = (gone.call_id, gone.suggestion_id)
                lives[key] = CardLife(gone, "superseded", event.at_s)
            key = (event.call_id, event.suggestion_id)
            if key not in lives:
                order.append(key)
            lives[key] = CardLife(event, None, None)
        elif isinstance(event, ev.SuggestionFeedback):
            screen = screens.setdefault(event.call_id, Screen(max_cards))
            card = screen.remove(event.suggestion_id)
            if card is not None:
                key = (card.call_id, card.suggestion_id)
                lives[key] = CardLife(card, event.verdict.value, event.at_s)
    return [lives[key] for key in order]
