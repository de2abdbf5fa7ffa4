"""Spoken numbers back to the digits a customer meant.

The recogniser writes number words ("четыре два семь шесть", "сорок два",
"twenty one", "восемь девятьсот шестнадцать") and some engines or recorder
transcripts write digits ("4276"). :func:`number_runs` finds every run of
adjacent number tokens in a token list and reads it as the digit string a
person reading out a card or phone number means: each spoken group is
written out and the groups are joined ("сорок два семнадцать" -> "4217",
"сто два" -> "102", "double five" -> "55").

A run holding a scale word (thousand, million: "two thousand twenty four",
"пять тысяч") is a quantity, not an identifier read out; it is marked so.
Words of both languages are known whatever the call's language: they do not
collide, and a call analysed in the wrong language still hides its numbers.
Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

_ONES = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9,
    "ноль": 0, "нуль": 0, "один": 1, "одна": 1, "одно": 1, "два": 2, "две": 2, "три": 3,
    "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8, "девять": 9,
}  # fmt: skip
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "десять": 10, "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14,
    "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18,
    "девятнадцать": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
    "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "шестьдесят": 60,
    "семьдесят": 70, "восемьдесят": 80, "девяносто": 90,
}  # fmt: skip
_HUNDREDS = {
    "сто": 100, "двести": 200, "триста": 300, "четыреста": 400, "пятьсот": 500,
    "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
}  # fmt: skip
_HUNDRED_WORD = {"hundred"}  # English hundreds are "<one> hundred"
_REPEAT = {"double": 2, "triple": 3}  # "double five" -> 55 (how the British read numbers)
_SCALES = {
    "thousand", "million", "billion",
    "тысяча", "тысячи", "тысяч", "миллион", "миллиона", "миллионов", "миллиард",
    "миллиарда", "миллиардов",
}  # fmt: skip
_PLUS = {"plus", "плюс"}
NUMBER_WORDS: frozenset[str] = frozenset(
    [*_ONES, *_TEENS, *_TENS, *_HUNDREDS, *_HUNDRED_WORD, *_REPEAT, *_SCALES]
)
_WEAK = {"oh", "one", "double", "triple"}  # number words only beside other number words


@dataclass(frozen=True)
class NumberRun:
    """Tokens ``start..end-1`` read as ``digits``; ``plus`` if a spoken "+"
    opens it (kept inside the span); ``quantity`` if a scale word is in it."""

    start: int
    end: int
    digits: str
    plus: bool = False
    quantity: bool = False


def clean(token: str) -> str:
    return token.strip(".,;:!?\"'«»()[]").lower()


def is_number_token(token: str) -> bool:
    t = clean(token)
    return t in NUMBER_WORDS or (t.isdigit() and t.isascii())


class _Reader:
    """Reads one run of number tokens group by group into digits."""

    def __init__(self) -> None:
        self.digits: list[str] = []
        self.quantity = False
        self._hundreds = 0
        self._tens = 0
        self._ones: int | None = None
        self._open = False
        self._repeat = 1

    def _emit(self) -> None:
        if self._open:
            value = self._hundreds + self._tens + (self._ones or 0)
            self.digits.append(str(value) * self._repeat)
        self._hundreds, self._tens, self._ones, self._open, self._repeat = 0, 0, None, False, 1

    def add(self, token: str) -> None:
        t = clean(token)
        if t.isdigit():
            self._emit()
            self.digits.append(t)
        elif t in _REPEAT:
            self._emit()
            self._repeat = _REPEAT[t]
        elif t in _SCALES:
            self.quantity = True
            self._emit()
        elif t in _HUNDRED_WORD:
            if self._open and self._ones is not None and not (self._hundreds or self._tens):
                self._hundreds, self._ones = self._ones * 100, None
            else:
                self._emit()
                self._hundreds, self._open = 100, True
        elif t in _HUNDREDS:
            self._emit()
            self._hundreds, self._open = _HUNDREDS[t], True
        elif t in _TENS:
            if not (self._open and self._hundreds and not self._tens and self._ones is None):
                self._emit()
            self._tens, self._open = _TENS[t], True
        elif t in _TEENS:
            if not (self._open and self._hundreds and not self._tens and self._ones is None):
                self._emit()
            self._tens, self._open = _TEENS[t], True
            self._ones = 0  # nothing more attaches to a teen
        elif t in _ONES:
            attach = (
                self._open
                and self._ones is None
                and (self._tens or self._hundreds)
                and self._repeat == 1
            )
            if not attach:
                repeat = self._repeat if not self._open else 1
                self._emit()
                self._repeat = repeat
            self._ones, self._open = _ONES[t], True
            if self._repeat > 1:
                self._emit()

    def finish(self) -> str:
        self._emit()
        return "".join(self.digits)


def number_runs(tokens: Sequence[str]) -> list[NumberRun]:
    """Every maximal run of number tokens in ``tokens`` with the digits it reads as.

    A lone weak word ("one", "oh", "double") is not a run: "the one I bought"."""
    runs: list[NumberRun] = []
    i, n = 0, len(tokens)
    while i < n:
        if not is_number_token(tokens[i]):
            i += 1
            continue
        j = i
        reader = _Reader()
        while j < n and is_number_token(tokens[j]):
            reader.add(tokens[j])
            j += 1
        if j - i == 1 and clean(tokens[i]) in _WEAK:
            i = j
            continue
        digits = reader.finish()
        plus = i > 0 and clean(tokens[i - 1]) in _PLUS
        if digits:
            runs.append(NumberRun(i - plus, j, digits, plus, reader.quantity))
        i = j
    return runs


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    total = 0
    for n, ch in enumerate(reversed(digits)):
        d = int(ch)
        if n % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
