"""HMM inventory and Kaldi transition-id numbering.

Phone 1 is silence; then whole-word units and (optionally) garbage units.
A phone may share the pdfs of another phone with the same state count
(``pdf_owner``): the garbage units exist as begin / internal / end phones
for vosk's word alignment, but each unit has one set of pdfs.

Every HMM state has two transitions, listed self-loop first, then forward,
so transition ids come in pairs per (phone, state): (self-loop, forward).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

SILENCE_PHONE = 1


@dataclass(frozen=True)
class WordHmm:
    """``state_counts[p - 1]`` states for phone ``p``; ``pdf_owner[p - 1]`` is the
    phone whose pdfs phone ``p`` uses (itself when empty or equal)."""

    state_counts: tuple[int, ...]
    pdf_owner: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.state_counts:
            raise ValueError("a model needs at least the silence phone")
        if any(n < 1 for n in self.state_counts):
            raise ValueError("every phone needs at least one HMM state")
        if self.pdf_owner:
            if len(self.pdf_owner) != len(self.state_counts):
                raise ValueError("pdf_owner needs one entry per phone")
            for phone, owner in enumerate(self.pdf_owner, start=1):
                if not 1 <= owner <= phone or self.pdf_owner[owner - 1] != owner:
                    raise ValueError(f"phone {phone}: pdf owner {owner} must be an earlier owner")
                if self.state_counts[owner - 1] != self.state_counts[phone - 1]:
                    raise ValueError(f"phone {phone} and its pdf owner differ in state count")

    @property
    def num_phones(self) -> int:
        return len(self.state_counts)

    def owner(self, phone: int) -> int:
        return self.pdf_owner[phone - 1] if self.pdf_owner else phone

    @cached_property
    def _pdf_offsets(self) -> dict[int, int]:
        offsets: dict[int, int] = {}
        total = 0
        for phone in range(1, self.num_phones + 1):
            if self.owner(phone) == phone:
                offsets[phone] = total
                total += self.state_counts[phone - 1]
        return offsets

    @cached_property
    def _triple_offsets(self) -> tuple[int, ...]:
        out = []
        total = 0
        for n in self.state_counts:
            out.append(total)
            total += n
        return tuple(out)

    @property
    def num_pdfs(self) -> int:
        return sum(self.state_counts[p - 1] for p in self._pdf_offsets)

    @property
    def num_triples(self) -> int:
        return sum(self.state_counts)

    @property
    def num_transition_ids(self) -> int:
        return 2 * self.num_triples

    def num_states(self, phone: int) -> int:
        return self.state_counts[phone - 1]

    def _check(self, phone: int, state: int) -> None:
        if not 1 <= phone <= self.num_phones:
            raise IndexError(f"no phone {phone}")
        if not 0 <= state < self.num_states(phone):
            raise IndexError(f"phone {phone} has no state {state}")

    def pdf(self, phone: int, state: int) -> int:
        self._check(phone, state)
        return self._pdf_offsets[self.owner(phone)] + state

    def _triple(self, phone: int, state: int) -> int:
        self._check(phone, state)
        return self._triple_offsets[phone - 1] + state

    def self_loop_tid(self, phone: int, state: int) -> int:
        return 2 * self._triple(phone, state) + 1

    def forward_tid(self, phone: int, state: int) -> int:
        return 2 * self._triple(phone, state) + 2
