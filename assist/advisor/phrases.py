"""The phrase library: calming phrases and behaviour cues from data files."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ivr.datafile import DataFileError, load_toml, table_line
from ivr.events import SuggestionKind

PRINCIPLES = frozenset(
    {
        "patience", "empathy", "flexibility", "explain_steps", "polite_no",
        "not_personal", "praise", "no_ego", "can_solve", "respect",
    }
)
TRIGGERS = frozenset(
    {
        "repeat_contact", "outage", "waiting", "transfers", "threat", "insult", "manager",
        "rising", "shouting", "fast_speech", "talk_over",
    }
)


@dataclass(frozen=True)
class Phrase:
    phrase_id: str
    text: str
    principle: str
    triggers: tuple[str, ...]
    kind: SuggestionKind


def default_phrase_file(lang: str) -> Path:
    return Path(str(resources.files("assist") / "data" / f"phrases_{lang}.toml"))


@cache
def load_phrases(lang: str, path: Path | None = None) -> tuple[Phrase, ...]:
    path = path or default_phrase_file(lang)
    data, lines = load_toml(path)
    entries = data.get("phrase")
    if not isinstance(entries, list) or not entries:
        raise DataFileError(path, None, "expected one or more [[phrase]] tables")
    phrases: list[Phrase] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        line = table_line(lines, "phrase", index)

        def fail(message: str, line: int | None = line) -> DataFileError:
            return DataFileError(path, line, f"phrase #{index + 1}: {message}")

        unknown = set(entry) - {"id", "text", "principle", "triggers", "kind"}
        if unknown:
            raise fail(f"unknown key(s) {sorted(unknown)}")
        for key in ("id", "text", "principle"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise fail(f"'{key}' must be a non-empty string")
        if entry["id"] in seen:
            raise fail(f"duplicate id {entry['id']!r}")
        seen.add(entry["id"])
        if entry["principle"] not in PRINCIPLES:
            raise fail(f"unknown principle {entry['principle']!r}; one of {sorted(PRINCIPLES)}")
        triggers = entry.get("triggers")
        if not isinstance(triggers, list) or not triggers or not set(triggers) <= TRIGGERS:
            raise fail(f"'triggers' must be a non-empty list drawn from {sorted(TRIGGERS)}")
        try:
            kind = SuggestionKind(entry.get("kind", "phrase"))
        except ValueError:
            raise fail("'kind' must be 'phrase' or 'cue'") from None
        phrases.append(Phrase(entry["id"], entry["text"].strip(), entry["principle"], tuple(triggers), kind))
    return tuple(phrases)
