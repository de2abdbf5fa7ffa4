"""Recogniser text in the vosk path's token form: lower-case words, no
punctuation, numbers as number words.

Whisper writes text the way a person types it ("Press 1, then #.",
"1,001 90210", "3-й раз", "10%"); vosk writes only lower-case words. Both
engines' words go through :func:`normalize_text` / :func:`normalize_words`
so the anger lexicon ("third time", "третий раз"), the advisor and the store
see one form, and the real-speech corpus scores references the same way.

Rules, in order, on each piece of text:

- bracketed notes (``[music]``, ``(laughs)``) are dropped;
- numbers: grouped thousands (``1,001``; Russian ``10 000``) and plain
  numbers are read as cardinals; a leading zero or five and more digits
  (``0412``, ``90210``: codes, phone and account numbers) digit by digit;
  English four-digit years as years (``1999``: nineteen ninety nine);
  ordinals by their ending (``3rd``, ``3-й``, ``3-го``); decimals; times
  (``10:30``); ``%`` and ``$`` as words; single digits separated by commas
  (``1,2,3,4``: how Whisper writes digits said one by one) digit by digit;
- keypad and other symbols standing alone (``#``, ``*``, ``+``) as words;
- everything else: runs of letters, with apostrophes and hyphens kept only
  inside a word (``don't``, ``кто-то``); other punctuation separates words.

Pure functions: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ivr.asr.numbers import LANGUAGES, cardinal, digits, en_year, ordinal, plural_ru
from ivr.events import Word

_LETTER = r"[^\W\d_]"
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|<[^>]*>")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'", "`": "'"})
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})

_RU_ORDINAL_ENDINGS = "|".join(
    "ый ой ий ая ое ее ого его ому ему ом ем ым им ую юю ых их ми го му й я е м ю х".split()
)
_PIECE = re.compile(
    r"""
      (?P<time>\b\d{1,2}:\d{2}\b)
    | (?P<money>\$\s?\d+(?:[.,]\d+)*)
    | (?P<ord_en>\b\d+(?:st|nd|rd|th)\b)
    | (?P<ord_ru>\b\d+-?(?:RU_ENDING)(?![^\W\d_]))
    | (?P<digit_list>\b\d(?:,\d){2,}\b)
    | (?P<grouped>\b\d{1,3}(?:,\d{3})+\b)
    | (?P<spaced>\b\d{1,3}(?:\ \d{3}){1,2}\b(?!\ \d))
    | (?P<decimal>\b\d+[.,]\d+\b)
    | (?P<number>\d+)
    | (?P<percent>%)
    | (?P<word>LETTER+(?:['-]LETTER+)*)
    | (?P<symbol>[#*+&@=])
    """.replace("LETTER", _LETTER).replace("RU_ENDING", _RU_ORDINAL_ENDINGS),
    re.VERBOSE | re.IGNORECASE,
)

_SYMBOLS = {
    "en": {"#": "pound", "*": "star", "+": "plus", "&": "and", "@": "at", "=": "equals"},
    "ru": {"#": "решётка", "*": "звёздочка", "+": "плюс", "&": "и", "@": "собака", "=": "равно"},
}
_POINT = {"en": "point", "ru": "запятая"}
_PERCENT_RU = ("процент", "процента", "процентов")
_DOLLARS_RU = ("доллар", "доллара", "долларов")


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"no text normalisation for language {lang!r}")


def read_number(text: str, lang: str) -> list[str]:
    """A plain digit string as spoken: codes digit by digit, others as cardinals."""
    if len(text) > 1 and (text.startswith("0") or len(text) >= 5):
        return digits(text, lang)
    n = int(text)
    if lang == "en" and len(text) == 4:
        year = en_year(n)
        if year is not None:
            return year
    return cardinal(n, lang)


def _last_number(tokens: Sequence[str], lang: str) -> int | None:
    """The value a run of cardinal words ends with (for noun agreement), roughly."""
    for size in (3, 2, 1):
        if len(tokens) >= size:
            tail = tokens[-size:]
            for n in range(1000):
                if cardinal(n, lang) == list(tail):
                    return n
    return None


def _piece_words(match: re.Match[str], lang: str, previous: list[str]) -> list[str]:
    kind = match.lastgroup
    text = match.group()
    if kind == "word":
        return [text.lower()]
    if kind == "number":
        return read_number(text, lang)
    if kind == "digit_list":
        return digits(text, lang)
    if kind == "grouped" or kind == "spaced":
        return cardinal(int(re.sub(r"[, ]", "", text)), lang)
    if kind == "decimal":
        whole, frac = re.split(r"[.,]", text)
        if lang == "en" and "," in text:  # an English comma is a thousands separator
            return [*read_number(whole, lang), *read_number(frac, lang)]
        return [*read_number(whole, lang), _POINT[lang], *digits(frac, lang)]
    if kind == "ord_en":
        return ordinal(int(re.match(r"\d+", text).group()), lang)  # type: ignore[union-attr]
    if kind == "ord_ru":
        number = re.match(r"\d+", text).group()  # type: ignore[union-attr]
        ending = text[len(number) :].lstrip("-")
        if lang != "ru":
            return [*read_number(number, lang), ending.lower()]
        return ordinal(int(number), lang, ending)
    if kind == "time":
        hours, minutes = (int(x) for x in text.split(":"))
        spoken_minutes: list[str] = []
        if minutes:
            spoken_minutes = (
                ["oh", *cardinal(minutes, lang)]
                if (lang == "en" and minutes < 10)
                else cardinal(minutes, lang)
            )
        elif lang == "ru":
            spoken_minutes = ["ноль", "ноль"]
        else:
            spoken_minutes = ["o'clock"]
        return [*cardinal(hours, lang), *spoken_minutes]
    if kind == "money":
        amount = text.lstrip("$").strip()
        words = _piece_words(_PIECE.fullmatch(amount) or _PIECE.match(amount), lang, [])  # type: ignore[arg-type]
        if lang == "en":
            return [*words, "dollar" if amount == "1" else "dollars"]
        value = int(re.sub(r"\D", "", amount.split(".")[0]) or 0)
        return [*words, plural_ru(value, _DOLLARS_RU)]
    if kind == "percent":
        if lang == "en":
            return ["percent"]
        value = _last_number(previous, lang)
        return [plural_ru(value if value is not None else 5, _PERCENT_RU)]
    if kind == "symbol":
        return [_SYMBOLS[lang][text]]
    return []


def normalize_text(text: str, lang: str) -> list[str]:
    """The tokens of ``text`` in the vosk path's form (see the module notes)."""
    _check_lang(lang)
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).translate(_SPACES)
    text = _BRACKETED.sub(" ", text)
    tokens: list[str] = []
    for match in _PIECE.finditer(text):
        tokens += _piece_words(match, lang, tokens)
    return tokens


@dataclass(frozen=True)
class TimedText:
    """One word as an engine wrote it, with its times and probability."""

    text: str
    start_s: float
    end_s: float
    conf: float = 1.0


def normalize_words(words: Iterable[TimedText], lang: str) -> list[Word]:
    """Engine words -> project words: punctuation-only words vanish, a word
    that reads as several ("1,001") shares its time span between them in
    proportion to their length, in time order and never outside the span."""
    out: list[Word] = []
    for item in words:
        tokens = normalize_text(item.text, lang)
        if not tokens:
            continue
        start_s = max(item.start_s, out[-1].end_s if out else 0.0)
        end_s = max(item.end_s, start_s)
        span_s = end_s - start_s
        total = sum(len(t) for t in tokens)
        at = start_s
        for n, token in enumerate(tokens):
            stop = end_s if n == len(tokens) - 1 else at + span_s * len(token) / total
            out.append(Word(token, round(at, 3), round(stop, 3), float(item.conf)))
            at = stop
    return out
