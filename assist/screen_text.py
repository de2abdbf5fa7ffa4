"""The words on the agent screen and the supervisor dashboard, per language
(``assist/web/screen_<lang>.toml``).

The pages fetch these files and read them with a small reader of their own,
so the files keep to what that reader understands: ``[table]`` headers and
``key = "text"`` lines, one a line. :func:`load_screen_text` checks that,
and that every language has exactly the English file's keys with the same
``{placeholders}``; errors name the file and the line. ``serve`` and
``demo`` check the shipped files when they start.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path

from ivr.datafile import DataFileError, load_toml
from ivr.tomllines import KeyLines

LANGUAGES = ("en", "ru")
REFERENCE = "en"

# What the pages' reader understands (see readScreenText in common.js).
_HEADER = re.compile(r"^\[([A-Za-z0-9_]+)\]$")
_ENTRY = re.compile(r'^([A-Za-z0-9_]+)\s*=\s*("(?:[^"\\]|\\.)*")\s*(?:#.*)?$')
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

ScreenText = dict[str, dict[str, str]]


def screen_file(lang: str) -> Path:
    return Path(str(resources.files("assist") / "web" / f"screen_{lang}.toml"))


@cache
def load_screen_text(lang: str, path: Path | None = None) -> ScreenText:
    """One language's screen words, checked against the English file."""
    path = path or screen_file(lang)
    data, lines = _read(path, lang)
    if lang == REFERENCE and path == screen_file(REFERENCE):
        return data
    reference = load_screen_text(REFERENCE)
    where = KeyLines(lines)
    for table, entries in reference.items():
        if table not in data:
            raise DataFileError(path, None, f"[{table}] is missing (the English file has it)")
        for key, english in entries.items():
            if key not in data[table]:
                raise DataFileError(
                    path, where.line((table,)), f"{table}.{key} is missing (English: {english!r})"
                )
            wanted = set(_PLACEHOLDER.findall(english))
            if set(_PLACEHOLDER.findall(data[table][key])) != wanted:
                raise DataFileError(
                    path,
                    where.line((table, key)),
                    f"{table}.{key} must use the placeholders {sorted(wanted)} (as in English)",
                )
        extra = sorted(set(data[table]) - set(entries))
        if extra:
            raise DataFileError(
                path, where.line((table, extra[0])), f"{table}.{extra[0]}: no such key in English"
            )
    extra_tables = sorted(set(data) - set(reference))
    if extra_tables:
        raise DataFileError(
            path, where.line((extra_tables[0],)), f"[{extra_tables[0]}]: no such table in English"
        )
    return data


def check_screen_texts() -> None:
    """Every shipped language (raises :class:`DataFileError` naming the line)."""
    for lang in LANGUAGES:
        load_screen_text(lang)


def _read(path: Path, lang: str) -> tuple[ScreenText, list[str]]:
    data, lines = load_toml(path)
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#") or _HEADER.match(text):
            continue
        entry = _ENTRY.match(text)
        if entry is None:
            raise DataFileError(
                path, number, 'the pages read only [table] headers and key = "text" lines'
            )
        try:
            json.loads(entry.group(2))
        except ValueError:
            raise DataFileError(
                path, number, 'the pages understand only the escapes \\" \\\\ \\n \\t \\uXXXX'
            ) from None
    language = data.pop("language", lang)
    if language != lang:
        raise DataFileError(path, 1, f"language is {language!r} but the file is for {lang!r}")
    out: ScreenText = {}
    where = KeyLines(lines)
    for table, entries in data.items():
        if not isinstance(entries, dict):
            raise DataFileError(path, where.line((table,)), f"{table} must be a [table]")
        for key, value in entries.items():
            if not isinstance(value, str) or not value.strip():
                raise DataFileError(
                    path, where.line((table, key)), f"{table}.{key} must be non-empty text"
                )
        out[table] = dict(entries)
    return out, lines
