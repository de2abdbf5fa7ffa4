"""Reading the text channel's input: one message per line, plain text or a
JSON object. Pure: lines in, messages or one-line errors out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from ivr import events as ev

ROLES = {"customer": ev.ChannelRole.CUSTOMER, "agent": ev.ChannelRole.AGENT}
_KEYS = {"conversation", "role", "time", "text"}


class MessageError(ValueError):
    """A line that is not a message; the text says why, in one line."""


@dataclass(frozen=True)
class Message:
    line: int
    conversation: str  # "" for a plain line: a message on its own
    role: ev.ChannelRole
    text: str
    time_s: float | None  # seconds (a number, or an ISO 8601 time as POSIX seconds)


def parse_line(number: int, line: str) -> Message | None:
    """A plain line is one customer message on its own; a line starting with
    ``{`` is ``{"conversation": ID, "role": "customer"|"agent", "time": T,
    "text": ...}`` (only ``text`` required; ``time`` in seconds or ISO 8601).
    Blank lines are skipped (None)."""
    stripped = line.strip()
    if not stripped:
        return None
    if not stripped.startswith("{"):
        return Message(number, "", ev.ChannelRole.CUSTOMER, stripped, None)
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise MessageError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise MessageError("a JSON message must be an object")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise MessageError(f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_KEYS))})")
    text = data.get("text")
    if not isinstance(text, str):
        raise MessageError("'text' must be a string")
    conversation = data.get("conversation", "")
    if not isinstance(conversation, str | int) or isinstance(conversation, bool):
        raise MessageError("'conversation' must be a string")
    role_name = data.get("role", "customer")
    role = ROLES.get(role_name) if isinstance(role_name, str) else None
    if role is None:
        raise MessageError(f"'role' must be customer or agent, got {role_name!r}")
    return Message(number, str(conversation), role, text, _seconds(data.get("time")))


def _seconds(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise MessageError(f"'time' must be seconds or an ISO 8601 time, got {value!r}")
