"""Line numbers of keys in a TOML file, so schema errors can name the line.

``tomllib`` reports lines for syntax errors only. :class:`KeyLines` scans the
text once and remembers where each key (by its full path, e.g.
``("prosody", "pitch", "weight")`` or ``("categories", "insult", "terms")``)
and each string literal is written. It understands the TOML people write by
hand: ``[table]`` and ``[[array]]`` headers, plain, quoted and dotted keys,
and multi-line arrays. It is only used to point at lines; parsing stays with
``tomllib``.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_PART = re.compile(r"""[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'""")

KeyPath = tuple[str | int, ...]


def _split_key(text: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART.findall(text))


class KeyLines:
    """Where keys are defined in one TOML text (1-based line numbers)."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._where: dict[KeyPath, int] = {}
        self._array_counts: dict[tuple[str, ...], int] = {}
        table: KeyPath = ()
        for number, line in enumerate(lines, start=1):
            header = _HEADER.match(line)
            if header and not _KEY.match(line):
                name = _split_key(header.group(2))
                if header.group(1) == "[[":
                    index = self._array_counts.get(name, 0)
                    self._array_counts[name] = index + 1
                    table = (*name, index)
                else:
                    table = name
                self._where.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self._where.setdefault((*table, *_split_key(key.group(1))), number)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest enclosing key or table."""
        for size in range(len(path), 0, -1):
            found = self._where.get(tuple(path[:size]))
            if found is not None:
                return found
        return None

    def line_of_text(self, path: KeyPath, text: str) -> int | None:
        """The first line at or after ``path`` that contains ``text`` in quotes
        (an element of a multi-line array), else the line of ``path``."""
        start = self.line(path) or 1
        for quote in ('"', "'"):
            needle = f"{quote}{text}{quote}"
            for number in range(start, len(self._lines) + 1):
                if needle in self._lines[number - 1]:
                    return number
        return self.line(path)
