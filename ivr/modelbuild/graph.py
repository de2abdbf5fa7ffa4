"""The decoding graph (HCLG): whole words, silence and ``[unk]``, either in a free
loop or under a backoff word bigram (:func:`grammar_graph`).

Each word is one phone; its HMM states are chained in Kaldi's default
order after self-loop reordering (the forward transition into a state,
then that state's self-loop), which vosk's word alignment expects.
``[unk]`` is a loop over garbage units: a begin unit, one or more
internal units, an end unit (each unit has begin/internal/end phones that
share pdfs, so vosk can find the word's boundaries).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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
        entry = word_cost + extra.get(garbage.word_id, 0.0) + costs.garbage_unit_cost
        _add_garbage(fst, hmm, garbage, loop, loop, entry, garbage.word_id, costs)
    return fst


def _add_garbage(
    fst: Fst,
    hmm: WordHmm,
    garbage: GarbageLoop,
    src: int,
    dst: int,
    entry_cost: float,
    olabel: int,
    costs: GraphCosts,
) -> None:
    """``[unk]`` from ``src`` to ``dst``: a begin unit, at least one internal unit and an
    end unit, so it never covers a one- or two-sound function word ("не", "a")."""
    after_begin = fst.add_state()
    inside = fst.add_state()
    unit = costs.garbage_unit_cost
    for b, i, e in zip(
        garbage.begin_phones, garbage.internal_phones, garbage.end_phones, strict=True
    ):
        end = _add_phone(fst, hmm, b, src, olabel, entry_cost, costs)
        fst.add_arc(end, 0, 0, 0.0, after_begin)
        fst.add_arc(_add_phone(fst, hmm, i, after_begin, 0, unit, costs), 0, 0, 0.0, inside)
        fst.add_arc(_add_phone(fst, hmm, i, inside, 0, unit, costs), 0, 0, 0.0, inside)
        fst.add_arc(_add_phone(fst, hmm, e, inside, 0, unit, costs), 0, 0, 0.0, dst)


@dataclass(frozen=True)
class WordGrammar:
    """A backoff bigram over word ids, as graph costs (already scaled).

    History 0 is the start of an utterance. ``bigram[(h, w)]`` is the cost of
    word ``w`` right after history ``h``; ``backoff[h]`` the cost of leaving
    ``h`` for the unigram state, where ``unigram[w]`` holds for every word.
    Histories without an entry in ``backoff`` share the unigram state.
    """

    unigram: Mapping[int, float]
    bigram: Mapping[tuple[int, int], float]
    backoff: Mapping[int, float]


def grammar_graph(
    hmm: WordHmm,
    words: Sequence[tuple[int, int]],
    grammar: WordGrammar,
    costs: GraphCosts | None = None,
    garbage: GarbageLoop | None = None,
) -> Fst:
    """HCLG for ``words`` ((phone, word id) pairs) and ``[unk]`` under ``grammar``.

    One state per bigram history plus the unigram (backoff) state; every word
    has one HMM chain, entered from a history by an epsilon arc that carries
    the word label and the grammar cost, and leaving to the word's own
    history. ``costs.word_cost`` (default 0) and ``extra_word_costs`` are added
    on entering a word's chain; silence may follow any history and keeps it.
    """
    costs = costs or GraphCosts()
    ids = [w for _p, w in words] + ([garbage.word_id] if garbage else [])
    if not ids:
        raise ValueError("the graph needs at least one word")
    missing = [w for w in ids if w not in grammar.unigram]
    if missing:
        raise ValueError(f"the grammar has no unigram cost for word ids {missing}")
    extra = dict(costs.extra_word_costs)
    base_cost = costs.word_cost or 0.0
    fst = Fst()
    history = {h: fst.add_state() for h in sorted(grammar.backoff)}
    unigram_state = fst.add_state()
    start = history.get(0, unigram_state)
    fst.start = start
    for state in [*history.values(), unigram_state]:
        fst.set_final(state, 0.0)
        end = _add_phone(fst, hmm, SILENCE_PHONE, state, 0, costs.silence_cost, costs)
        fst.add_arc(end, 0, 0, 0.0, state)
    entry = {w: fst.add_state() for w in ids}
    for phone, word_id in words:
        if phone == SILENCE_PHONE:
            raise ValueError("a word cannot use the silence phone")
        cost = base_cost + extra.get(word_id, 0.0)
        end = _add_phone(fst, hmm, phone, entry[word_id], 0, cost, costs)
        fst.add_arc(end, 0, 0, 0.0, history.get(word_id, unigram_state))
    if garbage is not None:
        g = garbage.word_id
        cost = base_cost + extra.get(g, 0.0) + costs.garbage_unit_cost
        _add_garbage(fst, hmm, garbage, entry[g], history.get(g, unigram_state), cost, 0, costs)
    for (h, w), cost in sorted(grammar.bigram.items()):
        if h in history and w in entry:
            fst.add_arc(history[h], 0, w, cost, entry[w])
    for h, cost in sorted(grammar.backoff.items()):
        fst.add_arc(history[h], 0, 0, cost, unigram_state)
    for w in ids:
        fst.add_arc(unigram_state, 0, w, grammar.unigram[w], entry[w])
    return fst
