from __future__ import annotations

import numpy as np
import pytest

from ivr.modelbuild.graph import (
    GarbageLoop,
    GraphCosts,
    WordGrammar,
    grammar_graph,
    word_loop_graph,
)
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


# Words 1 and 2 sound the same (both phone 2); word 4 is phone 3. The grammar
# prefers word 1 at the start and word 2 after word 4.
GRAMMAR = WordGrammar(
    unigram={1: 2.0, 2: 2.0, 3: 4.0, 4: 2.0},
    bigram={(0, 1): 0.5, (0, 4): 1.0, (4, 2): 0.5},
    backoff={0: 1.0, 4: 1.5},
)


def test_grammar_decides_between_words_that_sound_alike() -> None:
    fst = grammar_graph(HMM, [(2, 1), (2, 2), (3, 4)], GRAMMAR, GraphCosts(), GARBAGE)
    assert _shortest_output(fst, _word(2)) == [1]
    assert _shortest_output(fst, _word(3) + _word(2)) == [4, 2]
    # silence between words keeps the history
    assert _shortest_output(fst, _word(3) + _word(1) + _word(2)) == [4, 2]
    # unseen pairs stay possible through the backoff, [unk] too
    three = _word(4) + _word(5) + _word(6)
    assert _shortest_output(fst, _word(2) + _word(2) + three + _word(3)) == [1, 1, 3, 4]


def test_grammar_costs_add_word_costs_on_entry() -> None:
    costs = GraphCosts(word_cost=5.0, extra_word_costs=((4, -2.0),))
    fst = grammar_graph(HMM, [(2, 1), (2, 2), (3, 4)], GRAMMAR, costs)
    labelled = {(src, ol): cost for src, il, ol, cost, dst in fst.arcs if ol}
    assert labelled[(fst.start, 1)] == 0.5 and labelled[(fst.start, 4)] == 1.0
    entries = sorted(cost for src, il, ol, cost, dst in fst.arcs if il and cost >= 3.0)
    assert entries == [3.0, 5.0, 5.0]  # word 4 (5 - 2), words 1 and 2
    with pytest.raises(ValueError, match="unigram"):
        grammar_graph(HMM, [(2, 1), (2, 5)], GRAMMAR)
