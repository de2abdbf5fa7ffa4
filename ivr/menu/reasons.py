"""The words of an IVR call's reasons ("caller chose key 1 in Home
internet", "angry: ..."), per language, from ``ivr/menu/data/reasons_<lang>.toml``.

Every language file has the English file's keys with the same
``{placeholders}``; errors name the file and the line. Read once per
language; the IVR session gets the texts when it is built, so it stays
free of I/O.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ivr.datafile import DataFileError, load_toml
from ivr.tomllines import KeyLines

REFERENCE = "en"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class ReasonTexts:
    language: str
    texts: dict[str, str]
    levels: dict[str, str]

    def say(self, key: str, **values: Any) -> str:
        return string.Formatter().vformat(self.texts[key], (), values)

    def level(self, level: str) -> str:
        return self.levels.get(level, level)


def reasons_file(lang: str) -> Path:
    return Path(str(resources.files("ivr.menu") / "data" / f"reasons_{lang}.toml"))


@cache
def load_reason_texts(lang: str, path: Path | None = None) -> ReasonTexts:
    """A language's reason texts; English for a language without a file."""
    if path is None:
        path = reasons_file(lang)
        if not path.is_file():
            return load_reason_texts(REFERENCE)
    data, lines = load_toml(path)
    where = KeyLines(lines)

    def fail(key: tuple[str, ...], message: str) -> DataFileError:
        return DataFileError(path, where.line(key), message)

    language = data.pop("language", lang)
    if language != lang:
        raise fail(("language",), f"language is {language!r} but the file is for {lang!r}")
    levels = data.pop("levels", {})
    if not isinstance(levels, dict):
        raise fail(("levels",), "[levels] must be a table")
    for table, entries in ((), data), (("levels",), levels):
        for key, value in entries.items():
            if not isinstance(value, str) or not value.strip():
                raise fail((*table, key), f"{'.'.join((*table, key))} must be non-empty text")
    texts = ReasonTexts(lang, dict(data), dict(levels))
    if lang != REFERENCE or path != reasons_file(REFERENCE):
        _same_keys(texts, load_reason_texts(REFERENCE), fail)
    return texts


def _same_keys(texts: ReasonTexts, english: ReasonTexts, fail: Any) -> None:
    for table, mine, theirs in ((), texts.texts, english.texts), (
        ("levels",),
        texts.levels,
        english.levels,
    ):
        for key, text in theirs.items():
            if key not in mine:
                raise fail(table or ("language",), f"{'.'.join((*table, key))} is missing")
            if set(_PLACEHOLDER.findall(mine[key])) != set(_PLACEHOLDER.findall(text)):
                wanted = sorted(set(_PLACEHOLDER.findall(text)))
                raise fail((*table, key), f"{'.'.join((*table, key))} must use {wanted}")
        extra = sorted(set(mine) - set(theirs))
        if extra:
            raise fail((*table, extra[0]), f"{'.'.join((*table, extra[0]))}: not an English key")
