"""What a phrase takes for granted, and what the customer has said so far.

A phrase may state premises (``needs`` in the phrase files): topics (named
lists of word patterns, ``[topics]`` of the phrase file), single word
patterns, and reasons (advisor triggers such as ``manager`` or
``repeat_contact``). All of them must have been heard in this call before
the phrase may be offered: "Restarting the router was the right thing to do"
waits for the customer to mention the router, "Of course you can speak to a
supervisor" for a demand for one.

Sans-I/O: :class:`Heard` is fed the customer's transcripts and the triggers
of the anger core's reasons, and answers whether premises hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assist.advisor.wording import Pattern, tokenize

# Words a recogniser may slip between the words of a topic pattern.
MAX_GAP = 2


@dataclass(frozen=True)
class Premises:
    topics: tuple[str, ...] = ()
    words: tuple[Pattern, ...] = ()
    reasons: tuple[str, ...] = ()  # advisor triggers

    def __bool__(self) -> bool:
        return bool(self.topics or self.words or self.reasons)

    def describe(self) -> str:
        parts = [f"topic {t}" for t in self.topics]
        parts += [f"words '{w.text}'" for w in self.words]
        parts += [f"reason {r}" for r in self.reasons]
        return ", ".join(parts)


class Heard:
    """The customer's words so far (final utterances and the current
    partial) and the triggers the anger core's reasons have pointed at."""

    def __init__(self, topics: Mapping[str, tuple[Pattern, ...]]) -> None:
        self._topics = topics
        self._finals: list[tuple[str, ...]] = []
        self._partial: tuple[str, ...] = ()
        self._quoted: list[tuple[str, ...]] = []  # the words of keyword reasons
        self.triggers: set[str] = set()

    def utterance(self, text: str, *, final: bool) -> None:
        tokens = tuple(tokenize(text))
        if final:
            self._partial = ()
            if tokens:
                self._finals.append(tokens)
        else:
            self._partial = tokens

    def reason(self, trigger: str | None, words: str = "") -> None:
        if trigger is not None:
            self.triggers.add(trigger)
        tokens = tuple(tokenize(words))
        if tokens and tokens not in self._quoted:
            self._quoted.append(tokens)

    def _utterances(self) -> Iterable[tuple[str, ...]]:
        yield from self._finals
        if self._partial:
            yield self._partial
        yield from self._quoted

    def said(self, pattern: Pattern) -> bool:
        return any(pattern.find(tokens, MAX_GAP) for tokens in self._utterances())

    def topic(self, name: str) -> bool:
        return any(self.said(p) for p in self._topics.get(name, ()))

    def holds(self, premises: Premises) -> bool:
        return (
            all(r in self.triggers for r in premises.reasons)
            and all(self.topic(t) for t in premises.topics)
            and all(self.said(w) for w in premises.words)
        )
