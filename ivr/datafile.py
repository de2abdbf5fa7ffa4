"""Loading the TOML files people edit (menus, lexicons, phrases) with errors
that name the file and the line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any


class DataFileError(ValueError):
    """A data file that cannot be used; the message starts with ``file:line:``."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


def load_toml(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The parsed file and its lines (for :func:`line_of`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, None, f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise DataFileError(path, None, "not UTF-8 text") from None
    try:
        return tomllib.loads(text), text.splitlines()
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise DataFileError(
            path, int(match.group(1)) if match else None, f"not valid TOML: {exc}"
        ) from None


def line_of(
    lines: list[str], key: str, *, occurrence: int = 0, value: str | None = None
) -> int | None:
    """The 1-based line where ``key = ...`` appears for the ``occurrence``-th time
    (or the line where ``key`` has the given ``value``), for error messages."""
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    seen = 0
    for number, line in enumerate(lines, start=1):
        if pattern.match(line) and (value is None or value in line):
            if seen == occurrence or value is not None:
                return number
            seen += 1
    return None


def table_line(lines: list[str], header: str, occurrence: int) -> int | None:
    """The line of the ``occurrence``-th ``[[header]]`` (or ``[header]``) table."""
    pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(header)}\s*\]\]?\s*$")
    hits = [n for n, line in enumerate(lines, start=1) if pattern.match(line)]
    return hits[occurrence] if occurrence < len(hits) else None


def key_line(lines: list[str], table_start: int | None, key: str) -> int | None:
    """The line of ``key = ...`` inside the table that starts at ``table_start``
    (falls back to the table's own line)."""
    if table_start is None:
        return None
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    for number in range(table_start + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.lstrip().startswith("["):
            break
        if pattern.match(line):
            return number
    return table_start
