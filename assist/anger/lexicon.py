"""Anger lexicons: categories of words and phrases, read from readable TOML.

A lexicon file (``assist/data/lexicon_<lang>.toml``) has categories (insult,
threat, outage, ...). Each has a ``kind`` (``anger``: insults, threats,
demands, exasperation, profanity; ``complaint``: a fault described, waiting,
repeated contact, no way to reach a person), a label for reasons, a weight
(what one hit adds to the 0..1 score), an optional cap (the most the whole
category adds) and a list of terms. A term is one or more words separated by
spaces; each written word is

- ``жалоба`` / ``complain``: a lemma (Russian: every form pymorphy3 gives
  that lemma, ``жалобу``, ``жалобами``...) or a word whose stem is kept
  (English: the Snowball stem, ``complained``, ``complaints``...). A Russian
  word that is a known form of another lemma is refused, with the lemma to
  write instead;
- ``=стали`` / ``=sue``: that exact form only;
- ``{уйти,перейти}``: alternatives, each read as above (braces may sit inside
  a word: ``{по,}звонить``);
- ``stem*``: any word starting with the stem.

Words of a phrase must come in order; ``phrase_max_gap`` other words may sit
between two of them. A negator (``не``, ``not``, ``won't``...) up to
``window`` words before a term of a negatable category cancels it unless a
barrier word (``но``, ``but``) comes between.

Text is matched as the tokens of :func:`tokenize`: normalised words
(:mod:`assist.wordpatterns`), where a word masked with ``*`` (``f***``,
``бл*``, ``п@здец``) stays one token and counts for a term of a category with
``masked = true`` when the mask fits one of the term's forms. Letters
repeated for emphasis (``ужаааас``) read as the plain word
(:mod:`assist.anger.morphology`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from assist.wordpatterns import PatternError, expand_word, is_token
from assist.wordpatterns import normalize_word as normalize_word  # re-exported
from ivr.datafile import DataFileError, load_toml
from ivr.tomllines import KeyLines

from .lexicon_match import Category, Lexicon, LexWord, Term
from .morphology import Morphology, morphology
from .tokens import MARKS, normalize_language, tokenize

__all__ = [  # the lexicon's public names, wherever they are defined
    "DATA_DIR",
    "Lexicon",
    "Term",
    "available_languages",
    "lexicon_keywords",
    "lexicon_vocabulary",
    "load_lexicon",
    "normalize_language",
    "normalize_word",
    "tokenize",
]

DATA_DIR: Path = Path(__file__).resolve().parent.parent / "data"

Kind = Literal["anger", "complaint"]
KINDS: tuple[str, ...] = ("anger", "complaint")


_TOP_KEYS = {"language", "negation", "relief", "matching", "categories"}
_RELIEF_KEYS = {"words", "window", "barriers"}
_NEGATION_KEYS = {"words", "window", "barriers"}
_MATCHING_KEYS = {"phrase_max_gap"}
_CATEGORY_KEYS = {
    "label", "kind", "weight", "negatable", "cap", "masked", "relievable", "speech", "terms",
}  # fmt: skip
_TERM_KEYS = {"term", "weight", "negatable", "speech"}


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
    """One form of every word of the shipped lexicon of ``lang`` (for the speech model)."""
    return load_lexicon(lang).keywords()


def lexicon_vocabulary(lang: str) -> list[str]:
    """Every concrete lowercase word form the shipped lexicon of ``lang`` can match."""
    return _vocabulary_cached(normalize_language(lang))


@cache
def _vocabulary_cached(lang: str) -> list[str]:
    return load_lexicon(lang).vocabulary()


@cache
def _load_cached(lang: str, path: Path) -> Lexicon:
    return _load(lang, path)


def parse_word(written: str, morph: Morphology) -> LexWord:
    """One written word of a term (see the module doc); :class:`PatternError` says why not."""
    if written in MARKS:  # a mark of written text: itself, nothing to speak
        return LexWord(written, forms=frozenset({written}))
    exact = written.startswith("=")
    body = normalize_word(written.removeprefix("="))
    pattern = expand_word(body)
    if pattern.stems:
        if exact:
            raise PatternError(
                f"{written!r}: '=' (this form only) and '*' (a prefix) exclude each other"
            )
        return LexWord(body, stems=pattern.stems)
    if exact:
        return LexWord("=" + body, forms=pattern.forms, canonical=pattern.canonical)
    for form in sorted(pattern.forms):
        hint = morph.lemma_hint(form)
        if hint is not None:
            raise PatternError(
                f"{form!r} is a form of {hint!r}: write the lemma {hint!r} "
                f"(every form matches), or '={form}' for this form only"
            )
    keys = frozenset(morph.key(form) for form in pattern.forms)
    return LexWord(body, keys=keys, canonical=pattern.canonical)


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

    def choice(self, value: Any, where: tuple[str, ...], allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.fail(
                where, f"'{where[-1]}' must be one of {', '.join(allowed)}, got {value!r}"
            )
        return str(value)

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
    morph = morphology(language)

    negation = check.table(data.get("negation", {}), ("negation",), _NEGATION_KEYS)
    negators = check.words(negation.get("words", []), ("negation", "words"))
    barriers = check.words(negation.get("barriers", []), ("negation", "barriers"))
    window = check.integer(negation.get("window", 3), ("negation", "window"), 0, 10)
    relief = check.table(data.get("relief", {}), ("relief",), _RELIEF_KEYS)
    relief_words = _relief_words(check, morph, relief.get("words", []))
    relief_barriers = check.words(relief.get("barriers", []), ("relief", "barriers"))
    relief_window = check.integer(relief.get("window", 0), ("relief", "window"), 0, 30)
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
        kind = check.choice(raw.get("kind", "anger"), (*where, "kind"), KINDS)
        category = Category(
            name=name,
            label=check.string(raw.get("label", name.replace("_", " ")), (*where, "label")),
            weight=check.number(raw["weight"], (*where, "weight"), 0.0, 1.0),
            negatable=check.boolean(raw.get("negatable", True), (*where, "negatable")),
            cap=check.number(raw.get("cap", 1.0), (*where, "cap"), 0.0, 1.0),
            kind=kind,
            masked=check.boolean(raw.get("masked", False), (*where, "masked")),
            relievable=check.boolean(
                raw.get("relievable", kind == "complaint"), (*where, "relievable")
            ),
        )
        speech = check.boolean(raw.get("speech", True), (*where, "speech"))
        categories.append(category)
        if not isinstance(raw["terms"], list) or not raw["terms"]:
            raise check.fail((*where, "terms"), f"'terms' of '{name}' must be a non-empty list")
        for item in raw["terms"]:
            term = _parse_term(check, morph, category, speech, item, (*where, "terms"))
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
        relief=relief_words,
        relief_window=relief_window,
        relief_barriers=relief_barriers,
        morphology=morph,
    )


def _relief_words(check: _Checker, morph: Morphology, value: Any) -> tuple[LexWord, ...]:
    where = ("relief", "words")
    if not isinstance(value, list):
        raise check.fail(where, "'words' must be a list of words")
    out = []
    for item in value:
        if not isinstance(item, str) or " " in item.strip():
            raise check.fail(where, f"'words': {item!r} is not a single word", str(item))
        try:
            out.append(parse_word(item.strip(), morph))
        except PatternError as exc:
            raise check.fail(where, str(exc), item) from None
    return tuple(out)


def _parse_term(
    check: _Checker,
    morph: Morphology,
    category: Category,
    speech: bool,
    item: Any,
    where: tuple[str, ...],
) -> Term:
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
            if "speech" in item:
                speech = check.boolean(item["speech"], (*where, "speech"))
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
        words = tuple(parse_word(part, morph) for part in text.split(" "))
    except PatternError as exc:
        raise check.fail(where, str(exc), text) from None
    return Term(
        text=text,
        category=category.name,
        weight=weight,
        negatable=negatable,
        words=words,
        speech=speech,
    )
