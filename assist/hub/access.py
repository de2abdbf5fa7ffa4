"""Who may connect to the hub: tokens from a TOML file.

```toml
[[agent]]
seat = "a1"            # an agent sees only the calls of its seat
token = "…"

[[supervisor]]
name = "floor"         # a supervisor sees every call
token = "…"

[[ingest]]
name = "pbx"           # a telephony client may stream call audio in
token = "…"
```

Tokens never travel in a URL: a screen sends ``{"type": "auth", "token"}``
as its first message; an ingest client may also use an ``Authorization:
Bearer`` header. Without a file the hub is open, which the command line only
allows on the loopback interface (the demo).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ivr.datafile import DataFileError, key_line, load_toml, table_line


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    INGEST = "ingest"


@dataclass(frozen=True)
class Principal:
    role: Role
    name: str  # the seat for an agent

    def may_watch(self, agent_id: str) -> bool:
        return self.role is Role.SUPERVISOR or (self.role is Role.AGENT and self.name == agent_id)


OPEN_PRINCIPAL = Principal(Role.SUPERVISOR, "open")


@dataclass(frozen=True)
class Access:
    tokens: dict[str, Principal]
    open: bool = False

    @classmethod
    def open_access(cls) -> Access:
        return cls({}, open=True)

    def identify(self, token: str | None) -> Principal | None:
        """The principal a token belongs to; None if the token is unknown."""
        if self.open:
            return OPEN_PRINCIPAL if not token else self._lookup(token) or OPEN_PRINCIPAL
        return self._lookup(token) if token else None

    def _lookup(self, token: str) -> Principal | None:
        for known, principal in self.tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return principal
        return None


def load_access(path: Path) -> Access:
    data, lines = load_toml(path)
    tokens: dict[str, Principal] = {}
    # [broker]: a node's credentials for the site's broker (read by assist.cluster.config)
    unknown = set(data) - {r.value for r in Role} - {"broker"}
    if unknown:
        raise DataFileError(
            path,
            None,
            f"unknown table(s) {sorted(unknown)}; use [[agent]], [[supervisor]], [[ingest]], "
            "[broker]",
        )
    for role in Role:
        entries = data.get(role.value, [])
        if not isinstance(entries, list):
            raise DataFileError(path, None, f"[[{role.value}]] must be an array of tables")
        name_key = "seat" if role is Role.AGENT else "name"
        for index, entry in enumerate(entries):
            line = table_line(lines, role.value, index)
            token, name = entry.get("token"), entry.get(name_key)
            if not isinstance(name, str) or not name:
                raise DataFileError(
                    path, line, f"{role.value} #{index + 1}: '{name_key}' is required"
                )
            if not isinstance(token, str) or len(token) < 16:
                raise DataFileError(
                    path,
                    key_line(lines, line, "token"),
                    f"{role.value} {name!r}: 'token' must be at least 16 characters",
                )
            if token in tokens:
                raise DataFileError(
                    path,
                    key_line(lines, line, "token"),
                    f"{role.value} {name!r}: token already used by another entry",
                )
            tokens[token] = Principal(role, name)
    if not tokens:
        raise DataFileError(path, None, "no tokens: add at least one [[supervisor]] or [[agent]]")
    return Access(tokens)
