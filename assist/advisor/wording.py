"""Word patterns for the advisor's data files: what an agent said, what a
customer's reason quoted.

A pattern is words separated by spaces, each in the syntax of
:mod:`assist.wordpatterns`:

- a plain word form: ``department``;
- brace alternatives: ``виноват{,а,ы}`` is ``виноват``, ``виновата``,
  ``виноваты`` (several groups multiply, an empty alternative is allowed);
- a stem: ``заткн*`` is any word starting with ``заткн``.

Matching runs on the normalised tokens of :func:`assist.wordpatterns.tokenize`
(re-exported here). The words of a pattern must come in order, with at most
``max_gap`` other words between two of them, which absorbs a recogniser's
stray insertions ("i uh can't do anything").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assist.wordpatterns import PatternError as PatternError  # re-exported
from assist.wordpatterns import WordPattern, expand_word
from assist.wordpatterns import tokenize as tokenize  # re-exported

Slot = WordPattern  # one word of a pattern (the name the advisor's modules use)


@dataclass(frozen=True)
class Pattern:
    text: str  # as written in the data file
    slots: tuple[Slot, ...]

    def find(self, tokens: Sequence[str], max_gap: int) -> list[tuple[int, ...]]:
        """Token indices of each match (one per word of the pattern), earliest
        first, matches not overlapping each other."""
        found: list[tuple[int, ...]] = []
        start = 0
        while start < len(tokens):
            positions = self._match_at(tokens, start, max_gap)
            if positions is None:
                start += 1
            else:
                found.append(positions)
                start = positions[-1] + 1
        return found

    def _match_at(self, tokens: Sequence[str], start: int, max_gap: int) -> tuple[int, ...] | None:
        if not self.slots[0].matches(tokens[start]):
            return None
        return self._rest(tokens, 1, (start,), max_gap)

    def _rest(
        self, tokens: Sequence[str], slot: int, taken: tuple[int, ...], max_gap: int
    ) -> tuple[int, ...] | None:
        """The earliest-ending completion of ``taken`` with slots[slot:]."""
        if slot == len(self.slots):
            return taken
        last = taken[-1]
        for candidate in range(last + 1, min(len(tokens), last + 2 + max_gap)):
            if self.slots[slot].matches(tokens[candidate]):
                done = self._rest(tokens, slot + 1, (*taken, candidate), max_gap)
                if done is not None:
                    return done
        return None


def compile_pattern(text: str) -> Pattern:
    words = text.split()
    if not words:
        raise PatternError("empty pattern")
    return Pattern(text, tuple(expand_word(w) for w in words))


def rewritten(
    tokens: Sequence[str], rewrites: Mapping[tuple[str, ...], str]
) -> list[tuple[str, int, int]]:
    """Tokens after rewriting, each with the span ``(first, last)`` of input
    tokens it stands for."""
    return [(token, start, end) for start, end, token in _rewrite_spans(tokens, rewrites)]


def _rewrite_spans(
    tokens: Sequence[str], rewrites: Mapping[tuple[str, ...], str]
) -> list[tuple[int, int, str]]:
    longest = max((len(k) for k in rewrites), default=0)
    out: list[tuple[int, int, str]] = []
    index = 0
    while index < len(tokens):
        for size in range(min(longest, len(tokens) - index), 0, -1):
            key = tuple(tokens[index : index + size])
            if key in rewrites:
                out.append((index, index + size - 1, rewrites[key]))
                index += size
                break
        else:
            out.append((index, index, tokens[index]))
            index += 1
    return out
