"""Word error rates that count recognition errors, not spelling conventions.

Both sides of a comparison (the text that was read, what an engine heard)
go through the same rules, so neither is favoured:

- the vosk path's token form (:func:`ivr.asr.normalize.normalize_text`):
  lower case, no punctuation, numbers as words;
- ``ё`` as ``е``; hyphenated words split (``кто-то``: ``кто то``);
- in Russian text, Latin script as Cyrillic: a single letter by its English
  name (``q``: ``кью``, so "M-I-S-D-N" meets "Эм Ай Эс Ди Эн"), a word letter
  by letter (``asterisk``: ``астериск``), Latin look-alike letters inside a
  Cyrillic word as Cyrillic (a typed ``первoe`` with a Latin ``o``);
- in a pair, a word written solid on one side and as two words on the other
  (``чтобы`` / ``что бы``, ``неверен`` / ``не верен``, ``эхотест`` /
  ``эхо-тест``, ``filename`` / ``file name``) is one word on both: the
  recogniser heard the sounds, the spelling rule is not what is measured.

Pure functions: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ivr.asr.normalize import normalize_text

UNKNOWN = "[unk]"

_LATIN_WORD = re.compile(r"^[a-z']+$")
_CYRILLIC = re.compile(r"[а-яё]")
_LOOKALIKES = str.maketrans("aceopxyktmhb", "асеорхукмтнв")
# English letter names as Russian speakers say and write them.
_LETTER_NAMES_RU = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        (
            "эй би си ди и эф джи эйч ай джей кей эль эм эн оу пи кью ар эс ти ю ви "
            "даблю экс уай зед"
        ).split(),
        strict=True,
    )
)
_DIGRAPHS_RU = (("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("th", "т"), ("ph", "ф"), ("ck", "к"))
_LETTERS_RU = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz'",
        "а б к д е ф г х и дж к л м н о п к р с т у в в кс й з _".split(),
        strict=True,
    )
)
_LETTERS_RU["'"] = ""


def _latin_as_cyrillic(token: str) -> str:
    if len(token) == 1:
        return _LETTER_NAMES_RU.get(token, token)
    for latin, cyrillic in _DIGRAPHS_RU:
        token = token.replace(latin, cyrillic)
    return "".join(_LETTERS_RU.get(ch, ch) for ch in token)


def _fold(token: str, lang: str) -> str:
    token = token.replace("ё", "е")
    if lang != "ru":
        return token
    if _LATIN_WORD.match(token):
        return _latin_as_cyrillic(token)
    if _CYRILLIC.search(token):
        return token.translate(_LOOKALIKES)
    return token


def scoring_tokens(text_or_tokens: str | Sequence[str], lang: str) -> list[str]:
    """One side's tokens for word error rates (see the module notes)."""
    tokens = (
        normalize_text(text_or_tokens, lang)
        if isinstance(text_or_tokens, str)
        else list(text_or_tokens)
    )
    out: list[str] = []
    for token in tokens:
        out += [_fold(t, lang) for t in token.split("-") if t and t != UNKNOWN]
    return [t for t in out if t]


def _join_split_words(side: list[str], other: Sequence[str]) -> list[str]:
    """Two neighbours of ``side`` become one word where ``other`` writes them solid."""
    solid = set(other)
    out: list[str] = []
    at = 0
    while at < len(side):
        if at + 1 < len(side) and side[at] + side[at + 1] in solid:
            out.append(side[at] + side[at + 1])
            at += 2
        else:
            out.append(side[at])
            at += 1
    return out


def scoring_pair(
    reference: str | Sequence[str], heard: str | Sequence[str], lang: str
) -> tuple[list[str], list[str]]:
    """(reference tokens, heard tokens), each through :func:`scoring_tokens`,
    with words one side writes solid joined on the other side."""
    ref = scoring_tokens(reference, lang)
    hyp = scoring_tokens(heard, lang)
    ref = _join_split_words(ref, hyp)
    hyp = _join_split_words(hyp, ref)
    return ref, hyp


def written_tokens(text_or_tokens: str | Sequence[str], lang: str) -> list[str]:
    """Tokens as written, for the strict figure: only ``ё`` as ``е`` and
    hyphenated words split (what the scoring did before the rules above)."""
    tokens = (
        normalize_text(text_or_tokens, lang)
        if isinstance(text_or_tokens, str)
        else list(text_or_tokens)
    )
    return [t for token in tokens for t in token.replace("ё", "е").split("-") if t and t != UNKNOWN]


def alignment(reference: Sequence[str], heard: Sequence[str]) -> list[tuple[str, str]]:
    """A least-edit alignment as (reference word, heard word) pairs; "" on the
    side that has no word (an insertion or a deletion)."""
    rows, cols = len(reference), len(heard)
    cost = [[i + j if not (i and j) else 0 for j in range(cols + 1)] for i in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            cost[i][j] = min(
                cost[i - 1][j] + 1,
                cost[i][j - 1] + 1,
                cost[i - 1][j - 1] + (reference[i - 1] != heard[j - 1]),
            )
    pairs: list[tuple[str, str]] = []
    i, j = rows, cols
    while i or j:
        same = i and j and reference[i - 1] == heard[j - 1]
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (not same):
            pairs.append((reference[i - 1], heard[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            pairs.append((reference[i - 1], ""))
            i -= 1
        else:
            pairs.append(("", heard[j - 1]))
            j -= 1
    return pairs[::-1]


def show_alignment(pairs: Sequence[tuple[str, str]]) -> str:
    """``a b [ref->heard] [->inserted] [deleted->]``: the words that differ in brackets."""
    return " ".join(r if r == h else f"[{r}->{h}]" for r, h in pairs)
