"""What the redactor hides, read from ``assist/data/redact.toml``.

A site file replaces the shipped one as a whole (every key is required, so a
site sees exactly what it redacts); each key is checked for type and range
and an error names the file and the line. :meth:`RedactionConfig.disabled`
is ``--no-redact``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ivr.datafile import DataFileError, load_toml
from ivr.tomllines import KeyLines

DEFAULT_PATH: Path = Path(str(resources.files("assist") / "data" / "redact.toml"))
LANGUAGES = ("ru", "en")
NUMBER_KINDS = ("card", "phone", "account", "passport")
KINDS = (*NUMBER_KINDS, "email")
AUDIO_HIDE = ("bleep", "silence")


@dataclass(frozen=True)
class Cues:
    """Cue words of one list, both languages: exact words and ``stem*`` prefixes."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    @classmethod
    def of(cls, entries: list[str]) -> Cues:
        words = frozenset(e for e in entries if not e.endswith("*"))
        return cls(words, tuple(e[:-1] for e in entries if e.endswith("*")))

    def match(self, token: str) -> bool:
        return token in self.words or any(token.startswith(p) for p in self.prefixes)


@dataclass(frozen=True)
class NumberKind:
    name: str
    enabled: bool
    placeholder: str
    min_digits: int
    max_digits: int
    cues: Cues
    luhn: bool = False


@dataclass(frozen=True)
class EmailKind:
    enabled: bool
    placeholder: str
    at: frozenset[str]
    dot: frozenset[str]
    joiners: frozenset[str]
    cues: Cues


@dataclass(frozen=True)
class RedactionConfig:
    enabled: bool
    min_digits: int = 6
    context_words: int = 8
    generic_min_digits: int = 4
    generic_cues: Cues = Cues()
    eager_digits_final: int = 4
    eager_digits_partial: int = 2
    join_gap_s: float = 4.0
    numbers: tuple[NumberKind, ...] = ()
    email: EmailKind | None = None
    audio_hide: str = "bleep"  # or "silence": how recordings lose a hidden span
    audio_pad_s: float = 0.15
    bleep_hz: float = 1000.0
    source: str = ""
    placeholders: frozenset[str] = field(default=frozenset())

    @classmethod
    def disabled(cls) -> RedactionConfig:
        """Nothing is redacted (``--no-redact``)."""
        return cls(enabled=False, source="--no-redact")

    def kind(self, name: str) -> NumberKind | None:
        return next((k for k in self.numbers if k.name == name and k.enabled), None)


class _Checker:
    def __init__(self, path: Path, data: dict[str, Any], lines: list[str]) -> None:
        self.path, self.data, self.keys = path, data, KeyLines(lines)

    def error(self, where: tuple[str, ...], message: str) -> DataFileError:
        return DataFileError(self.path, self.keys.line(where), message)

    def get(self, where: tuple[str, ...], kind: type, lo: float = 0, hi: float = 1e9) -> Any:
        node: Any = self.data
        for n, key in enumerate(where):
            if not isinstance(node, dict) or key not in node:
                raise self.error(where[:n] or where, f"missing key {'.'.join(where)!r}")
            node = node[key]
        name = ".".join(where)
        if kind is float and isinstance(node, int) and not isinstance(node, bool):
            node = float(node)
        if not isinstance(node, kind) or (kind is not bool and isinstance(node, bool)):
            raise self.error(where, f"{name} must be {kind.__name__}, not {node!r}")
        if kind in (int, float) and not lo <= node <= hi:
            raise self.error(where, f"{name} must be within {lo:g}..{hi:g}, not {node}")
        return node

    def words(self, where: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        table = self.get(where, dict)
        unknown = sorted(set(table) - set(LANGUAGES))
        if unknown:
            raise self.error((*where, unknown[0]), f"unknown language {unknown[0]!r}")
        for lang in LANGUAGES:
            items = self.get((*where, lang), list)
            for item in items:
                if not isinstance(item, str) or not item.strip("*") or item != item.lower():
                    line = self.keys.text_line((*where, lang), str(item))
                    raise DataFileError(
                        self.path, line, f"{'.'.join(where)}: {item!r} is not a lower-case word"
                    )
                out.append(item)
        return out

    def placeholder(self, where: tuple[str, ...]) -> str:
        text = self.get(where, str)
        if not (text.startswith("[") and text.endswith("]") and " " not in text and len(text) > 2):
            raise self.error(
                where, f"a placeholder is one bracketed word like [card], not {text!r}"
            )
        return text

    def unknown(self, where: tuple[str, ...], known: set[str]) -> None:
        table = self.get(where, dict) if where else self.data
        extra = sorted(set(table) - known)
        if extra:
            raise self.error((*where, extra[0]), f"unknown key {'.'.join((*where, extra[0]))!r}")


def _number_kind(c: _Checker, name: str) -> NumberKind:
    keys = {"enabled", "placeholder", "digits", "cues"} | ({"luhn"} if name == "card" else set())
    c.unknown((name,), keys)
    span = c.get((name, "digits"), list)
    if len(span) != 2 or not all(isinstance(d, int) and 1 <= d <= 40 for d in span):
        raise c.error((name, "digits"), f"{name}.digits is [fewest, most] digits, 1..40")
    if span[0] > span[1]:
        raise c.error((name, "digits"), f"{name}.digits: fewest {span[0]} > most {span[1]}")
    return NumberKind(
        name,
        c.get((name, "enabled"), bool),
        c.placeholder((name, "placeholder")),
        span[0],
        span[1],
        Cues.of(c.words((name, "cues"))),
        c.get((name, "luhn"), bool) if name == "card" else False,
    )


def _email(c: _Checker) -> EmailKind:
    c.unknown(("email",), {"enabled", "placeholder", "at", "dot", "joiners", "cues"})
    return EmailKind(
        c.get(("email", "enabled"), bool),
        c.placeholder(("email", "placeholder")),
        frozenset(c.words(("email", "at"))),
        frozenset(c.words(("email", "dot"))),
        frozenset(c.words(("email", "joiners"))),
        Cues.of(c.words(("email", "cues"))),
    )


def _parse(path: Path) -> RedactionConfig:
    data, lines = load_toml(path)
    c = _Checker(path, data, lines)
    c.unknown((), {"enabled", "numbers", "recording", *KINDS})
    c.unknown(("recording",), {"hide", "pad_s", "bleep_hz"})
    hide = c.get(("recording", "hide"), str)
    if hide not in AUDIO_HIDE:
        raise c.error(("recording", "hide"), f"recording.hide is one of {AUDIO_HIDE}, not {hide!r}")
    c.unknown(
        ("numbers",),
        {
            "min_digits", "context_words", "generic_min_digits", "generic_cues",
            "eager_digits_final", "eager_digits_partial", "join_gap_s",
        },
    )  # fmt: skip
    numbers = tuple(_number_kind(c, name) for name in NUMBER_KINDS)
    email = _email(c)
    placeholders = [k.placeholder for k in numbers] + [email.placeholder]
    for kind in numbers:
        if placeholders.count(kind.placeholder) > 1:
            raise c.error((kind.name, "placeholder"), f"placeholder {kind.placeholder} used twice")
    return RedactionConfig(
        enabled=c.get(("enabled",), bool),
        min_digits=c.get(("numbers", "min_digits"), int, 3, 40),
        context_words=c.get(("numbers", "context_words"), int, 0, 100),
        generic_min_digits=c.get(("numbers", "generic_min_digits"), int, 1, 40),
        generic_cues=Cues.of(c.words(("numbers", "generic_cues"))),
        eager_digits_final=c.get(("numbers", "eager_digits_final"), int, 1, 40),
        eager_digits_partial=c.get(("numbers", "eager_digits_partial"), int, 1, 40),
        join_gap_s=c.get(("numbers", "join_gap_s"), float, 0, 60),
        numbers=numbers,
        email=email,
        audio_hide=hide,
        audio_pad_s=c.get(("recording", "pad_s"), float, 0, 2),
        bleep_hz=c.get(("recording", "bleep_hz"), float, 100, 3400),
        source=str(path),
        placeholders=frozenset(placeholders),
    )


@cache
def _default() -> RedactionConfig:
    return _parse(DEFAULT_PATH)


def load_redaction_config(path: Path | str | None = None) -> RedactionConfig:
    """The shipped settings (``path`` None) or a site's file, checked.

    Raises :class:`ivr.datafile.DataFileError` naming file and line."""
    return _default() if path is None else _parse(Path(path))
