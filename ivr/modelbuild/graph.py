"""The decoding graph (HCLG): a free loop over whole words, silence and ``[unk]``.

Each word is one phone; its HMM states are chained in Kaldi's default
order after self-loop reordering (the forward transition into a state,
then that state's self-loop), which vosk's word alignment expects.
``[unk]`` is a loop over garbage units: a begin unit, one or more
internal units, an end unit (each unit has begin/internal/end phones that
share pdfs, so vosk can find the word's boundaries).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ivr.modelbuild.fst import Fst
from ivr.modelbuild.hmm import SILENCE_PHONE, WordHmm


@dataclass(frozen=True)
class GraphCosts:
    """Graph costs (negative natural-log probabilities, as in Kaldi's HCLG)."""

    word_cost: float | None = None  # None: log(number of words), a uniform unigram
    silence_cost: float = 1.0
    self_loop_cost: float = 0.0
    forward_cost: float = 0.0
    # Extra cost per word id (e.g. to make the garbage word a little less likely).
    extra_word_costs: tuple[tuple[int, float], ...] = ()
    garbage_unit_cost: float = 1.0  # per garbage unit inside [unk]


@dataclass(frozen=True)
class GarbageLoop:
    """The ``[unk]`` word as begin / internal / end phones, one triple per unit."""

    word_id: int
    begin_phones: tuple[int, ...]
    internal_phones: tuple[int, ...]
    end_phones: tuple[int, ...]

    def __post_init__(self) -> None:
        n = len(self.begin_phones)
        if n == 0 or len(self.internal_phones) != n or len(self.end_phones) != n:
            raise ValueError("need one begin, internal and end phone per garbage unit")


def _add_phone(
    fst: Fst, hmm: WordHmm, phone: int, src: int, olabel: int, cost: float, costs: GraphCosts
) -> int:
    """Chain the phone's states from ``src``; return the state after its last self-loop."""
    for j in range(hmm.num_states(phone)):
        dst = fst.add_state()
        entry_cost = costs.forward_cost + (cost if j == 0 else 0.0)
        fst.add_arc(src, hmm.forward_tid(phone, j), olabel if j == 0 else 0, entry_cost, dst)
        fst.add_arc(dst, hmm.self_loop_tid(phone, j), 0, costs.self_loop_cost, dst)
        src = dst
    return src


def word_loop_graph(
    hmm: WordHmm,
    words: Sequence[tuple[int, int]],
    costs: GraphCosts | None = None,
    garbage: GarbageLoop | None = None,
) -> Fst:
    """Build HCLG for ``words`` ((phone, word id) pairs), optional silence and garbage."""
    costs = costs or GraphCosts()
    if not words and garbage is None:
        raise ValueError("the graph needs at least one word")
    extra = dict(costs.extra_word_costs)
    num_words = len(words) + (1 if garbage else 0)
    word_cost = costs.word_cost if costs.word_cost is not None else math.log(num_words + 1)
    fst = Fst()
    loop = fst.add_state()
    fst.start = loop
    fst.set_final(loop, 0.0)
    end = _add_phone(fst, hmm, SILENCE_PHONE, loop, 0, costs.silence_cost, costs)
    fst.add_arc(end, 0, 0, 0.0, loop)
    for phone, word_id in words:
        if phone == SILENCE_PHONE:
            raise ValueError("a word cannot use the silence phone")
        end = _add_phone(fst, hmm, phone, loop, word_id, word_cost + extra.get(word_id, 0.0), costs)
        fst.add_arc(end, 0, 0, 0.0, loop)
    if garbage is not None:
        # begin unit, at least one internal unit, end unit: [unk] never covers a
        # one- or two-sound function word ("не", "a") that the vocabulary has.
        entry = word_cost + extra.get(garbage.word_id, 0.0) + costs.garbage_unit_cost
        after_begin = fst.add_state()
        inside = fst.add_state()
        unit = costs.garbage_unit_cost
        for b, i, e in zip(
            garbage.begin_phones, garbage.internal_phones, garbage.end_phones, strict=True
        ):
            end = _add_phone(fst, hmm, b, loop, garbage.word_id, entry, costs)
            fst.add_arc(end, 0, 0, 0.0, after_begin)
            fst.add_arc(_add_phone(fst, hmm, i, after_begin, 0, unit, costs), 0, 0, 0.0, inside)
            fst.add_arc(_add_phone(fst, hmm, i, inside, 0, unit, costs), 0, 0, 0.0, inside)
            fst.add_arc(_add_phone(fst, hmm, e, inside, 0, unit, costs), 0, 0, 0.0, loop)
    return fst
