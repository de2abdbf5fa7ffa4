"""Word error rates that count recognition errors, not spelling conventions.

Both sides of a comparison (the text that was read, what an engine heard)
go through the same rules, so neither is favoured:

- the vosk path's token form (:func:`ivr.asr.normalize.normalize_text`):
  lower case, no punctuation, numbers as words;
- ``ё`` as ``е``; hyphenated words split (``кто-то``: ``кто то``);
- Russian "one" and "two" in any gender as the masculine (``одна``, ``одно``:
  ``один``; ``две``: ``два``): an engine that writes "1" and "2" cannot show
  the gender, and its normaliser has to pick one;
- in Russian text, Latin script as Cyrillic: a single letter by its English
  name (``q``: ``кью``, so "M-I-S-D-N" meets "Эм Ай Эс Ди Эн"), a word letter
  by letter (``asterisk``: ``астериск``), Latin look-alike letters inside a
  Cyrillic word as Cyrillic (a typed ``первoe`` with a Latin ``o``);
- in a pair, a word written solid on one side and as two words on the other
  (``чтобы`` / ``что бы``, ``неверен`` / ``не верен``, ``эхотест`` /
  ``эхо-тест``, ``filename`` / ``file name``) is one word on both: the
  recogniser heard the sounds, the spelling rule is not what is measured;
- likewise an abbreviation spelled out on one side and written solid on the
  other (``ай-пи`` / ``IP``, ``Эн Би Эс`` / ``NBS``, ``a t m`` / ``ATM``);
- a number written as digits is said either way: ``1234`` as a cardinal
  (``тысяча двести тридцать четыре``) or digit by digit (``один два три
  четыре``). Where one side has the digits said one by one and the other
  the cardinal of the same digit string, the cardinal is read as the digits
  (a reference normalised from "1234" does not know how the voice read it).

Pure functions: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ivr.asr.normalize import normalize_text, read_number
from ivr.asr.numbers import cardinal, digits

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
_LATIN_BY_NAME_RU = {name: letter for letter, name in _LETTER_NAMES_RU.items()}
_DIGIT_WORDS = {
    lang: {w: str(d) for d, w in enumerate(digits("0123456789", lang))} for lang in ("ru", "en")
}
_MAX_SPELLED = 8  # letters of an abbreviation spelled out


def _latin_as_cyrillic(token: str) -> str:
    if len(token) == 1:
        return _LETTER_NAMES_RU.get(token, token)
    for latin, cyrillic in _DIGRAPHS_RU:
        token = token.replace(latin, cyrillic)
    return "".join(_LETTERS_RU.get(ch, ch) for ch in token)


_GENDER_RU = {"одна": "один", "одно": "один", "две": "два"}


def _fold(token: str, lang: str) -> str:
    token = token.replace("ё", "е")
    if lang != "ru":
        return token
    if token in _GENDER_RU:
        return _GENDER_RU[token]
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


def _spelled_word(letters: Sequence[str], lang: str) -> str | None:
    """The solid word a run of spelled letters writes ("эн би эс": "нбс"), else None."""
    if lang == "ru":
        latin = [_LATIN_BY_NAME_RU.get(t) for t in letters]
        if any(x is None for x in latin):
            return None
        return _latin_as_cyrillic("".join(latin))  # type: ignore[arg-type]
    if all(len(t) == 1 and t.isalpha() for t in letters):
        return "".join(letters)
    return None


def _join_spelled(side: list[str], other: Sequence[str], lang: str) -> list[str]:
    """A run of spelled letters in ``side`` becomes the word ``other`` writes solid."""
    solid = {t for t in other if len(t) > 1}
    out: list[str] = []
    at = 0
    while at < len(side):
        for size in range(min(_MAX_SPELLED, len(side) - at), 1, -1):
            word = _spelled_word(side[at : at + size], lang)
            if word is not None and word in solid:
                out.append(word)
                at += size
                break
        else:
            out.append(side[at])
            at += 1
    return out


def _digit_runs(tokens: Sequence[str], lang: str) -> list[str]:
    """The digit strings said one digit at a time in ``tokens`` (runs of two or more)."""
    names = _DIGIT_WORDS.get(lang, {})
    runs: list[str] = []
    run = ""
    for token in [*tokens, ""]:
        if token in names:
            run += names[token]
            continue
        if len(run) >= 2:
            runs.append(run)
        run = ""
    return runs


def _cardinals_as_digits(side: list[str], other: Sequence[str], lang: str) -> list[str]:
    """The cardinal of a digit string ``other`` says one by one, read as those digits."""
    for run in _digit_runs(other, lang):
        if run.startswith("0"):
            continue  # a leading zero is never said as a cardinal
        for reading in (cardinal(int(run), lang), read_number(run, lang)):  # en: also as a year
            said = [w.replace("ё", "е") for w in reading]
            at = _find(side, said)
            if at is not None:
                side = [*side[:at], *digits(run, lang), *side[at + len(said) :]]
                break
    return side


def _find(tokens: Sequence[str], run: Sequence[str]) -> int | None:
    for at in range(len(tokens) - len(run) + 1):
        if list(tokens[at : at + len(run)]) == list(run):
            return at
    return None


def scoring_pair(
    reference: str | Sequence[str], heard: str | Sequence[str], lang: str
) -> tuple[list[str], list[str]]:
    """(reference tokens, heard tokens), each through :func:`scoring_tokens`,
    with words one side writes solid joined on the other side."""
    ref = scoring_tokens(reference, lang)
    hyp = scoring_tokens(heard, lang)
    ref = _join_split_words(ref, hyp)
    hyp = _join_split_words(hyp, ref)
    ref = _join_spelled(ref, hyp, lang)
    hyp = _join_spelled(hyp, ref, lang)
    ref = _cardinals_as_digits(ref, hyp, lang)
    hyp = _cardinals_as_digits(hyp, ref, lang)
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
