"""What a client may name things with, and how client text reaches a log.

A call id (or seat) comes from a peer: a query string, a protocol's
metadata, a UUID frame. It names the call in logs, pages, the store and
file names, so it must be a short printable token; anything else is refused
at the door with a one-line reason. Other client text that a log line
quotes (a protocol error, a peer's close reason) goes through
:func:`printable`, which escapes control characters and bounds the length,
so no client can forge or break a log line.
"""

from __future__ import annotations

import re

__all__ = ["MAX_ID_CHARS", "BadId", "check_id", "printable"]

MAX_ID_CHARS = 64
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+-]*")


class BadId(ValueError):
    """An identifier a client sent that cannot name a call or a seat."""


def check_id(text: object, what: str = "call id") -> str:
    """``text`` if it is a bounded printable token (letters, digits and
    ``. _ : @ + -``, starting with a letter or digit); else :class:`BadId`
    with a message that quotes it escaped."""
    if not isinstance(text, str) or not text:
        raise BadId(f"{what} is missing")
    if len(text) > MAX_ID_CHARS:
        raise BadId(f"{what} is longer than {MAX_ID_CHARS} characters")
    if not _ID.fullmatch(text):
        raise BadId(f"{what} {printable(text, 40)} may hold only letters, digits and . _ : @ + -")
    return text


def printable(text: object, limit: int = 200) -> str:
    """``text`` quoted for a log line: control and non-printing characters
    escaped (``\\x1b``, ``\\n``...), at most ``limit`` characters, then ``…``."""
    value = text if isinstance(text, str) else str(text)
    shown = value[:limit]
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown)
    return escaped + ("…" if len(value) > limit else "")
