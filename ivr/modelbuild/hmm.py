"""Whole-word HMM inventory and Kaldi transition-id numbering.

Phone 1 is silence; phones 2.. are whole-word units. Every HMM state has
its own pdf and two transitions, listed self-loop first, then forward, so
transition ids come in pairs: (self-loop, forward) per state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

SILENCE_PHONE = 1


@dataclass(frozen=True)
class WordHmm:
    """State counts per phone: ``state_counts[p - 1]`` states for phone ``p``."""

    state_counts: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.state_counts:
            raise ValueError("a model needs at least the silence phone")
        if any(n < 1 for n in self.state_counts):
            raise ValueError("every phone needs at least one HMM state")

    @property
    def num_phones(self) -> int:
        return len(self.state_counts)

    @cached_property
    def pdf_offsets(self) -> tuple[int, ...]:
        """First pdf id of each phone (index ``phone - 1``)."""
        offsets = []
        total = 0
        for n in self.state_counts:
            offsets.append(total)
            total += n
        return tuple(offsets)

    @property
    def num_pdfs(self) -> int:
        return sum(self.state_counts)

    @property
    def num_transition_ids(self) -> int:
        return 2 * self.num_pdfs

    def num_states(self, phone: int) -> int:
        return self.state_counts[phone - 1]

    def pdf(self, phone: int, state: int) -> int:
        if not 0 <= state < self.num_states(phone):
            raise IndexError(f"phone {phone} has no state {state}")
        return self.pdf_offsets[phone - 1] + state

    def self_loop_tid(self, phone: int, state: int) -> int:
        # Transition states are numbered like pdfs (one per phone/state), from 1.
        return 2 * self.pdf(phone, state) + 1

    def forward_tid(self, phone: int, state: int) -> int:
        return 2 * self.pdf(phone, state) + 2
