"""Where each key of a TOML file is written, so a problem can name its line
(menus, lexicons, phrase lists, settings).

``tomllib`` gives line numbers for syntax errors only. This scans the text
once and records the first line of every key path (``("node", "main",
"option", 0, "digit")``): ``[table]`` and ``[[array]]`` headers (the n-th
``[[x]]`` is index n), plain, quoted and dotted keys (every prefix of a
dotted key too), skipping the inside of multi-line strings. It only points
at lines; parsing stays with ``tomllib``.
"""

from __future__ import annotations

import re

KeyPath = tuple[str | int, ...]

_BARE_OR_QUOTED = r"""(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')"""
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_BARE_OR_QUOTED)


def split_key(text: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _PART.findall(text))


class KeyLines:
    """The 1-based line of each key path in one TOML text."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._where: dict[KeyPath, int] = {}
        arrays: dict[tuple[str, ...], int] = {}
        table: KeyPath = ()
        open_quote: str | None = None
        for number, line in enumerate(lines, start=1):
            if open_quote is not None:
                if line.count(open_quote) % 2 == 1:
                    open_quote = None
                continue
            header = _HEADER.match(line)
            if header:
                name = split_key(header.group(2))
                if header.group(1) == "[[":
                    index = arrays.get(name, 0)
                    arrays[name] = index + 1
                    table = (*name, index)
                else:
                    table = name
                self._remember(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self._remember((*table, *split_key(key.group(1))), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    open_quote = quote
                    break

    def _remember(self, path: KeyPath, number: int) -> None:
        for size in range(1, len(path) + 1):
            self._where.setdefault(path[:size], number)

    def exact(self, path: KeyPath) -> int | None:
        """The line where ``path`` itself is written, or ``None``."""
        return self._where.get(tuple(path))

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest enclosing key or table."""
        for size in range(len(path), 0, -1):
            found = self._where.get(tuple(path[:size]))
            if found is not None:
                return found
        return None

    def text_line(self, path: KeyPath, text: str) -> int | None:
        """The first line from ``path`` on that holds ``text`` in quotes (an
        element of a possibly multi-line array), else the line of ``path``."""
        start = self.line(path) or 1
        for number in range(start, len(self._lines) + 1):
            line = self._lines[number - 1]
            if f'"{text}"' in line or f"'{text}'" in line:
                return number
            if number > start and (_HEADER.match(line) or _KEY.match(line)):
                break
        return self.line(path)
