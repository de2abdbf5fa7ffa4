"""Hiding PII in free text: anger reasons, suggestions, flags, IVR details,
error messages.

Such text is made by the product, not said, but may quote what was said. It
goes through the same detector as a transcript (with no context), and any
number of three digits or more that is part of a number already hidden in the
call, or any word of an e-mail address already hidden, is hidden as well: a
reason quoting a fragment of a card number must not give it away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .config import RedactionConfig
from .detect import find_spans
from .numbers import number_runs

_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*|[+@]|\[[^\W\d_]+\]")
SECRET_MIN_DIGITS = 3


@dataclass
class Secrets:
    """What one call has hidden so far: its numbers' digits and e-mail words."""

    numbers: dict[str, str] = field(default_factory=dict)  # digits -> kind
    words: set[str] = field(default_factory=set)  # e-mail words (not "dot", "at")

    def kind_of_digits(self, digits: str) -> str | None:
        if len(digits) < SECRET_MIN_DIGITS:
            return None
        return next((k for d, k in self.numbers.items() if digits in d), None)


def placeholder(config: RedactionConfig, kind: str) -> str:
    if kind == "email" and config.email is not None:
        return config.email.placeholder
    found = config.kind(kind)
    return found.placeholder if found is not None else f"[{kind}]"


def redact_text(config: RedactionConfig, text: str, secrets: Secrets | None = None) -> str:
    """``text`` with every PII span replaced by its placeholder (see the module notes)."""
    if not text or not config.enabled:
        return text
    matches = list(_TOKEN.finditer(text))
    tokens = [m.group() for m in matches]
    hidden: list[tuple[int, int, str]] = [
        (s.start, s.end, s.kind) for s in find_spans(config, tokens) if s.kind
    ]
    if secrets is not None:
        for run in number_runs(tokens):
            kind = secrets.kind_of_digits(run.digits)
            if kind is not None:
                hidden.append((run.start, run.end, kind))
        for n, token in enumerate(tokens):
            if token.lower() in secrets.words:
                hidden.append((n, n + 1, "email"))
    if not hidden:
        return text
    out, at, last = [], 0, -1
    for start, end, kind in sorted(hidden):
        if start < last:
            continue  # overlaps a span already hidden
        out += [text[at : matches[start].start()], placeholder(config, kind)]
        at, last = matches[end - 1].end(), end
    out.append(text[at:])
    return "".join(out)
