"""Word analysis for the anger lexicon: which lexicon keys a written or
recognised word stands for, and which word forms a lexicon word covers.

- Russian: the lemmas of every analysis pymorphy3 gives (its OpenCorpora
  dictionaries ship in the ``pymorphy3-dicts-ru`` wheel; unknown words get
  predicted analyses), so ``жалобу``, ``жалобами`` and ``жалоба`` share the key
  ``жалоба``. The forms of a lemma are its lexeme.
- English: the Snowball (Porter 2) stem, so ``complained``, ``complaining``
  and ``complaints`` share the key ``complain``. The forms of a word are the
  usual inflections and derivations that keep its stem.
- Any other language: the word itself.

Letters repeated for emphasis (``ужаааас``, ``sooooo``) are also read with
the run shortened to one and to two letters. Every answer is cached per word:
a call or a chat repeats its words, and the analysers cost tens of
microseconds a word.

Loading is the only I/O (the dictionaries, when the analyser is built);
analysing is pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

_RUN = re.compile(r"([^\W\d_])\1{2,}")  # a letter three or more times in a row
_CACHE_WORDS = 200_000


def yo(word: str) -> str:
    return word.replace("ё", "е")


def shortened(word: str) -> list[str]:
    """``ужаааас`` -> ``ужас``, ``ужаас``; a word without a run of three -> []."""
    if not _RUN.search(word):
        return []
    return [_RUN.sub(r"\1", word), _RUN.sub(r"\1\1", word)]


class Morphology:
    """Keys and forms of words in one language."""

    language: str = ""

    def keys(self, word: str) -> frozenset[str]:
        """The lexicon keys of a normalised token (lemmas / stems; the word itself included)."""
        return self._keys(word)

    def clear_cache(self) -> None:
        """Forget the words seen (for measuring first-sight costs)."""
        self._keys.cache_clear()  # type: ignore[attr-defined]

    def key(self, word: str) -> str:
        """The key a lexicon word is written as (its own lemma or stem)."""
        return word

    def is_known(self, word: str) -> bool:
        """Whether a dictionary knows the word as it is (then its keys come from
        the dictionary alone, never from a guess); False where there is none."""
        return False

    def lemma(self, word: str) -> str:
        """The most likely key of a token (its first analysis), for tables and reports."""
        return self.key(word)

    def forms(self, word: str) -> frozenset[str]:
        """Concrete word forms a lexicon word (a lemma / a stem's word) covers."""
        return frozenset({word})

    def lemma_hint(self, word: str) -> str | None:
        """When ``word`` is not written as a key but is a known form of one: that key."""
        return None

    def _analyse(self, word: str) -> set[str]:
        return {word}

    def __init__(self) -> None:
        self._keys: Callable[[str], frozenset[str]] = lru_cache(maxsize=_CACHE_WORDS)(
            self._keys_uncached
        )

    def _keys_uncached(self, word: str) -> frozenset[str]:
        keys = self._analyse(word)
        for short in shortened(word):
            keys |= self._analyse(short)
        return frozenset(keys)


class RussianMorphology(Morphology):
    language = "ru"

    def __init__(self) -> None:
        super().__init__()
        import pymorphy3  # the dictionaries are read here, once

        self._morph = pymorphy3.MorphAnalyzer(lang="ru")

    def _analyse(self, word: str) -> set[str]:
        return {word, *(yo(p.normal_form) for p in self._morph.parse(word))}

    def is_known(self, word: str) -> bool:
        return bool(self._morph.word_is_known(word))

    def lemma(self, word: str) -> str:
        parses = self._morph.parse(word)
        return yo(parses[0].normal_form) if parses else word

    def lemma_hint(self, word: str) -> str | None:
        parses = self._morph.parse(word)
        lemmas = {yo(p.normal_form) for p in parses}
        if word in lemmas or not self._morph.word_is_known(word):
            return None
        return yo(parses[0].normal_form)

    def forms(self, word: str) -> frozenset[str]:
        out = {word}
        for parse in self._morph.parse(word):
            if yo(parse.normal_form) == word:
                out.update(yo(form.word) for form in parse.lexeme)
        return frozenset(out)


_EN_ENDINGS = (
    "s", "es", "ed", "d", "ing", "er", "ers", "est", "ly", "ness", "ment", "ments",
    "ful", "ity", "ation", "ations", "ion", "ions", "ence", "ance", "able", "ive",
)  # fmt: skip


class EnglishMorphology(Morphology):
    language = "en"

    def __init__(self) -> None:
        super().__init__()
        import snowballstemmer

        self._stemmer = snowballstemmer.stemmer("english")
        self._stem: Callable[[str], str] = lru_cache(maxsize=_CACHE_WORDS)(self._stemmer.stemWord)

    def _analyse(self, word: str) -> set[str]:
        return {word, self._stem(word)}

    def key(self, word: str) -> str:
        return self._stem(word)

    def forms(self, word: str) -> frozenset[str]:
        """The word and its regular inflections/derivations that keep its stem
        (``cancel``: ``cancels``, ``cancelled``, ``cancelling``, ``cancellation``...)."""
        stem = self._stem(word)
        bases = {word, stem, stem + "e"}
        if word.endswith("e"):
            bases.add(word[:-1])
        if word.endswith("y"):
            bases.add(word[:-1] + "i")
        if len(word) > 2 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou":
            bases.add(word + word[-1])  # stop -> stopp(ed)
        candidates = {b + e for b in bases for e in ("", *_EN_ENDINGS)}
        return frozenset(c for c in candidates if self._stem(c) == stem) | {word}


class PlainMorphology(Morphology):
    """Languages without an analyser: words as written."""


@cache
def morphology(language: str) -> Morphology:
    """The (shared, cached) analyser of a language."""
    if language == "ru":
        return RussianMorphology()
    if language == "en":
        return EnglishMorphology()
    plain = PlainMorphology()
    plain.language = language
    return plain
