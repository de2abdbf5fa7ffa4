from __future__ import annotations

import numpy as np
import pytest

from ivr.modelbuild.graph import GarbageLoop, GraphCosts, word_loop_graph
from ivr.modelbuild.hmm import WordHmm

# silence (2 states), two words (2 and 1 states), one garbage unit as B/I/E phones.
HMM = WordHmm((2, 2, 1, 1, 1, 1), (1, 2, 3, 4, 4, 4))
GARBAGE = GarbageLoop(word_id=3, begin_phones=(4,), internal_phones=(5,), end_phones=(6,))


def _shortest_output(fst, tids: list[int]) -> list[int] | None:
    """Best word sequence for an exact transition-id string (epsilons free)."""
    arcs: dict[int, list] = {}
    for src, il, ol, cost, dst in fst.arcs:
        arcs.setdefault(src, []).append((il, ol, cost, dst))
    frontier = {fst.start: (0.0, [])}
    for tid in [*tids, None]:
        # epsilon closure
        changed = True
        while changed:
            changed = False
            for s, (c, out) in list(frontier.items()):
                for il, ol, cost, dst in arcs.get(s, []):
                    if il == 0 and (dst not in frontier or frontier[dst][0] > c + cost):
                        frontier[dst] = (c + cost, out + ([ol] if ol else []))
                        changed = True
        if tid is None:
            break
        nxt: dict[int, tuple[float, list[int]]] = {}
        for s, (c, out) in frontier.items():
            for il, ol, cost, dst in arcs.get(s, []):
                if il == tid and (dst not in nxt or nxt[dst][0] > c + cost):
                    nxt[dst] = (c + cost, out + ([ol] if ol else []))
        frontier = nxt
    finals = [(c + fst.finals[s], out) for s, (c, out) in frontier.items() if s in fst.finals]
    return min(finals)[1] if finals else None


def _word(phone: int) -> list[int]:
    """Kaldi order: forward into each state, then one self-loop."""
    out = []
    for j in range(HMM.num_states(phone)):
        out += [HMM.forward_tid(phone, j), HMM.self_loop_tid(phone, j)]
    return out


def test_words_and_silence_in_any_order() -> None:
    fst = word_loop_graph(HMM, [(2, 1), (3, 2)], GraphCosts(), GARBAGE)
    tids = _word(1) + _word(2) + _word(3) + _word(1) + _word(3)
    assert _shortest_output(fst, tids) == [1, 2, 2]


def test_garbage_needs_three_units() -> None:
    fst = word_loop_graph(HMM, [(2, 1), (3, 2)], GraphCosts(), GARBAGE)
    three = _word(4) + _word(5) + _word(6)
    assert _shortest_output(fst, three) == [3]
    assert _shortest_output(fst, _word(4) + _word(5) + _word(5) + _word(6)) == [3]
    assert _shortest_output(fst, _word(4) + _word(6)) is None


def test_costs_appear_on_word_entries() -> None:
    costs = GraphCosts(word_cost=5.0, extra_word_costs=((2, -2.0),))
    fst = word_loop_graph(HMM, [(2, 1), (3, 2)], costs)
    entry = {ol: cost for src, il, ol, cost, dst in fst.arcs if src == fst.start and ol}
    assert entry == {1: 5.0, 2: 3.0}
    assert np.isclose(fst.finals[fst.start], 0.0)
    with pytest.raises(ValueError, match="silence"):
        word_loop_graph(HMM, [(1, 1)])
