"""The SQLite schema and its migrations.

``schema_version`` holds one row: the version of the schema the file has.
Each migration takes the file from version ``n - 1`` to ``n``; all the steps
an opening needs run in one transaction with the version bump, so a file is
always at exactly one version. Migrations are only ever appended, never edited.

v1: calls (who, language, source, ended, duration) and the append-only
    events table (call_id, seq, type, at_s, wire JSON).
v2: per-call peak anger and first flag on ``calls``; the ``words`` index of
    final transcripts; an index of events by type. Backfilled from events.
v3: ``calls.engine``, the speech engine whose words the call's events carry
    (``vosk`` for every call stored before); ``transcripts``, further
    transcripts of a call by other engines (the post-call pass), one per
    engine, each with the pipeline's events re-run on its words.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from assist.store.base import StoreError
from assist.store.derive import call_deltas, word_rows
from ivr import wire

Migration = Callable[[sqlite3.Connection], None]


def _v1(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE calls (
            call_id TEXT PRIMARY KEY,
            origin TEXT NOT NULL CHECK (origin IN ('live', 'replay')),
            language TEXT NOT NULL DEFAULT '',
            agent_id TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            first_stored_at TEXT NOT NULL,
            ended INTEGER NOT NULL DEFAULT 0,
            duration_s REAL,
            last_seq INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute(
        """CREATE TABLE events (
            call_id TEXT NOT NULL,
            seq INTEGER NOT NULL CHECK (seq > 0),
            type TEXT NOT NULL,
            at_s REAL,
            wire TEXT NOT NULL,
            PRIMARY KEY (call_id, seq)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX calls_by_agent ON calls (agent_id)")


def _v2(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE calls ADD COLUMN peak_score REAL NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE calls ADD COLUMN peak_level TEXT NOT NULL DEFAULT 'calm'")
    db.execute("ALTER TABLE calls ADD COLUMN first_flag_s REAL")
    db.execute("ALTER TABLE calls ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """CREATE TABLE words (
            call_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            idx INTEGER NOT NULL,
            role TEXT NOT NULL,
            word TEXT NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            conf REAL NOT NULL,
            PRIMARY KEY (call_id, seq, idx)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX words_by_word ON words (word)")
    db.execute("CREATE INDEX events_by_type ON events (type, call_id)")
    # Backfill from the events already stored, one call at a time.
    call_ids = [row[0] for row in db.execute("SELECT call_id FROM calls")]
    for call_id in call_ids:
        events = [
            wire.decode(text)
            for (text,) in db.execute(
                "SELECT wire FROM events WHERE call_id = ? ORDER BY seq", (call_id,)
            )
        ]
        for event in events:
            rows = word_rows(event)
            if rows:
                db.executemany("INSERT INTO words VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        delta = call_deltas(events).get(call_id)
        if delta is not None:
            db.execute(
                "UPDATE calls SET peak_score = ?, peak_level = ?, first_flag_s = ?, flagged = ?"
                " WHERE call_id = ?",
                (
                    delta.peak_score,
                    delta.peak_level.value,
                    delta.first_flag_s,
                    int(delta.flagged),
                    call_id,
                ),
            )


def _v3(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE calls ADD COLUMN engine TEXT NOT NULL DEFAULT 'vosk'")
    db.execute(
        """CREATE TABLE transcripts (
            call_id TEXT NOT NULL,
            engine TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            transcript TEXT NOT NULL,
            events TEXT NOT NULL,
            PRIMARY KEY (call_id, engine)
        ) WITHOUT ROWID"""
    )


MIGRATIONS: tuple[Migration, ...] = (_v1, _v2, _v3)
LATEST_VERSION = len(MIGRATIONS)


def file_version(db: sqlite3.Connection) -> int:
    """The schema version of an open file: 0 for an empty file."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema_version" not in tables:
        if tables:
            raise StoreError(
                f"not an ivr-assist store: it has tables ({', '.join(sorted(tables))}) "
                "but no schema_version"
            )
        return 0
    rows = db.execute("SELECT version FROM schema_version").fetchall()
    if len(rows) != 1 or not isinstance(rows[0][0], int):
        raise StoreError("not an ivr-assist store: its schema_version table is damaged")
    return int(rows[0][0])


def migrate(db: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Bring the file up to ``target`` (one transaction); returns
    the version it was at. ``db`` must be in autocommit mode."""
    if not 0 <= target <= LATEST_VERSION:
        raise ValueError(f"no schema version {target}")
    db.execute("BEGIN IMMEDIATE")  # one migrator at a time; others wait, then see it done
    try:
        found = file_version(db)
        if found > LATEST_VERSION:
            raise StoreError(
                f"the store has schema version {found}, written by a newer ivr-assist "
                f"(this one knows up to version {LATEST_VERSION}); upgrade ivr-assist"
            )
        if found == 0 and target > 0:
            db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            db.execute("INSERT INTO schema_version VALUES (0)")
        for version in range(found + 1, target + 1):
            MIGRATIONS[version - 1](db)
            db.execute("UPDATE schema_version SET version = ?", (version,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return found
