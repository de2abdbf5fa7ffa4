"""The decoding graph (HCLG) for whole-word units: a free loop over words.

Each word is one phone; its HMM states are chained in Kaldi's default
order after self-loop reordering (the forward transition into a state,
then that state's self-loop), which vosk's word alignment expects.
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


def _add_phone_path(
    fst: Fst, hmm: WordHmm, phone: int, olabel: int, cost: float, costs: GraphCosts, loop: int
) -> None:
    src = loop
    for j in range(hmm.num_states(phone)):
        dst = fst.add_state()
        entry_cost = costs.forward_cost + (cost if j == 0 else 0.0)
        fst.add_arc(src, hmm.forward_tid(phone, j), olabel if j == 0 else 0, entry_cost, dst)
        fst.add_arc(dst, hmm.self_loop_tid(phone, j), 0, costs.self_loop_cost, dst)
        src = dst
    fst.add_arc(src, 0, 0, 0.0, loop)


def word_loop_graph(
    hmm: WordHmm, words: Sequence[tuple[int, int]], costs: GraphCosts | None = None
) -> Fst:
    """Build HCLG for ``words``: (phone, word id) pairs, plus optional silence."""
    costs = costs or GraphCosts()
    if not words:
        raise ValueError("the graph needs at least one word")
    extra = dict(costs.extra_word_costs)
    word_cost = costs.word_cost if costs.word_cost is not None else math.log(len(words) + 1)
    fst = Fst()
    loop = fst.add_state()
    fst.start = loop
    fst.set_final(loop, 0.0)
    _add_phone_path(fst, hmm, SILENCE_PHONE, 0, costs.silence_cost, costs, loop)
    for phone, word_id in words:
        if phone == SILENCE_PHONE:
            raise ValueError("a word cannot use the silence phone")
        _add_phone_path(fst, hmm, phone, word_id, word_cost + extra.get(word_id, 0.0), costs, loop)
    return fst
