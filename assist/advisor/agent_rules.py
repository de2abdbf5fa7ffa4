"""What the agent should not say, per language
(``assist/data/agent_warnings_<lang>.toml``): word patterns with the
principle they break and a better line, plus the texts of the warnings about
the agent's voice (talking over the customer, voice rising).

Matching is tolerant of recognition noise: spellings are normalised
(``cannot`` -> ``can't``), stray words may stand between the words of a
pattern, and words recognised with low confidence do not count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from assist.advisor.phrases import PRINCIPLES, Fail
from assist.advisor.wording import Pattern, PatternError, compile_pattern, rewritten, tokenize
from ivr import events as ev
from ivr.datafile import DataFileError, load_toml

_TOP_KEYS = {"language", "matching", "normalize", "talk_over", "voice_rising", "warning"}
_RULE_KEYS = {"id", "principle", "text", "patterns", "except"}


@dataclass(frozen=True)
class WarningRule:
    rule_id: str
    principle: str  # the principle these words break
    text: str  # what the agent sees: what went wrong and a better line
    patterns: tuple[Pattern, ...]
    exceptions: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class Notice:
    """The text of a warning about the agent's voice."""

    principle: str
    text: str


@dataclass(frozen=True)
class Heard:
    """Words of the agent that one rule warns about."""

    rule: WarningRule
    words: str  # the matched words as recognised (normalised)


@dataclass(frozen=True)
class AgentRules:
    language: str
    source: str
    rules: tuple[WarningRule, ...]
    rewrites: dict[tuple[str, ...], str]
    max_gap: int
    talk_over: Notice
    voice_rising: Notice

    def tokens(self, event: ev.TranscriptPartial | ev.TranscriptFinal) -> list[tuple[str, float]]:
        """Normalised tokens of a transcript with the recogniser's confidence
        (1.0 for results without word details), spellings rewritten."""
        raw: list[tuple[str, float]] = []
        if event.words:
            for word in event.words:
                raw.extend((token, word.conf) for token in tokenize(word.word))
        else:
            raw = [(token, 1.0) for token in tokenize(event.text)]
        merged = rewritten([t for t, _ in raw], self.rewrites)
        return [(token, min(c for _, c in raw[a : b + 1])) for token, a, b in merged]

    def check(self, tokens: Sequence[tuple[str, float]], min_conf: float) -> list[Heard]:
        """Every rule the tokens break, in file order (one hit per rule)."""
        words = [t for t, _ in tokens]
        heard: list[Heard] = []
        for rule in self.rules:
            hit = self._first_hit(rule, words, tokens, min_conf)
            if hit is not None:
                heard.append(Heard(rule, " ".join(words[hit[0] : hit[-1] + 1])))
        return heard

    def _first_hit(
        self,
        rule: WarningRule,
        words: list[str],
        tokens: Sequence[tuple[str, float]],
        min_conf: float,
    ) -> tuple[int, ...] | None:
        excepted = [(p[0], p[-1]) for x in rule.exceptions for p in x.find(words, self.max_gap)]
        for pattern in rule.patterns:
            for positions in pattern.find(words, self.max_gap):
                first, last = positions[0], positions[-1]
                if any(a <= last and first <= b for a, b in excepted):
                    continue
                if min(tokens[i][1] for i in positions) < min_conf:
                    continue
                return positions
        return None

    def vocabulary(self) -> list[str]:
        """Word forms the patterns spell out (stems excluded), for a speech
        model's vocabulary on the agent's channel."""
        forms = {
            form
            for rule in self.rules
            for pattern in rule.patterns
            for slot in pattern.slots
            for form in slot.forms
        }
        return sorted(forms)


def default_rules_file(lang: str) -> Path:
    return Path(str(resources.files("assist") / "data" / f"agent_warnings_{lang}.toml"))


@cache
def load_agent_rules(lang: str, path: Path | None = None) -> AgentRules:
    path = path or default_rules_file(lang)
    data, lines = load_toml(path)
    fail = Fail(path, lines)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise fail((unknown[0],), f"unknown key(s) {unknown}; expected {sorted(_TOP_KEYS)}")
    language = data.get("language", lang)
    if language != lang:
        raise fail(("language",), f"language is {language!r} but the file was loaded for {lang!r}")
    matching = _table(data, "matching", fail)
    if set(matching) - {"max_gap"}:
        raise fail(("matching",), "[matching] holds only 'max_gap'")
    max_gap = matching.get("max_gap", 1)
    if isinstance(max_gap, bool) or not isinstance(max_gap, int) or not 0 <= max_gap <= 3:
        raise fail(("matching", "max_gap"), "max_gap must be a whole number 0..3")
    rewrites = _rewrites(_table(data, "normalize", fail), fail)
    notices = [_notice(data, name, fail) for name in ("talk_over", "voice_rising")]
    entries = data.get("warning")
    if not isinstance(entries, list) or not entries:
        raise DataFileError(path, None, "expected one or more [[warning]] tables")
    rules: list[WarningRule] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        rules.append(_rule(entry, index, seen, rewrites, fail))
    return AgentRules(lang, str(path), tuple(rules), rewrites, max_gap, notices[0], notices[1])


def agent_warning_vocabulary(lang: str) -> list[str]:
    """The word forms of a language's agent warning patterns."""
    return load_agent_rules(lang).vocabulary()


def _table(data: dict[str, Any], name: str, fail: Fail) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise fail((name,), f"[{name}] must be a table")
    return table


def _rewrites(table: dict[str, Any], fail: Fail) -> dict[tuple[str, ...], str]:
    out: dict[tuple[str, ...], str] = {}
    for key, value in table.items():
        source = tuple(tokenize(key))
        target = tokenize(value) if isinstance(value, str) else []
        if not source or len(target) != 1:
            raise fail(("normalize", key), f"{key!r} must be rewritten to exactly one word")
        out[source] = target[0]
    return out


def _notice(data: dict[str, Any], name: str, fail: Fail) -> Notice:
    table = data.get(name)
    if not isinstance(table, dict):
        raise fail((name,), f"expected a [{name}] table with 'principle' and 'text'")
    if set(table) - {"principle", "text"}:
        raise fail((name,), f"[{name}] holds only 'principle' and 'text'")
    principle, text = table.get("principle"), table.get("text")
    if principle not in PRINCIPLES:
        raise fail(
            (name, "principle"), f"unknown principle {principle!r}; one of {list(PRINCIPLES)}"
        )
    if not isinstance(text, str) or not text.strip():
        raise fail((name, "text"), f"[{name}] 'text' must be a non-empty string")
    return Notice(principle, " ".join(text.split()))


def _rule(
    entry: dict[str, Any],
    index: int,
    seen: set[str],
    rewrites: dict[tuple[str, ...], str],
    fail: Fail,
) -> WarningRule:
    here: tuple[str | int, ...] = ("warning", index)

    def bad(key: str | None, message: str, text: str | None = None) -> DataFileError:
        where = here if key is None else (*here, key)
        return fail(where, f"warning #{index + 1}: {message}", text)

    unknown = set(entry) - _RULE_KEYS
    if unknown:
        raise bad(None, f"unknown key(s) {sorted(unknown)}")
    for key in ("id", "principle", "text"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise bad(key if key in entry else None, f"'{key}' must be a non-empty string")
    rule_id = entry["id"].strip()
    if rule_id in seen or "#" in rule_id:
        raise bad("id", f"id {rule_id!r} is used twice or contains '#'")
    seen.add(rule_id)
    if entry["principle"] not in PRINCIPLES:
        raise bad(
            "principle", f"unknown principle {entry['principle']!r}; one of {list(PRINCIPLES)}"
        )
    patterns = _patterns(entry, "patterns", rewrites, bad, required=True)
    exceptions = _patterns(entry, "except", rewrites, bad, required=False)
    text = " ".join(entry["text"].split())
    return WarningRule(rule_id, entry["principle"], text, patterns, exceptions)


def _patterns(
    entry: dict[str, Any],
    key: str,
    rewrites: dict[tuple[str, ...], str],
    bad: Callable[..., DataFileError],
    *,
    required: bool,
) -> tuple[Pattern, ...]:
    items = entry.get(key, [])
    if (
        not isinstance(items, list)
        or not all(isinstance(p, str) for p in items)
        or (required and not items)
    ):
        raise bad(key if key in entry else None, f"'{key}' must be a list of word patterns")
    out = []
    for text in items:
        try:
            pattern = compile_pattern(text)
        except PatternError as exc:
            raise bad(key, f"{key}: {exc}", text) from None
        spelled = [w for w in text.split() if (w.lower(),) in rewrites]
        if spelled:
            raise bad(
                key,
                f"{key}: {text!r} uses {spelled[0]!r}, which is rewritten before matching; "
                f"write {rewrites[(spelled[0].lower(),)]!r}",
                text,
            )
        out.append(pattern)
    return tuple(out)
