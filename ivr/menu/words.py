"""How spoken synonyms and recognised text are compared.

Both sides are reduced to word tokens: lower case, ``ё`` read as ``е``,
typographic apostrophes as ``'``, hyphens as spaces; a token is a run of
letters (apostrophes allowed inside: ``don't``). The recogniser's ``[unk]``
marker is dropped. A synonym matches when its tokens occur as a contiguous
run of the utterance's tokens (whole words, so ``нет`` never matches inside
``интернет``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

UNKNOWN_MARK = "[unk]"
_LETTER = r"[^\W\d_]"
_TOKEN = re.compile(rf"{_LETTER}+(?:'{_LETTER}+)*")
_SEPARATORS = re.compile(r"[\s\-'\"«»„“”,.!?;:()]*")


def normalize(text: str) -> str:
    return (
        text.lower()
        .replace("ё", "е")
        .replace("\u2019", "'")
        .replace("\u02bc", "'")
        .replace("-", " ")
    )


def tokens(text: str) -> list[str]:
    """The word tokens of recognised text (``[unk]`` dropped)."""
    return _TOKEN.findall(normalize(text.replace(UNKNOWN_MARK, " ")))


def phrase_form(synonym: str) -> str | None:
    """A synonym as the space-separated tokens the matcher and the recogniser
    use, or ``None`` if it is not made of words only (digits, symbols, empty)."""
    text = normalize(synonym)
    found = _TOKEN.findall(text)
    if not found or _SEPARATORS.fullmatch(_TOKEN.sub(" ", text)) is None:
        return None
    return " ".join(found)


def find_phrase(utterance: Sequence[str], phrase: Sequence[str]) -> int | None:
    """The token index where ``phrase`` starts inside ``utterance``, or ``None``."""
    size = len(phrase)
    for start in range(len(utterance) - size + 1):
        if list(utterance[start : start + size]) == list(phrase):
            return start
    return None


def best_match(
    utterance: Sequence[str], candidates: Sequence[tuple[str, T]]
) -> tuple[str, T] | None:
    """The candidate ``(phrase, value)`` whose phrase occurs in ``utterance``:
    the longest phrase wins, then the one said first, then the earlier candidate."""
    best: tuple[int, int, int] | None = None
    chosen: tuple[str, T] | None = None
    for order, (phrase, value) in enumerate(candidates):
        words = phrase.split()
        at = find_phrase(utterance, words)
        if at is None:
            continue
        rank = (-len(words), at, order)
        if best is None or rank < best:
            best, chosen = rank, (phrase, value)
    return chosen
