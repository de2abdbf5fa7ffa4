"""An anger lexicon in memory: its categories and terms, and the matching of
a token sequence against them (lemmas, exact forms, prefixes, masked words,
phrases with gaps, negation and relief). Read from its file by
:mod:`assist.anger.lexicon`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assist.wordpatterns import PatternError, expand_word

from .morphology import Morphology, morphology, shortened
from .tokens import _MASK_RUN, is_masked, mask_pattern

_WORDS_CACHED = 100_000  # words whose analysis a lexicon keeps


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
            pattern = mask_pattern(surface)
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
