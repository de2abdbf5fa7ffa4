"""Which agent seat takes a transferred call: the highest priority first, then
the longest waiting. Pure bookkeeping: calls and free seats in, assignments out.

Every seat serves every queue here; skills-based routing is the telephony
platform's job when one is in front of us.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Assignment:
    call_id: str
    seat: str


@dataclass(frozen=True)
class _Waiting:
    priority: int
    arrival: int
    call_id: str


class SeatQueue:
    def __init__(self, seats: Sequence[str]) -> None:
        if len(set(seats)) != len(seats):
            raise ValueError(f"a seat is named twice: {list(seats)}")
        self.seats = tuple(seats)
        self._busy: dict[str, str] = {}  # seat -> call
        self._waiting: list[_Waiting] = []
        self._arrivals = itertools.count()

    @property
    def waiting(self) -> list[str]:
        """Waiting calls in the order they will be answered."""
        return [w.call_id for w in sorted(self._waiting, key=lambda w: (-w.priority, w.arrival))]

    def seat_of(self, call_id: str) -> str | None:
        return next((s for s, c in self._busy.items() if c == call_id), None)

    def offer(self, call_id: str, priority: int) -> list[Assignment]:
        """A call wants a person; higher ``priority`` is answered first."""
        if self.seat_of(call_id) is None and call_id not in self.waiting:
            self._waiting.append(_Waiting(priority, next(self._arrivals), call_id))
        return self._assign()

    def call_ended(self, call_id: str) -> list[Assignment]:
        """The call hung up, waiting or talking; its seat (if any) takes the next call."""
        self._waiting = [w for w in self._waiting if w.call_id != call_id]
        seat = self.seat_of(call_id)
        if seat is not None:
            del self._busy[seat]
        return self._assign()

    def _assign(self) -> list[Assignment]:
        out = []
        for seat in self.seats:
            if seat in self._busy or not self._waiting:
                continue
            first = min(self._waiting, key=lambda w: (-w.priority, w.arrival))
            self._waiting.remove(first)
            self._busy[seat] = first.call_id
            out.append(Assignment(first.call_id, seat))
        return out
