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

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from assist.wordpatterns import PatternError, expand_word, is_token, normalize
from assist.wordpatterns import normalize_word as normalize_word  # re-exported
from ivr.datafile import DataFileError, load_toml
from ivr.tomllines import KeyLines

from .morphology import Morphology, morphology, shortened

DATA_DIR: Path = Path(__file__).resolve().parent.parent / "data"

Kind = Literal["anger", "complaint"]
KINDS: tuple[str, ...] = ("anger", "complaint")

_LETTER = r"[^\W\d_]"
_MASK_CHARS = "*@#$%"
# A word: letters, apostrophes inside, and mask characters after the first
# letter (``*`` anywhere, ``@#$%`` only before another letter or mask).
_TOKEN = re.compile(rf"{_LETTER}(?:{_LETTER}|'(?={_LETTER})|\*|[@#$%](?=[^\W\d_]|\*))*")
_MASK_RUN = re.compile(r"[*@#$%]+")
_WORDS_CACHED = 100_000  # words whose analysis a lexicon keeps


def normalize_language(language: str) -> str:
    """``ru``, ``ru-RU``, ``ru_RU`` -> ``ru``."""
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


# Marks of written text, each run read as one token: a sad face (:( :-( (((
# and sad emoji, not the crying ones, which tweets use for laughing too) as
# ":(", an angry face or thumbs down as "😠", "?!" and "??" (indignant or
# insistent questions). Recognised speech has none.
MARKS: tuple[str, ...] = (":(", "😠", "?!", "??")
_MARK_PATTERNS = (
    (
        ":(",
        r"(?::-?\(+|\({2,}|[\U0001F61E\U0001F61F\U0001F622\U0001F62B\u2639\U0001F641\U0001F612])+",
    ),
    ("😠", r"[\U0001F620\U0001F621\U0001F92C\U0001F624\U0001F44E]+"),
    ("?!", r"\?+!+[?!]*|!+\?+[?!]*"),
    ("??", r"\?{2,}"),
)
_SCAN = re.compile(
    "|".join(f"(?P<m{i}>{pattern})" for i, (_, pattern) in enumerate(_MARK_PATTERNS))
    + f"|(?P<word>{_TOKEN.pattern})"
)


def tokenize(text: str) -> list[str]:
    """Normalised word tokens (as :func:`assist.wordpatterns.tokenize`), masked
    words kept whole, marks of written text as their :data:`MARKS`:
    ``"F***ing hell?!"`` -> ``["f***ing", "hell", "?!"]``."""
    out = []
    for found in _SCAN.finditer(normalize(text)):
        kind = found.lastgroup
        if kind == "word":
            out.extend(_TOKEN.findall(found.group().replace("-", " ")))
        elif kind is not None:
            out.append(_MARK_PATTERNS[int(kind[1:])][0])
    return out


def is_masked(token: str) -> bool:
    return any(c in _MASK_CHARS for c in token)


def _mask_pattern(token: str) -> re.Pattern[str] | None:
    """A masked word as a pattern over the letters it hides, or None when too
    little of it is visible to say (under two letters, or only one mask in
    a two-character word)."""
    letters = sum(c.isalpha() for c in token)
    if letters < 1 or len(token) < 3:
        return None
    parts: list[str] = []
    pos = 0
    for run in _MASK_RUN.finditer(token):
        parts.append(re.escape(token[pos : run.start()]))
        hidden = len(run.group())
        at_end = run.end() == len(token)
        parts.append(f"{_LETTER}{{1,{hidden + (4 if at_end else 1)}}}")
        pos = run.end()
    parts.append(re.escape(token[pos:]))
    return re.compile("".join(parts))


@dataclass(frozen=True)
class Category:
    name: str
    label: str  # shown in reasons, e.g. "manager demand"
    weight: float
    negatable: bool
    cap: float = 1.0  # most this category can add to the score, whatever is said
    kind: str = "anger"  # "anger" or "complaint": the two kinds of evidence
    masked: bool = False  # a masked word (f***, бл*) can stand for its terms
    relievable: bool = False  # thanks or praise nearby cancels it (complaints by default)


@dataclass(frozen=True)
class LexWord:
    """One written word of a term: lemma/stem keys, exact forms, prefixes."""

    written: str
    keys: frozenset[str] = frozenset()  # lemmas (ru) / stems (en) of the word
    forms: frozenset[str] = frozenset()  # exact forms (``=word``)
    stems: tuple[str, ...] = ()  # prefixes (``stem*``)
    canonical: str = ""  # one concrete form, for the speech model ("" for a prefix)

    def matches(self, token: Token) -> bool:
        if not self.keys.isdisjoint(token.keys) or token.surface in self.forms:
            return True
        return bool(self.stems) and token.surface.startswith(self.stems)


@dataclass(frozen=True)
class Token:
    surface: str  # the normalised token as written / recognised
    keys: frozenset[str]  # its lemmas / stems (the surface included)


@dataclass(frozen=True)
class Term:
    text: str  # as written in the lexicon file
    category: str
    weight: float
    negatable: bool
    words: tuple[LexWord, ...]
    speech: bool = True  # its words go into the speech model's vocabulary

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Match:
    term: Term
    positions: tuple[int, ...]  # token indices of the matched words
    negated: bool  # cancelled: by a negator, or (relieved) by thanks nearby
    relieved: bool = False  # a complaint next to thanks/praise ("thanks, it works again")

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
    relief: tuple[LexWord, ...] = ()
    relief_window: int = 0
    relief_barriers: frozenset[str] = frozenset()
    morphology: Morphology = field(repr=False, compare=False, hash=False, default=None)  # type: ignore[assignment]
    _by_key: dict[str, tuple[Term, ...]] = field(init=False, repr=False, compare=False, hash=False)
    _by_form: dict[str, tuple[Term, ...]] = field(init=False, repr=False, compare=False, hash=False)
    _prefixed: tuple[Term, ...] = field(init=False, repr=False, compare=False, hash=False)
    _maskable: tuple[tuple[Term, frozenset[str]], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _by_name: dict[str, Category] = field(init=False, repr=False, compare=False, hash=False)
    _masked_seen: dict[str, tuple[Term, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _words: dict[str, tuple[Token, tuple[Term, ...]]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _relief_keys: frozenset[str] = field(init=False, repr=False, compare=False, hash=False)
    _forms: frozenset[str] = field(init=False, repr=False, compare=False, hash=False)
    _relief_forms: frozenset[str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.morphology is None:
            object.__setattr__(self, "morphology", morphology(self.language))
        by_key: dict[str, list[Term]] = {}
        by_form: dict[str, list[Term]] = {}
        for term in self.terms:
            first = term.words[0]
            for key in first.keys:
                by_key.setdefault(key, []).append(term)
            for form in first.forms:
                by_form.setdefault(form, []).append(term)
        masked_categories = {c.name for c in self.categories if c.masked}
        maskable = tuple(
            (t, self._word_forms(t.words[0]))
            for t in self.terms
            if t.category in masked_categories and not t.is_phrase
        )
        setattr_ = object.__setattr__
        setattr_(self, "_by_key", {k: tuple(v) for k, v in by_key.items()})
        setattr_(self, "_by_form", {k: tuple(v) for k, v in by_form.items()})
        setattr_(self, "_prefixed", tuple(t for t in self.terms if t.words[0].stems))
        setattr_(self, "_maskable", maskable)
        setattr_(self, "_by_name", {c.name: c for c in self.categories})
        setattr_(self, "_masked_seen", {})
        setattr_(self, "_words", {})
        setattr_(self, "_relief_keys", frozenset(k for w in self.relief for k in w.keys))
        setattr_(self, "_relief_forms", frozenset(f for w in self.relief for f in w.forms))
        setattr_(self, "_forms", frozenset(self.vocabulary()))

    def clear_cache(self) -> None:
        """Forget the words seen (for measuring first-sight costs)."""
        self._words.clear()
        self._masked_seen.clear()

    def category(self, name: str) -> Category:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(name) from None

    def kind_of(self, category: str) -> str:
        """``anger`` or ``complaint``: the kind of evidence a category is."""
        return self.category(category).kind

    def analyse(self, tokens: Sequence[str]) -> list[Token]:
        """The tokens with their lemma/stem keys (cached per word)."""
        return [self._seen(surface)[0] for surface in tokens]

    def _seen(self, surface: str) -> tuple[Token, tuple[Term, ...]]:
        """A word's analysis and the terms it can start, cached per word."""
        known = self._words.get(surface)
        if known is None:
            if is_masked(surface):
                plain = _MASK_RUN.sub("", surface)
                token = Token(surface, self.morphology.keys(plain) | {surface})
            elif (
                surface not in self._forms
                and not shortened(surface)
                and self.morphology.is_known(surface)
            ):
                # A dictionary word outside every lexeme of the lexicon: none of
                # its lemmas is a lexicon key (a cheaper look-up than analysing it).
                token = Token(surface, frozenset({surface}))
            else:
                token = Token(surface, self.morphology.keys(surface))
            known = (token, tuple(self._candidates(token)))
            if len(self._words) >= _WORDS_CACHED:
                self._words.clear()
            self._words[surface] = known
        return known

    def find(self, tokens: Sequence[str]) -> list[Match]:
        """Non-overlapping matches in normalised tokens, in text order.

        Where terms overlap, the one matching more words wins (then the heavier).
        """
        seen = [self._seen(surface) for surface in tokens]
        analysed = [token for token, _ in seen]
        found: list[Match] = []
        for start, (_, candidates) in enumerate(seen):
            for term in candidates:
                positions = self._match_rest(term, analysed, start)
                if positions is not None:
                    found.append(Match(term, positions, False))
        if not found:
            return []
        found.sort(key=lambda m: (-len(m.positions), -m.term.weight, m.start))
        used: set[int] = set()
        chosen: list[Match] = []
        for match in found:
            if used.isdisjoint(match.positions):
                used.update(match.positions)
                negated = match.term.negatable and self._negated(tokens, match.start)
                relieved = (
                    not negated
                    and self.relief_window > 0
                    and self.category(match.term.category).relievable
                    and self._relieved(tokens, analysed, match)
                )
                chosen.append(Match(match.term, match.positions, negated or relieved, relieved))
        chosen.sort(key=lambda m: m.start)
        return chosen

    def vocabulary(self) -> list[str]:
        """Every concrete word form the lexicon can match (the lexemes of its
        lemmas, the inflections of its English words; not prefixes)."""
        words: set[str] = set(self.negators) | set(self.barriers) | set(self.relief_barriers)
        for term in self.terms:
            for word in term.words:
                words.update(self._word_forms(word))
        for word in self.relief:
            words.update(self._word_forms(word))
        return sorted(words)

    def keywords(self) -> list[str]:
        """One form per word of every spoken term (the lemma / the word as
        written; the first alternative of braces) and the negators: the small
        set a closed-vocabulary speech model needs to recognise every term in
        at least one form. Prefixes (``stem*``) and ``speech = false`` terms add
        nothing."""
        words: set[str] = set(self.negators)
        for term in self.terms:
            if term.speech:
                words.update(w.canonical for w in term.words if w.canonical)
        return sorted(words)

    def _word_forms(self, word: LexWord) -> frozenset[str]:
        forms = set(word.forms)
        for written in _alternatives(word.written):
            if not written.startswith("=") and not written.endswith("*"):
                forms |= self.morphology.forms(written)
        return frozenset(forms)

    def _candidates(self, token: Token) -> list[Term]:
        out: list[Term] = []
        seen: set[int] = set()

        def add(terms: Sequence[Term]) -> None:
            for term in terms:
                if id(term) not in seen:
                    seen.add(id(term))
                    out.append(term)

        add(self._by_form.get(token.surface, ()))
        for key in token.keys:
            add(self._by_key.get(key, ()))
        if self._prefixed:
            add([t for t in self._prefixed if t.words[0].matches(token)])
        if self._maskable and is_masked(token.surface):
            add(self._masked_terms(token.surface))
        return out

    def _masked_terms(self, surface: str) -> tuple[Term, ...]:
        known = self._masked_seen.get(surface)
        if known is None:
            pattern = _mask_pattern(surface)
            known = ()
            if pattern is not None:
                known = tuple(
                    term
                    for term, forms in self._maskable
                    if any(pattern.fullmatch(f) for f in forms)
                )
            if len(self._masked_seen) < 10_000:
                self._masked_seen[surface] = known
        return known

    def _match_rest(
        self, term: Term, tokens: Sequence[Token], start: int
    ) -> tuple[int, ...] | None:
        positions = [start]
        last = start
        reach = self.phrase_max_gap + 2
        count = len(tokens)
        for word in term.words[1:]:
            for index in range(last + 1, min(count, last + reach)):
                if word.matches(tokens[index]):
                    positions.append(index)
                    last = index
                    break
            else:
                return None
        return tuple(positions)

    def _relieved(self, tokens: Sequence[str], analysed: Sequence[Token], match: Match) -> bool:
        """Whether thanks or praise stands within the relief window of a
        complaint, with no relief barrier ("but") between them."""
        window = self.relief_window
        for step, stop in (
            (-1, max(-1, match.start - 1 - window)),
            (1, min(len(tokens), match.end + 1 + window)),
        ):
            index = match.start - 1 if step < 0 else match.end + 1
            while index != stop:
                if tokens[index] in self.relief_barriers:
                    break
                token = analysed[index]
                if token.surface in self._relief_forms or not token.keys.isdisjoint(
                    self._relief_keys
                ):
                    return True
                index += step
        return False

    def _negated(self, tokens: Sequence[str], start: int) -> bool:
        for index in range(start - 1, max(-1, start - 1 - self.negation_window), -1):
            if tokens[index] in self.barriers:
                return False
            if tokens[index] in self.negators:
                return True
        return False


def _alternatives(written: str) -> list[str]:
    """``{a,b}c`` -> ``ac``, ``bc`` (the ``=`` / ``*`` marks kept)."""
    exact = written.startswith("=")
    body = written.removeprefix("=")
    try:
        pattern = expand_word(body)
    except PatternError:
        return []
    if pattern.stems:
        return [s + "*" for s in pattern.stems]
    return [("=" if exact else "") + f for f in sorted(pattern.forms)]


# ---------------------------------------------------------------- loading

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
