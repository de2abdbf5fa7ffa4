"""How a node reaches the site's broker: ``--broker nats://HOST:PORT`` and the
credentials from the access file.

The URL that a command line carries (and a log line may print) holds no
secret: a URL with a user or password in it is refused with a message
saying where they go instead. Credentials live in the access file's
``[broker]`` table, beside the screen tokens::

    [broker]
    user = "node-a"            # user and password, or
    password = "…"
    # token = "…"              # a token (nats-server's authorization.token)
    site = "assist"            # optional: the site's stream and buckets are named after it
    max_age_s = 86400          # optional: how long the stream keeps a call's events
    max_bytes = 1073741824     # optional: the stream's size limit
    replicas = 1               # optional: 3 on a 3-server JetStream cluster

Several servers of a cluster: ``--broker nats://h1:4222,nats://h2:4222``.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from ivr.datafile import DataFileError, key_line, load_toml, table_line

DEFAULT_MAX_AGE_S = 24 * 3600.0
DEFAULT_MAX_BYTES = 1 << 30

_KEYS = ("user", "password", "token", "site", "max_age_s", "max_bytes", "replicas")


class BrokerConfigError(ValueError):
    """A broker address or setting that cannot be used; says what to do."""


@dataclass(frozen=True)
class BrokerConfig:
    servers: tuple[str, ...]
    user: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    site: str = "assist"
    max_age_s: float = DEFAULT_MAX_AGE_S
    max_bytes: int = DEFAULT_MAX_BYTES
    replicas: int = 1

    @property
    def display(self) -> str:
        """The servers as a log line may show them (never a secret)."""
        return ",".join(self.servers)


def parse_servers(text: str) -> tuple[str, ...]:
    """``nats://HOST:PORT[,nats://HOST:PORT...]`` checked; no credentials allowed."""
    servers = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        url = urllib.parse.urlsplit(part)
        if url.scheme not in ("nats", "tls"):
            raise BrokerConfigError(f"--broker {part!r}: give nats://HOST:PORT")
        if url.username or url.password or "@" in url.netloc:
            raise BrokerConfigError(
                "--broker: no user, password or token in the URL (it would reach logs); "
                "put them in the access file's [broker] table"
            )
        try:
            port = url.port
        except ValueError:
            port = None
        if not url.hostname or port is None or url.path not in ("", "/"):
            raise BrokerConfigError(f"--broker {part!r}: give nats://HOST:PORT")
        servers.append(f"{url.scheme}://{url.netloc}")
    if not servers:
        raise BrokerConfigError("--broker: give nats://HOST:PORT")
    return tuple(servers)


def broker_config(url: str, access_file: Path | None = None) -> BrokerConfig:
    """The node's broker settings: servers from ``url``, the rest from the
    access file's ``[broker]`` table when there is one."""
    servers = parse_servers(url)
    if access_file is None:
        return BrokerConfig(servers)
    return BrokerConfig(servers, **load_broker_table(access_file))


def load_broker_table(path: Path) -> dict[str, object]:
    data, lines = load_toml(path)
    table = data.get("broker")
    if table is None:
        return {}
    start = table_line(lines, "broker", 0)
    if not isinstance(table, dict):
        raise DataFileError(path, start, "[broker] must be a table")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise DataFileError(path, start, f"[broker]: unknown key(s) {unknown}; known: {_KEYS}")
    out: dict[str, object] = {}
    for key in ("user", "password", "token", "site"):
        if key in table:
            if not isinstance(table[key], str) or not table[key]:
                raise DataFileError(path, key_line(lines, start, key), f"[broker] {key}: text")
            out[key] = table[key]
    if bool(out.get("user")) != bool(out.get("password")):
        raise DataFileError(path, start, "[broker]: give user and password together")
    if out.get("token") and out.get("user"):
        raise DataFileError(path, start, "[broker]: a token or a user and password, not both")
    for key, kind in (("max_age_s", (int, float)), ("max_bytes", int), ("replicas", int)):
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
                raise DataFileError(
                    path, key_line(lines, start, key), f"[broker] {key}: a positive number"
                )
            out[key] = float(value) if key == "max_age_s" else value
    if out.get("replicas", 1) not in (1, 3, 5):
        raise DataFileError(
            path, key_line(lines, start, "replicas"), "[broker] replicas: 1, 3 or 5"
        )
    return out
