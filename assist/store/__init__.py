"""The call store: every call's events, durable, answerable after a restart.

- :class:`CallStore` (base.py): the interface the hub, replay and reports use;
- :class:`SqliteStore` (sqlite.py): the default, one SQLite file in WAL mode;
- :class:`BatchWriter` (writer.py): commits a live stream of events in
  batches off the publisher's path;
- schema.py: the versioned schema and its migrations.
"""

from __future__ import annotations

import os
from pathlib import Path

from assist.store.base import (
    CallRecord,
    CallStore,
    Origin,
    ResumePoint,
    StoredTranscript,
    StoreError,
    WordHit,
)
from assist.store.sqlite import SqliteStore
from assist.store.writer import BatchWriter

STORE_ENV = "IVR_ASSIST_STORE"


def default_store_path() -> Path:
    """``$IVR_ASSIST_STORE``, else ``$XDG_DATA_HOME/ivr-assist/calls.sqlite``
    (``~/.local/share/ivr-assist/calls.sqlite``)."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "ivr-assist" / "calls.sqlite"


def open_store(path: str | os.PathLike[str] | None = None, *, durable: bool = True) -> CallStore:
    """Open (creating if needed, with its folder) the store at ``path`` or the default."""
    target = Path(path) if path is not None else default_store_path()
    if path is None:
        target.parent.mkdir(parents=True, exist_ok=True)
    return SqliteStore(target, durable=durable)


__all__ = [
    "STORE_ENV",
    "BatchWriter",
    "CallRecord",
    "CallStore",
    "Origin",
    "ResumePoint",
    "SqliteStore",
    "StoreError",
    "StoredTranscript",
    "WordHit",
    "default_store_path",
    "open_store",
]
