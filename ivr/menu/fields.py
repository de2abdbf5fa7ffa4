"""Checking the values of a menu file one key at a time, collecting problems.

:class:`FieldReader` reads typed values (texts, numbers, digits, per-language
prompts and synonyms) out of the parsed TOML and, instead of stopping at the
first bad one, records a :class:`Problem` with the line where it is written,
so :func:`ivr.menu.loader.load_menu` can report every problem at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ivr.datafile import DataFileError
from ivr.menu.model import DTMF_DIGITS, Prompt
from ivr.menu.words import phrase_form
from ivr.tomllines import KeyLines, KeyPath


class Problem(NamedTuple):
    line: int | None
    message: str


class MenuError(DataFileError):
    """A menu file with problems; ``problems`` lists all of them, in line order,
    and the message has one ``file:line: message`` line per problem."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        ordered = sorted(problems, key=lambda p: p.line or 0)
        self.problems = tuple(ordered)
        self.messages = tuple(
            f"{path}:{p.line}: {p.message}" if p.line else f"{path}: {p.message}" for p in ordered
        )
        ValueError.__init__(self, "\n".join(self.messages))
        self.path, self.line = path, ordered[0].line if ordered else None


def dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class FieldReader:
    """Typed values out of one parsed file; problems go to ``problems``."""

    def __init__(self, path: Path, data: dict[str, Any], lines: list[str]) -> None:
        self.path = path
        self.data = data
        self.where = KeyLines(lines)
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ()  # declared ones, once known

    # -- reporting and plain values -------------------------------------------------------

    def problem(self, path: KeyPath, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(line or self.where.line(path), message))

    def check_keys(self, table: dict[str, Any], path: KeyPath, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                where = f"[{dotted(path)}]" if path else "the file"
                self.problem(
                    (*path, key),
                    f"unknown key '{key}' in {where}; expected one of: {', '.join(allowed)}",
                )

    def table(self, parent: dict[str, Any], path: KeyPath, key: str) -> dict[str, Any] | None:
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem((*path, key), f"{dotted((*path, key))} must be a table")
            return None
        return value

    def value(
        self,
        table: dict[str, Any],
        path: KeyPath,
        key: str,
        check: Callable[[Any], bool],
        expected: str,
        default: Any = None,
        *,
        required: bool = False,
    ) -> Any:
        if key not in table:
            if required:
                self.problem(path, f"{dotted(path)} needs {key} ({expected})")
            return default
        value = table[key]
        if not check(value):
            self.problem((*path, key), f"{dotted((*path, key))} must be {expected}, not {value!r}")
            return default
        return value

    def text(self, table: dict[str, Any], path: KeyPath, key: str, **kw: Any) -> str | None:
        return self.value(
            table, path, key, lambda v: isinstance(v, str) and v.strip() != "", "a text", **kw
        )

    def timeout(self, table: dict[str, Any], path: KeyPath, default: float) -> float:
        value = self.value(table, path, "timeout_s", is_number, "a number of seconds", default)
        if value <= 0:
            self.problem((*path, "timeout_s"), f"{dotted((*path, 'timeout_s'))} must be > 0")
            return default
        return float(value)

    def count(self, table: dict[str, Any], path: KeyPath, key: str, default: int) -> int:
        value = self.value(
            table, path, key, lambda v: isinstance(v, int) and not isinstance(v, bool),
            "a whole number", default,
        )  # fmt: skip
        if value < 0:
            self.problem((*path, key), f"{dotted((*path, key))} must not be negative")
            return default
        return int(value)

    def digit(self, table: dict[str, Any], path: KeyPath) -> str:
        value = table.get("digit", "")
        if isinstance(value, int) and not isinstance(value, bool):
            self.problem((*path, "digit"), f'digit must be a quoted key like "{value}"')
            return ""
        if not isinstance(value, str) or (value and (len(value) != 1 or value not in DTMF_DIGITS)):
            self.problem((*path, "digit"), f"digit {value!r} is not one key of 0-9, * or #")
            return ""
        return value

    # -- per-language values ----------------------------------------------------------------

    def per_language(self, table: dict[str, Any], path: KeyPath, key: str) -> dict[str, Any]:
        """``key.ru = ...``-style values: a table from declared languages to values."""
        value = table.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(
                (*path, key),
                f"{dotted((*path, key))} must be given per language, "
                f"e.g. {key}.{(self.languages or ('ru',))[0]} = ...",
            )
            return {}
        out = {}
        for language, item in value.items():
            if self.languages and language not in self.languages:
                self.problem(
                    (*path, key, language),
                    f"{key}.{language}: language '{language}' is not in menu.languages "
                    f"({', '.join(self.languages)})",
                )
                continue
            out[language] = item
        return out

    def texts(self, table: dict[str, Any], path: KeyPath, key: str) -> dict[str, str]:
        out = {}
        for language, value in self.per_language(table, path, key).items():
            if not isinstance(value, str) or not value.strip():
                self.problem((*path, key, language), f"{key}.{language} must be a non-empty text")
                continue
            out[language] = value.strip()
        return out

    def prompts(self, table: dict[str, Any], path: KeyPath, key: str) -> dict[str, Prompt]:
        """``key.<lang>`` texts and ``key_wav.<lang>`` recordings (relative to the file)."""
        texts = self.texts(table, path, key)
        wavs: dict[str, Path] = {}
        for language, value in self.per_language(table, path, f"{key}_wav").items():
            where = (*path, f"{key}_wav", language)
            if not isinstance(value, str) or not value.strip():
                self.problem(where, f"{key}_wav.{language} must be a file name")
                continue
            wav = (self.path.parent / value).resolve()
            if not wav.is_file():
                self.problem(where, f"{key}_wav.{language}: no such file {value!r}")
                continue
            wavs[language] = wav
        return {
            language: Prompt(texts.get(language, ""), language, wavs.get(language))
            for language in [*texts, *(w for w in wavs if w not in texts)]
        }

    def require_languages(self, table: dict[str, Any], path: KeyPath, key: str) -> None:
        """Each declared language has ``key`` or ``key_wav`` (checked or not: a bad one
        was reported where it is written)."""
        given: set[str] = set()
        for name in (key, f"{key}_wav"):
            if isinstance(table.get(name), dict):
                given.update(table[name])
            elif name in table:
                return  # not given per language: reported already
        for language in self.languages:
            if language not in given:
                self.problem(
                    (*path, key),
                    f"{dotted(path)} has no {key}.{language} "
                    f"(each language needs {key}.{language} or {key}_wav.{language})",
                )

    def say(self, table: dict[str, Any], path: KeyPath) -> dict[str, list[tuple[str, str]]]:
        """Spoken synonyms per language, each as (normalised phrase, as written)."""
        out: dict[str, list[tuple[str, str]]] = {}
        for language, value in self.per_language(table, path, "say").items():
            where = (*path, "say", language)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.problem(where, f"say.{language} must be a list of texts")
                continue
            phrases = []
            for written in value:
                phrase = phrase_form(written)
                if phrase is None:
                    self.problem(
                        where,
                        f"say.{language}: {written!r} must be words (letters only)",
                        self.where.text_line(where, written),
                    )
                    continue
                phrases.append((phrase, written))
            out[language] = phrases
        return out
