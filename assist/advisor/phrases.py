"""The phrase library: calming phrases and behaviour cues, one data file per
language (``assist/data/phrases_<lang>.toml``), validated at load with errors
that name the file and the line.

Every entry serves one principle (the ten principles of technical support
plus the first-line experience) and answers one or more triggers. Phrases
(``kind = "phrase"``) are something to say; cues (``kind = "cue"``) tell the
agent how to behave, and are the only entries allowed for the behaviour
triggers (shouting, fast speech, talk-over). An entry may state what must
have been heard before it is offered (``needs``: topics of the file's
``[topics]``, word patterns, reasons; see :mod:`assist.advisor.premises`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from assist.advisor.premises import Premises
from assist.advisor.wording import Pattern, PatternError, Slot, compile_pattern, expand_word
from ivr.datafile import DataFileError, load_toml
from ivr.events import SuggestionKind
from ivr.tomllines import KeyLines

LANGUAGES = ("en", "ru")

# The ten principles of technical support, then the first-line specialist's
# experience: never answer rudeness with rudeness, calm the customer, show
# that your only wish is to help.
PRINCIPLES: tuple[str, ...] = (
    "patience",
    "empathy",
    "flexibility",
    "explain_steps",
    "polite_no",
    "not_personal",
    "praise",
    "no_ego",
    "can_solve",
    "respect",
    "first_line",
)
# The triggers answered by phrases are data: the names ``[triggers]`` of the
# advisor's settings (assist/data/advisor.toml) gives the anger core's reason
# kinds, each answered by the phrase files. Only the ones below are contracts
# with code, so they stay here:
# - what the customer's anger as a whole or words the advisor itself reads call
#   for: "rising" (the fallback, with its own repeat time), "outage" and
#   "waiting" (an outage reason whose words speak of waiting is answered as
#   waiting; the words are the phrase file's [reasons] waiting);
CODED_TRIGGERS: tuple[str, ...] = ("rising", "outage", "waiting")
# - how the customer speaks: answered with a behaviour cue, never a script,
#   each found by its own rule (the [cues] weights, shouting only when angry);
CUE_TRIGGERS: tuple[str, ...] = ("shouting", "fast_speech", "talk_over")
# - what the agent said or did: answered with a warning (see agent_rules).
AGENT_TRIGGERS: tuple[str, ...] = ("agent_words", "agent_talk_over", "agent_voice")


def known_triggers() -> tuple[str, ...]:
    """The coded triggers and every one ``[triggers]`` of the advisor's settings
    names (answered by phrases)."""
    from assist.advisor.settings import load_advisor_settings  # it imports this module

    named = load_advisor_settings().triggers.values()
    return tuple(dict.fromkeys((*CODED_TRIGGERS, *CUE_TRIGGERS, *named)))


_TOP_KEYS = {"language", "labels", "reasons", "topics", "phrase"}
_PHRASE_KEYS = {"id", "text", "principle", "triggers", "kind", "needs"}
_NEEDS_KEYS = {"topics", "words", "reasons"}


class Fail:
    """Errors that name the file and the line of a key (or of a string in an array)."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path, self.where = path, KeyLines(lines)

    def __call__(
        self, key: tuple[str | int, ...], message: str, text: str | None = None
    ) -> DataFileError:
        line = self.where.line(key) if text is None else self.where.text_line(key, text)
        return DataFileError(self.path, line, message)


@dataclass(frozen=True)
class Phrase:
    phrase_id: str
    text: str
    principle: str
    triggers: tuple[str, ...]
    kind: SuggestionKind = SuggestionKind.PHRASE
    needs: Premises = field(default_factory=Premises)  # what must have been heard first


@dataclass(frozen=True)
class PhraseBook:
    """One language's phrases and cues, with labels for screens and hints
    for reading the anger core's reasons."""

    language: str
    source: str
    phrases: tuple[Phrase, ...]
    principle_labels: dict[str, str] = field(default_factory=dict, compare=False)
    trigger_labels: dict[str, str] = field(default_factory=dict, compare=False)
    waiting_words: tuple[Slot, ...] = ()  # words of an outage reason that mean "waited"
    topics: dict[str, tuple[Pattern, ...]] = field(default_factory=dict, compare=False)

    def for_trigger(self, trigger: str) -> tuple[Phrase, ...]:
        return tuple(p for p in self.phrases if trigger in p.triggers)

    def principle_label(self, principle: str) -> str:
        return self.principle_labels.get(principle, principle)

    def trigger_label(self, trigger: str) -> str:
        return self.trigger_labels.get(trigger, trigger)


def library_language(language: str) -> str:
    """``ru-RU`` -> ``ru``; a language without a library gets English."""
    base = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGUAGES else "en"


def default_phrase_file(lang: str) -> Path:
    return Path(str(resources.files("assist") / "data" / f"phrases_{lang}.toml"))


@cache
def load_phrase_book(lang: str, path: Path | None = None) -> PhraseBook:
    path = path or default_phrase_file(lang)
    data, lines = load_toml(path)
    fail = Fail(path, lines)

    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise fail((unknown[0],), f"unknown key(s) {unknown}; expected {sorted(_TOP_KEYS)}")
    language = data.get("language", lang)
    if language != lang:
        raise fail(("language",), f"language is {language!r} but the file was loaded for {lang!r}")
    principle_labels, trigger_labels = _labels(data.get("labels", {}), fail)
    waiting = _waiting_words(data.get("reasons", {}), fail)
    topics = _topics(data.get("topics", {}), fail)
    entries = data.get("phrase")
    if not isinstance(entries, list) or not entries:
        raise DataFileError(path, None, "expected one or more [[phrase]] tables")
    phrases: list[Phrase] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        phrases.append(_phrase(entry, index, seen, fail, topics))
    return PhraseBook(
        lang, str(path), tuple(phrases), principle_labels, trigger_labels, waiting, topics
    )


def load_phrases(lang: str, path: Path | None = None) -> tuple[Phrase, ...]:
    """Only the phrases and cues of one language's library."""
    return load_phrase_book(lang, path).phrases


def _phrase(
    entry: dict[str, Any],
    index: int,
    seen: set[str],
    fail: Fail,
    topics: dict[str, tuple[Pattern, ...]],
) -> Phrase:
    here: tuple[str | int, ...] = ("phrase", index)

    def bad(key: str | None, message: str) -> DataFileError:
        return fail(here if key is None else (*here, key), f"phrase #{index + 1}: {message}")

    unknown = set(entry) - _PHRASE_KEYS
    if unknown:
        raise bad(None, f"unknown key(s) {sorted(unknown)}")
    for key in ("id", "text", "principle"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise bad(key if key in entry else None, f"'{key}' must be a non-empty string")
    phrase_id = entry["id"].strip()
    if phrase_id in seen:
        raise bad("id", f"duplicate id {phrase_id!r}")
    if "#" in phrase_id:
        raise bad("id", f"id {phrase_id!r} must not contain '#'")
    seen.add(phrase_id)
    if entry["principle"] not in PRINCIPLES:
        raise bad(
            "principle", f"unknown principle {entry['principle']!r}; one of {list(PRINCIPLES)}"
        )
    triggers = entry.get("triggers")
    known = known_triggers()
    if (
        not isinstance(triggers, list)
        or not triggers
        or not all(isinstance(t, str) and t in known for t in triggers)
    ):
        raise bad(
            "triggers" if "triggers" in entry else None,
            f"'triggers' must be a non-empty list drawn from {list(known)}",
        )
    kind_text = entry.get("kind", "phrase")
    if kind_text not in ("phrase", "cue"):
        raise bad("kind", "'kind' must be 'phrase' or 'cue'")
    kind = SuggestionKind(kind_text)
    behaviour = [t for t in triggers if t in CUE_TRIGGERS]
    if behaviour and kind is not SuggestionKind.CUE:
        raise bad(
            "kind", f'trigger(s) {behaviour} are answered by behaviour cues: set kind = "cue"'
        )
    needs = _needs(entry.get("needs", {}), (*here, "needs"), fail, topics, bad)
    return Phrase(
        phrase_id, " ".join(entry["text"].split()), entry["principle"], tuple(triggers), kind, needs
    )


def _needs(
    table: Any,
    here: tuple[str | int, ...],
    fail: Fail,
    topics: dict[str, tuple[Pattern, ...]],
    bad: Any,
) -> Premises:
    if not isinstance(table, dict) or set(table) - _NEEDS_KEYS:
        raise bad("needs", f"'needs' is a table of {sorted(_NEEDS_KEYS)}, each a list of strings")
    lists: dict[str, list[str]] = {}
    for key in sorted(_NEEDS_KEYS):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("needs", f"needs.{key} must be a list of strings")
        lists[key] = [v.strip() for v in value]
    for topic in lists["topics"]:
        if topic not in topics:
            raise fail(here, f"needs an unknown topic {topic!r}; [topics] has {sorted(topics)}")
    for reason in lists["reasons"]:
        if reason not in known_triggers():
            raise fail(here, f"needs an unknown reason {reason!r}; one of {list(known_triggers())}")
    words = []
    for text in lists["words"]:
        try:
            words.append(compile_pattern(text))
        except PatternError as exc:
            raise fail(here, f"needs.words {text!r}: {exc}") from None
    return Premises(tuple(lists["topics"]), tuple(words), tuple(lists["reasons"]))


def _topics(table: Any, fail: Fail) -> dict[str, tuple[Pattern, ...]]:
    if not isinstance(table, dict):
        raise fail(("topics",), "[topics] must be a table of name = [word patterns]")
    out: dict[str, tuple[Pattern, ...]] = {}
    for name, patterns in table.items():
        if not isinstance(patterns, list) or not patterns:
            raise fail(("topics", name), f"topic {name!r} must be a non-empty list of patterns")
        compiled = []
        for text in patterns:
            if not isinstance(text, str):
                raise fail(("topics", name), f"topic {name!r}: patterns are strings")
            try:
                compiled.append(compile_pattern(text))
            except PatternError as exc:
                raise fail(("topics", name), f"topic {name!r}: {text!r}: {exc}", text) from None
        out[name] = tuple(compiled)
    return out


def _labels(table: Any, fail: Fail) -> tuple[dict[str, str], dict[str, str]]:
    if not isinstance(table, dict) or set(table) - {"principles", "triggers"}:
        raise fail(("labels",), "[labels] holds only [labels.principles] and [labels.triggers]")
    out: list[dict[str, str]] = []
    triggers = known_triggers() + AGENT_TRIGGERS
    for name, known in (("principles", PRINCIPLES), ("triggers", triggers)):
        labels = table.get(name, {})
        if not isinstance(labels, dict):
            raise fail(("labels", name), f"[labels.{name}] must be a table")
        for key, value in labels.items():
            if key not in known:
                raise fail(
                    ("labels", name, key), f"no {name[:-1]} called {key!r}; one of {list(known)}"
                )
            if not isinstance(value, str) or not value.strip():
                raise fail(("labels", name, key), f"label of {key!r} must be a non-empty string")
        out.append({k: v.strip() for k, v in labels.items()})
    return out[0], out[1]


def _waiting_words(table: Any, fail: Fail) -> tuple[Slot, ...]:
    if not isinstance(table, dict) or set(table) - {"waiting"}:
        raise fail(("reasons",), "[reasons] holds only 'waiting'")
    words = table.get("waiting", [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise fail(("reasons", "waiting"), "'waiting' must be a list of word patterns")
    slots = []
    for word in words:
        if len(word.split()) != 1:
            raise fail(("reasons", "waiting"), f"{word!r}: one word per entry", word)
        try:
            slots.append(expand_word(word))
        except PatternError as exc:
            raise fail(("reasons", "waiting"), str(exc), word) from None
    return tuple(slots)
