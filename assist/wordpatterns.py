"""The word-pattern syntax of the data files people edit: the anger lexicon
(:mod:`assist.anger.lexicon`) and the advisor's agent warnings and waiting
words (:mod:`assist.advisor.wording`). This module owns what they share: text
normalisation, tokenisation and the expansion of one written word; each of
them keeps its own way of matching several words.

Text is matched as normalised tokens:

- lower case, ``ё`` read as ``е``, typographic apostrophes (``’``, ``ʼ``) as ``'``;
- a token is a run of letters with apostrophes only inside (``can't``,
  ``rock'n'roll``); anything else separates tokens, hyphens included
  (``log-in`` is ``log``, ``in``), and quote marks at a word's edges fall away.

One written word of a pattern is

- a word form: ``manager``;
- brace alternatives: ``жалоб{а,ы,у}`` is ``жалоба``, ``жалобы``, ``жалобу``;
  an alternative may be empty (``complain{,s,ed}``) and several groups
  multiply (``{по,}звон{ю,ите}``);
- a stem: ``заткн*`` matches any token that starts with ``заткн`` (braces may
  come before the star).

A written word is normalised like text, apostrophes at its edges included.
A word that could never match is refused with :class:`PatternError`: every
form must be a token (so no hyphen, digit, empty form or stray apostrophe) and
every stem the beginning of one.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

_LETTER = r"[^\W\d_]"
_TOKEN = re.compile(rf"{_LETTER}+(?:'{_LETTER}+)*")
_STEM = re.compile(rf"{_LETTER}+(?:'{_LETTER}+)*'?")  # the start of a token
_WRITTEN = re.compile(rf"(?:{_LETTER}|'|\{{[^{{}}]*\}})+\*?")
_GROUP = re.compile(r"\{([^{}]*)\}")


class PatternError(ValueError):
    """A word pattern that cannot be used; the message says why."""


def normalize(text: str) -> str:
    """Lower case, ``ё`` as ``е``, typographic apostrophes as ``'``."""
    return text.lower().replace("ё", "е").replace("\u2019", "'").replace("\u02bc", "'")


def normalize_word(word: str) -> str:
    """:func:`normalize`, and without apostrophes at the edges (quote marks)."""
    return normalize(word).strip("'")


def tokenize(text: str) -> list[str]:
    """Normalised word tokens of a text (letters with inner apostrophes; hyphens split)."""
    return _TOKEN.findall(normalize(text).replace("-", " "))


def is_token(word: str) -> bool:
    """Whether normalised ``word`` is exactly one token."""
    return _TOKEN.fullmatch(word) is not None


@dataclass(frozen=True)
class WordPattern:
    """One written word of a pattern: exact forms and/or stems."""

    forms: frozenset[str]
    stems: tuple[str, ...] = ()
    # The form with the first alternative of every brace group (the stem for a stem).
    canonical: str = field(default="", compare=False)

    def matches(self, token: str) -> bool:
        return token in self.forms or any(token.startswith(s) for s in self.stems)


def expand_word(word: str) -> WordPattern:
    """One written word (``виноват{,а,ы}``, ``заткн*``, ``manager``) as its forms or stems."""
    written = normalize_word(word)
    if not _WRITTEN.fullmatch(written):
        hint = "; a hyphen splits words, write them apart" if "-" in written else ""
        raise PatternError(
            f"{word!r} is not a word pattern (letters, {{a,b}} alternatives, a final *){hint}"
        )
    is_stem = written.endswith("*")
    parts = _GROUP.split(written.removesuffix("*"))  # literal, group, literal, group, ...
    choices = [
        [part] if i % 2 == 0 else [alt.strip() for alt in part.split(",")]
        for i, part in enumerate(parts)
    ]
    # In product order, so the first form takes the first alternative of every group.
    expanded = ["".join(choice) for choice in itertools.product(*choices)]
    valid = _STEM if is_stem else _TOKEN
    for form in expanded:
        if not form:
            raise PatternError(f"{word!r} can expand to an empty word")
        if not valid.fullmatch(form):
            if is_stem:
                raise PatternError(f"{word!r} has the stem {form!r}, which no word starts with")
            raise PatternError(f"{word!r} expands to {form!r}, which is not a word")
    if is_stem:
        return WordPattern(frozenset(), tuple(sorted(set(expanded))), expanded[0])
    return WordPattern(frozenset(expanded), (), expanded[0])
