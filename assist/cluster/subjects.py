"""Names on the broker: the site's stream, a call's subject, KV keys.

A call id may hold ``. : @ +`` (see :func:`ivr.telephony.ids.check_id`);
a NATS subject token may not hold ``.`` and a KV key may not hold ``: @ +``.
:func:`token` escapes those as ``=XX`` (hex), which both accept and no call
id contains, so the mapping is one to one and :func:`untoken` reverses it.
"""

from __future__ import annotations

import re

__all__ = ["SiteNames", "token", "untoken"]

_KEEP = re.compile(r"[A-Za-z0-9_-]")
_ESCAPED = re.compile(r"=([0-9A-F]{2})")
_SITE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def token(name: str) -> str:
    """A call id or seat as one subject token / KV key piece."""
    return "".join(c if _KEEP.fullmatch(c) else f"={ord(c):02X}" for c in name)


def untoken(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


class SiteNames:
    """Every name one site uses on its broker, from the site's name (several
    sites may share one NATS account; each has its own stream and buckets)."""

    def __init__(self, site: str = "assist") -> None:
        if not _SITE.fullmatch(site):
            raise ValueError(
                f"site name {site!r}: 1 to 32 letters, digits, '_' or '-' (it names streams)"
            )
        self.site = site
        self.stream = f"{site.upper()}_CALLS"
        self.subject_prefix = f"{site}.calls"
        self.seats_bucket = f"{site}_seats"
        self.queue_bucket = f"{site}_queue"
        self.nodes_bucket = f"{site}_nodes"
        self.store_consumer = f"{site}_store_writer"

    @property
    def everything(self) -> str:
        """Every subject of the site's stream (live calls and replays)."""
        return f"{self.site}.>"

    @property
    def all_replays(self) -> str:
        return f"{self.site}.replays.*"

    def replay_subject(self, call_id: str) -> str:
        """A replayed call, whole, in one message (``replay --broker``)."""
        return f"{self.site}.replays.{token(call_id)}"

    @property
    def all_calls(self) -> str:
        """The subject filter of every call's events."""
        return f"{self.subject_prefix}.*.events"

    def call_subject(self, call_id: str) -> str:
        return f"{self.subject_prefix}.{token(call_id)}.events"

    def call_of(self, subject: str) -> str:
        """The call id of an event subject (the inverse of :meth:`call_subject`)."""
        prefix = self.subject_prefix + "."
        if not subject.startswith(prefix) or not subject.endswith(".events"):
            raise ValueError(f"not a call subject of site {self.site!r}: {subject!r}")
        return untoken(subject[len(prefix) : -len(".events")])
