"""Anger lexicons: categories of words and phrases, read from readable TOML.

A lexicon file (``assist/data/lexicon_<lang>.toml``) has categories (insult,
threat, repeat_contact, ...) with a label for reasons, a weight and a list of
terms. A term is one or more word patterns separated by spaces, in the
syntax of :mod:`assist.wordpatterns`:

- ``word``: that exact word form;
- ``жалоб{а,ы,у,ой}``: brace alternatives expand to concrete forms
  (``жалоба``, ``жалобы``, ...); an empty alternative is allowed
  (``complain{,s,ed}``) and several groups multiply;
- ``stem*``: any word starting with the stem (matching only: such a pattern
  adds nothing to :func:`lexicon_vocabulary`, so prefer braces).

Words of a phrase must come in order; ``phrase_max_gap`` other words may sit
between two of them. A negator (``не``, ``not``, ``won't``...) up to
``window`` words before a term of a negatable category cancels it unless a
barrier word (``но``, ``but``) comes between. Matching works on the
normalised tokens of :func:`assist.wordpatterns.tokenize`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from assist.wordpatterns import PatternError, WordPattern, expand_word, is_token
from assist.wordpatterns import normalize_word as normalize_word  # re-exported
from assist.wordpatterns import tokenize as tokenize  # re-exported
from ivr.datafile import DataFileError, load_toml
from ivr.tomllines import KeyLines

DATA_DIR: Path = Path(__file__).resolve().parent.parent / "data"


def normalize_language(language: str) -> str:
    """``ru``, ``ru-RU``, ``ru_RU`` -> ``ru``."""
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


@dataclass(frozen=True)
class Category:
    name: str
    label: str  # shown in reasons, e.g. "manager demand"
    weight: float
    negatable: bool
    cap: float = 1.0  # most this category can add to the score, whatever is said


@dataclass(frozen=True)
class Term:
    text: str  # as written in the lexicon file
    category: str
    weight: float
    negatable: bool
    tokens: tuple[WordPattern, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.tokens) > 1


@dataclass(frozen=True)
class Match:
    term: Term
    positions: tuple[int, ...]  # token indices of the matched words
    negated: bool

    @property
    def start(self) -> int:
        return self.positions[0]

    @property
    def end(self) -> int:
        return self.positions[-1]


@dataclass(frozen=True)
class Lexicon:
    language: str
    source: str
    categories: tuple[Category, ...]
    terms: tuple[Term, ...]
    negators: frozenset[str]
    negation_window: int
    barriers: frozenset[str]
    phrase_max_gap: int
    _by_first: dict[str, tuple[Term, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _stemmed: tuple[Term, ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Term]] = {}
        for term in self.terms:
            for form in term.tokens[0].forms:
                index.setdefault(form, []).append(term)
        object.__setattr__(self, "_by_first", {k: tuple(v) for k, v in index.items()})
        object.__setattr__(self, "_stemmed", tuple(t for t in self.terms if t.tokens[0].stems))

    def category(self, name: str) -> Category:
        for category in self.categories:
            if category.name == name:
                return category
        raise KeyError(name)

    def find(self, tokens: Sequence[str]) -> list[Match]:
        """Non-overlapping matches in normalised tokens, in text order.

        Where terms overlap, the one matching more words wins (then the heavier).
        """
        found: list[Match] = []
        for start, token in enumerate(tokens):
            for term in self._candidates(token):
                positions = self._match_rest(term, tokens, start)
                if positions is not None:
                    found.append(Match(term, positions, False))
        found.sort(key=lambda m: (-len(m.positions), -m.term.weight, m.start))
        used: set[int] = set()
        chosen: list[Match] = []
        for match in found:
            if used.isdisjoint(match.positions):
                used.update(match.positions)
                negated = match.term.negatable and self._negated(tokens, match.start)
                chosen.append(Match(match.term, match.positions, negated))
        chosen.sort(key=lambda m: m.start)
        return chosen

    def vocabulary(self) -> list[str]:
        """Concrete word forms the lexicon can match (brace expansions; not stems)."""
        words: set[str] = set(self.negators) | set(self.barriers)
        for term in self.terms:
            for pattern in term.tokens:
                words.update(pattern.forms)
        return sorted(words)

    def keywords(self) -> list[str]:
        """One canonical form per term word (the first brace alternative) and
        the negators: the small set a closed-vocabulary speech model needs to
        recognise every term at least in one form. Stems (``stem*``) add nothing."""
        words: set[str] = set(self.negators)
        for term in self.terms:
            words.update(pattern.canonical for pattern in term.tokens if not pattern.stems)
        return sorted(words)

    def _candidates(self, token: str) -> list[Term]:
        out = list(self._by_first.get(token, ()))
        out.extend(t for t in self._stemmed if t.tokens[0].matches(token))
        return out

    def _match_rest(self, term: Term, tokens: Sequence[str], start: int) -> tuple[int, ...] | None:
        positions = [start]
        for pattern in term.tokens[1:]:
            last = positions[-1]
            for index in range(last + 1, min(len(tokens), last + 2 + self.phrase_max_gap)):
                if pattern.matches(tokens[index]):
                    positions.append(index)
                    break
            else:
                return None
        return tuple(positions)

    def _negated(self, tokens: Sequence[str], start: int) -> bool:
        for index in range(start - 1, max(-1, start - 1 - self.negation_window), -1):
            if tokens[index] in self.barriers:
                return False
            if tokens[index] in self.negators:
                return True
        return False


# ---------------------------------------------------------------- loading

_TOP_KEYS = {"language", "negation", "matching", "categories"}
_NEGATION_KEYS = {"words", "window", "barriers"}
_MATCHING_KEYS = {"phrase_max_gap"}
_CATEGORY_KEYS = {"label", "weight", "negatable", "cap", "terms"}
_TERM_KEYS = {"term", "weight", "negatable"}


def default_lexicon_path(lang: str) -> Path:
    return DATA_DIR / f"lexicon_{normalize_language(lang)}.toml"


def available_languages() -> list[str]:
    return sorted(p.stem.removeprefix("lexicon_") for p in DATA_DIR.glob("lexicon_*.toml"))


def load_lexicon(lang: str, path: Path | None = None) -> Lexicon:
    """Load and validate a lexicon; the shipped one for ``lang`` when ``path`` is None (cached).

    Raises :class:`ivr.datafile.DataFileError` (``file:line: message``) on a bad file
    and ``ValueError`` for a language without a shipped lexicon.
    """
    lang = normalize_language(lang)
    if path is None:
        shipped = default_lexicon_path(lang)
        if not shipped.is_file():
            raise ValueError(
                f"no anger lexicon for language {lang!r} "
                f"(available: {', '.join(available_languages())})"
            )
        return _load_cached(lang, shipped)
    return _load(lang, Path(path))


def lexicon_keywords(lang: str) -> list[str]:
    """A canonical form of every word in the shipped lexicon of ``lang``."""
    return load_lexicon(lang).keywords()


def lexicon_vocabulary(lang: str) -> list[str]:
    """Concrete lowercase word forms the shipped lexicon of ``lang`` can match."""
    return load_lexicon(lang).vocabulary()


@cache
def _load_cached(lang: str, path: Path) -> Lexicon:
    return _load(lang, path)


class _Checker:
    """Schema checks for one file, raising errors that name file and line."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.keys = KeyLines(lines)
        self.near: str | None = None  # the term being checked, to find its line

    def fail(
        self, where: tuple[str | int, ...], message: str, text: str | None = None
    ) -> DataFileError:
        text = text if text is not None else self.near
        line = self.keys.text_line(where, text) if text is not None else self.keys.line(where)
        return DataFileError(self.path, line, message)

    def table(self, value: Any, where: tuple[str, ...], allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"'{'.'.join(where)}' must be a table")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    (*where, key),
                    f"unknown key '{key}' in [{'.'.join(where)}] "
                    f"(allowed: {', '.join(sorted(allowed))})",
                )
        return value

    def number(self, value: Any, where: tuple[str, ...], lo: float, hi: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise self.fail(
                where, f"'{where[-1]}' must be a number from {lo} to {hi}, got {value!r}"
            )
        return float(value)

    def integer(self, value: Any, where: tuple[str, ...], lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise self.fail(
                where, f"'{where[-1]}' must be a whole number from {lo} to {hi}, got {value!r}"
            )
        return value

    def boolean(self, value: Any, where: tuple[str, ...]) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"'{where[-1]}' must be true or false, got {value!r}")
        return value

    def string(self, value: Any, where: tuple[str, ...]) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"'{where[-1]}' must be a non-empty string")
        return value

    def words(self, value: Any, where: tuple[str, ...]) -> frozenset[str]:
        if not isinstance(value, list):
            raise self.fail(where, f"'{where[-1]}' must be a list of words")
        out: set[str] = set()
        for item in value:
            if not isinstance(item, str) or not is_token(normalize_word(item)):
                raise self.fail(where, f"'{where[-1]}': {item!r} is not a single word", str(item))
            out.add(normalize_word(item))
        return frozenset(out)


def _load(lang: str, path: Path) -> Lexicon:
    data, lines = load_toml(path)
    check = _Checker(path, lines)
    check.table(data, (), _TOP_KEYS)
    for required in ("language", "categories"):
        if required not in data:
            raise DataFileError(path, 1, f"missing '{required}'")
    language = normalize_language(check.string(data["language"], ("language",)))
    if language != lang:
        raise check.fail(("language",), f"this lexicon is for {language!r}, expected {lang!r}")

    negation = check.table(data.get("negation", {}), ("negation",), _NEGATION_KEYS)
    negators = check.words(negation.get("words", []), ("negation", "words"))
    barriers = check.words(negation.get("barriers", []), ("negation", "barriers"))
    window = check.integer(negation.get("window", 3), ("negation", "window"), 0, 10)
    matching = check.table(data.get("matching", {}), ("matching",), _MATCHING_KEYS)
    max_gap = check.integer(matching.get("phrase_max_gap", 1), ("matching", "phrase_max_gap"), 0, 5)

    raw_categories = check.table(data["categories"], ("categories",), set(data["categories"]))
    if not raw_categories:
        raise check.fail(("categories",), "no categories")
    categories: list[Category] = []
    terms: list[Term] = []
    seen: dict[str, str] = {}
    for name, raw in raw_categories.items():
        where = ("categories", name)
        raw = check.table(raw, where, _CATEGORY_KEYS)
        for required in ("weight", "terms"):
            if required not in raw:
                raise check.fail(where, f"category '{name}' has no '{required}'")
        category = Category(
            name=name,
            label=check.string(raw.get("label", name.replace("_", " ")), (*where, "label")),
            weight=check.number(raw["weight"], (*where, "weight"), 0.0, 1.0),
            negatable=check.boolean(raw.get("negatable", True), (*where, "negatable")),
            cap=check.number(raw.get("cap", 1.0), (*where, "cap"), 0.0, 1.0),
        )
        categories.append(category)
        if not isinstance(raw["terms"], list) or not raw["terms"]:
            raise check.fail((*where, "terms"), f"'terms' of '{name}' must be a non-empty list")
        for item in raw["terms"]:
            term = _parse_term(check, category, item, (*where, "terms"))
            if term.text in seen:
                raise check.fail(
                    (*where, "terms"),
                    f"term {term.text!r} is listed twice (also in '{seen[term.text]}')",
                    term.text,
                )
            seen[term.text] = name
            terms.append(term)
    return Lexicon(
        language=language,
        source=str(path),
        categories=tuple(categories),
        terms=tuple(terms),
        negators=negators,
        negation_window=window,
        barriers=barriers,
        phrase_max_gap=max_gap,
    )


def _parse_term(check: _Checker, category: Category, item: Any, where: tuple[str, ...]) -> Term:
    weight, negatable = category.weight, category.negatable
    if isinstance(item, dict):
        text = item.get("term")
        if not isinstance(text, str):
            raise check.fail(where, 'a term table needs term = "..."')
        check.near = text
        try:
            check.table(item, where, _TERM_KEYS)
            if "weight" in item:
                weight = check.number(item["weight"], (*where, "weight"), 0.0, 1.0)
            if "negatable" in item:
                negatable = check.boolean(item["negatable"], (*where, "negatable"))
        finally:
            check.near = None
    elif isinstance(item, str):
        text = item
    else:
        raise check.fail(where, f"a term must be a string or a table, got {item!r}")
    text = " ".join(text.split())
    if not text:
        raise check.fail(where, "empty term", "")
    try:
        tokens = tuple(expand_word(part) for part in text.split(" "))
    except PatternError as exc:
        raise check.fail(where, str(exc), text) from None
    return Term(
        text=text, category=category.name, weight=weight, negatable=negatable, tokens=tokens
    )
