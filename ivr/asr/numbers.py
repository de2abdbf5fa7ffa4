"""Numbers as the words people say, in Russian and English.

Recognisers that write digits (Whisper writes "1,001", "3rd", "3-й") are
brought to the token form of the vosk path, which only ever produces words.
Cardinals are given in the nominative (Russian case agreement with the next
noun is not guessed); ordinals take the case their written ending shows
("3-го" -> "третьего"). Pure functions, no I/O.
"""

from __future__ import annotations

_EN_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_EN_ORDINAL = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}

_RU_ONES_M = (
    "ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать "
    "тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать"
).split()
_RU_TENS = (
    "_ _ двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто"
).split()
_RU_HUNDREDS = "_ сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот".split()
# (value, forms for 1 / 2-4 / 5+, grammatical gender of the scale word)
_RU_SCALES = (
    (10**9, ("миллиард", "миллиарда", "миллиардов"), "m"),
    (10**6, ("миллион", "миллиона", "миллионов"), "m"),
    (1000, ("тысяча", "тысячи", "тысяч"), "f"),
)

# Ordinal stems with their declension type: "hard" (-ый), "stressed" (-ой), "soft" (третий).
_RU_ORD_ONES = {
    0: ("нулев", "hard"),
    1: ("перв", "hard"),
    2: ("втор", "stressed"),
    3: ("трет", "soft"),
    4: ("четвёрт", "hard"),
    5: ("пят", "hard"),
    6: ("шест", "stressed"),
    7: ("седьм", "stressed"),
    8: ("восьм", "stressed"),
    9: ("девят", "hard"),
    10: ("десят", "hard"),
    11: ("одиннадцат", "hard"),
    12: ("двенадцат", "hard"),
    13: ("тринадцат", "hard"),
    14: ("четырнадцат", "hard"),
    15: ("пятнадцат", "hard"),
    16: ("шестнадцат", "hard"),
    17: ("семнадцат", "hard"),
    18: ("восемнадцат", "hard"),
    19: ("девятнадцат", "hard"),
}
_RU_ORD_TENS = {
    2: ("двадцат", "hard"),
    3: ("тридцат", "hard"),
    4: ("сороков", "stressed"),
    5: ("пятидесят", "hard"),
    6: ("шестидесят", "hard"),
    7: ("семидесят", "hard"),
    8: ("восьмидесят", "hard"),
    9: ("девяност", "hard"),
}
_RU_ORD_HUNDREDS = {
    1: "сот",
    2: "двухсот",
    3: "трёхсот",
    4: "четырёхсот",
    5: "пятисот",
    6: "шестисот",
    7: "семисот",
    8: "восьмисот",
    9: "девятисот",
}
# Written ending -> grammatical form; the endings people write after a hyphen.
_RU_ENDING_FORM = {
    "й": "nom_m",
    "ый": "nom_m",
    "ой": "nom_m",
    "ий": "nom_m",
    "я": "nom_f",
    "ая": "nom_f",
    "е": "nom_n",
    "ое": "nom_n",
    "ее": "nom_n",
    "го": "gen",
    "ого": "gen",
    "его": "gen",
    "му": "dat",
    "ому": "dat",
    "ему": "dat",
    "м": "prep",
    "ом": "prep",
    "ем": "prep",
    "ым": "ins",
    "им": "ins",
    "ю": "acc_f",
    "ую": "acc_f",
    "юю": "acc_f",
    "х": "gen_pl",
    "ых": "gen_pl",
    "их": "gen_pl",
    "ми": "ins_pl",
}
_RU_ENDINGS = {
    "hard": {
        "nom_m": "ый", "nom_f": "ая", "nom_n": "ое", "gen": "ого", "dat": "ому",
        "prep": "ом", "ins": "ым", "acc_f": "ую", "gen_pl": "ых", "ins_pl": "ыми",
    },
    "stressed": {
        "nom_m": "ой", "nom_f": "ая", "nom_n": "ое", "gen": "ого", "dat": "ому",
        "prep": "ом", "ins": "ым", "acc_f": "ую", "gen_pl": "ых", "ins_pl": "ыми",
    },
    "soft": {
        "nom_m": "ий", "nom_f": "ья", "nom_n": "ье", "gen": "ьего", "dat": "ьему",
        "prep": "ьем", "ins": "ьим", "acc_f": "ью", "gen_pl": "ьих", "ins_pl": "ьими",
    },
}  # fmt: skip

LANGUAGES = ("ru", "en")


def _check(n: int, lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"no number words for language {lang!r} (known: {', '.join(LANGUAGES)})")
    if n < 0:
        raise ValueError(f"negative numbers are spelled by the caller, got {n}")


def _en_below_thousand(n: int) -> list[str]:
    words: list[str] = []
    if n >= 100:
        words += [_EN_ONES[n // 100], "hundred"]
        n %= 100
        if not n:
            return words
    if n < 20:
        return [*words, _EN_ONES[n]]
    words.append(_EN_TENS[n // 10])
    if n % 10:
        words.append(_EN_ONES[n % 10])
    return words


def _en_cardinal(n: int) -> list[str]:
    if n < 1000:
        return _en_below_thousand(n)
    words: list[str] = []
    for value, name in _EN_SCALES:
        if n >= value:
            words += [*_en_cardinal(n // value), name]
            n %= value
    if n:
        words += _en_below_thousand(n)
    return words


def _ru_below_thousand(n: int, gender: str = "m") -> list[str]:
    words: list[str] = []
    if n >= 100:
        words.append(_RU_HUNDREDS[n // 100])
        n %= 100
        if not n:
            return words
    if n >= 20:
        words.append(_RU_TENS[n // 10])
        n %= 10
        if not n:
            return words
    word = _RU_ONES_M[n]
    if gender == "f" and n in (1, 2):
        word = "одна" if n == 1 else "две"
    return [*words, word]


def _ru_plural(n: int, forms: tuple[str, str, str]) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def _ru_cardinal(n: int) -> list[str]:
    if n < 1000:
        return _ru_below_thousand(n)
    words: list[str] = []
    for value, forms, gender in _RU_SCALES:
        if n >= value:
            count = n // value
            head = _ru_cardinal(count) if count >= 1000 else _ru_below_thousand(count, gender)
            if count == 1 and value == 1000:
                head = []  # "тысяча", not "одна тысяча"
            words += [*head, _ru_plural(count, forms)]
            n %= value
    if n:
        words += _ru_below_thousand(n)
    return words


def cardinal(n: int, lang: str) -> list[str]:
    """``n`` as spoken words: 1001 -> ["one", "thousand", "one"] / ["тысяча", "один"]."""
    _check(n, lang)
    return _en_cardinal(n) if lang == "en" else _ru_cardinal(n)


def _en_ordinal(n: int) -> list[str]:
    words = _en_cardinal(n)
    last = words[-1]
    if last in _EN_ORDINAL:
        words[-1] = _EN_ORDINAL[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return words


def _ru_ordinal(n: int, form: str) -> list[str]:
    head: list[str] = []
    rest = n
    if n >= 1000:
        if n % 1000 == 0:
            # "двухтысячный" (one word, genitive stem) is rare in calls: "две тысячный"
            # is close enough for matching and readable.
            count = n // 1000
            head = [] if count == 1 else _ru_cardinal(count)
            return [*head, "тысячн" + _RU_ENDINGS["hard"][form]]
        head = _ru_cardinal(n - n % 1000)
        rest = n % 1000
    if rest >= 100:
        if rest % 100 == 0:
            return [*head, _RU_ORD_HUNDREDS[rest // 100] + _RU_ENDINGS["hard"][form]]
        head += [_RU_HUNDREDS[rest // 100]]
        rest %= 100
    if rest >= 20 and rest % 10 == 0:
        stem, kind = _RU_ORD_TENS[rest // 10]
    elif rest >= 20:
        head.append(_RU_TENS[rest // 10])
        stem, kind = _RU_ORD_ONES[rest % 10]
    else:
        stem, kind = _RU_ORD_ONES[rest]
    return [*head, stem + _RU_ENDINGS[kind][form]]


def ordinal(n: int, lang: str, ending: str = "") -> list[str]:
    """``n`` as an ordinal: 3 -> ["third"]; Russian takes its form from the written
    ``ending`` ("го" -> "третьего"; none or unknown -> the masculine nominative)."""
    _check(n, lang)
    if lang == "en":
        return _en_ordinal(n)
    return _ru_ordinal(n, _RU_ENDING_FORM.get(ending.lower(), "nom_m"))


def digits(text: str, lang: str) -> list[str]:
    """A digit string read digit by digit: "0412" -> zero four one two."""
    _check(0, lang)
    ones = _EN_ONES if lang == "en" else _RU_ONES_M
    return [ones[int(d)] for d in text if d.isdigit()]


def en_year(n: int) -> list[str] | None:
    """The way English reads years: 1999 -> nineteen ninety nine; None if not year-like."""
    if not 1100 <= n <= 2099 or 2000 <= n <= 2009 or n % 100 == 0:
        return None
    hi, lo = divmod(n, 100)
    tail = ["oh", _EN_ONES[lo]] if lo < 10 else _en_below_thousand(lo)
    return [*_en_below_thousand(hi), *tail]


def plural_ru(n: int, forms: tuple[str, str, str]) -> str:
    """The Russian noun form after ``n``: (процент, процента, процентов)."""
    return _ru_plural(n, forms)
