"""The default call store: one SQLite file in WAL mode.

Writes go through one connection, each batch in one transaction; reads use a
second connection, so a reader (a screen asking for "everything after N")
never waits for a writer's fsync. With ``durable=True`` (the default) every
commit is synced to disk (``synchronous=FULL``): a committed batch survives a
crash of the process and of the machine; with ``durable=False`` it survives a
crash of the process only.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from assist.store.base import (
    CallRecord,
    Origin,
    ResumePoint,
    StoredTranscript,
    StoreError,
    WordHit,
)
from assist.store.derive import LEVEL_RANK, CallDelta, call_deltas, word_rows
from assist.store.schema import LATEST_VERSION, file_version, migrate
from ivr import events as ev
from ivr import wire

_BUSY_TIMEOUT_S = 30.0
_RANK_SQL = "(CASE {} WHEN 'angry' THEN 2 WHEN 'tense' THEN 1 ELSE 0 END)"
_CALL_COLUMNS = (
    "call_id, origin, language, agent_id, source, first_stored_at, ended, duration_s, "
    "last_seq, peak_score, peak_level, first_flag_s, flagged, engine"
)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class SqliteStore:
    """A :class:`~assist.store.base.CallStore` in one SQLite file (created if missing)."""

    def __init__(self, path: str | os.PathLike[str], *, durable: bool = True) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory; give the store a file name")
        if not self.path.parent.is_dir():
            raise StoreError(f"{self.path}: the folder {self.path.parent} does not exist")
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._writer = self._connect(durable)
        try:
            migrate(self._writer)
        except sqlite3.DatabaseError as exc:
            self._writer.close()
            raise StoreError(f"{self.path}: not an ivr-assist store ({exc})") from None
        except StoreError as exc:
            self._writer.close()
            raise StoreError(f"{self.path}: {exc}") from None
        except Exception as exc:  # a migration that could not convert the data
            self._writer.close()
            raise StoreError(
                f"{self.path}: cannot upgrade the store to schema version {LATEST_VERSION} "
                f"({type(exc).__name__}: {exc}); the file is unchanged"
            ) from None
        self._reader = self._connect(durable)
        self._closed = False

    def _connect(self, durable: bool) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(
                self.path,
                timeout=_BUSY_TIMEOUT_S,
                isolation_level=None,  # autocommit; transactions are explicit
                check_same_thread=False,  # guarded by our locks
            )
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store ({exc})") from None
        try:
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise StoreError(f"{self.path}: not an ivr-assist store ({exc})") from None
        if str(mode).lower() != "wal":
            db.close()
            raise StoreError(f"{self.path}: the file system does not support WAL mode ({mode})")
        return db

    # ---------------------------------------------------------------- writing

    def append(self, events: Sequence[ev.Event], wire_texts: Sequence[str] | None = None) -> None:
        if not events:
            return
        texts = self._texts(events, wire_texts)
        with self._transaction(events) as db:
            self._insert(db, events, texts, "live")

    @contextlib.contextmanager
    def _transaction(self, events: Sequence[ev.Event]) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole, or rolled back with a clear error."""
        with self._write_lock:
            db = self._db_for_write()
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except sqlite3.IntegrityError:
                _rollback(db)
                raise self._clash(db, events) from None
            except sqlite3.Error as exc:
                _rollback(db)
                raise StoreError(f"{self.path}: cannot write to the store ({exc})") from None
            except BaseException:
                _rollback(db)
                raise

    def replace_call(
        self, call_id: str, events: Sequence[ev.Event], *, engine: str = "vosk"
    ) -> None:
        stray = [e for e in events if e.call_id != call_id]
        if stray:
            raise StoreError(f"replace_call({call_id!r}) got an event of call {stray[0].call_id!r}")
        texts = self._texts(events, None)
        with self._transaction(events) as db:
            row = db.execute("SELECT origin FROM calls WHERE call_id = ?", (call_id,)).fetchone()
            if row is not None and row[0] != "replay":
                raise StoreError(
                    f"call {call_id!r} is already in the store as a live call; "
                    "a replay may not replace it (give the recording another call id)"
                )
            for table in ("words", "events", "calls"):
                db.execute(f"DELETE FROM {table} WHERE call_id = ?", (call_id,))
            self._insert(db, events, texts, "replay")
            db.execute("UPDATE calls SET engine = ? WHERE call_id = ?", (engine, call_id))

    def put_transcript(
        self,
        call_id: str,
        engine: str,
        language: str,
        transcript: str,
        events: Sequence[ev.Event],
    ) -> None:
        stray = [e for e in events if e.call_id != call_id]
        if stray:
            raise StoreError(
                f"put_transcript({call_id!r}) got an event of call {stray[0].call_id!r}"
            )
        texts = self._texts(events, None)
        with self._transaction(()) as db:
            db.execute(
                "INSERT OR REPLACE INTO transcripts VALUES (?, ?, ?, ?, ?, ?)",
                (call_id, engine, language, _now_iso(), transcript, json.dumps(texts)),
            )

    @staticmethod
    def _texts(events: Sequence[ev.Event], wire_texts: Sequence[str] | None) -> list[str]:
        if wire_texts is not None and len(wire_texts) != len(events):
            raise ValueError("wire_texts must match events one to one")
        for event in events:
            if event.seq < 1:
                raise StoreError(
                    f"event {type(event).__name__} of call {event.call_id!r} has no seq; "
                    "publish it through the bus (or number the call's events) first"
                )
        return list(wire_texts) if wire_texts is not None else [wire.encode(e) for e in events]

    def _insert(
        self, db: sqlite3.Connection, events: Sequence[ev.Event], texts: list[str], origin: Origin
    ) -> None:
        deltas = call_deltas(events)
        now = _now_iso()
        db.executemany(
            "INSERT OR IGNORE INTO calls (call_id, origin, first_stored_at) VALUES (?, ?, ?)",
            [(call_id, origin, now) for call_id in deltas],
        )
        db.executemany(
            "INSERT INTO events (call_id, seq, type, at_s, wire) VALUES (?, ?, ?, ?, ?)",
            [
                (e.call_id, e.seq, type(e).__name__, getattr(e, "at_s", None), text)
                for e, text in zip(events, texts, strict=True)
            ],
        )
        rows = [row for e in events for row in word_rows(e)]
        if rows:
            db.executemany("INSERT INTO words VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        for delta in deltas.values():
            self._apply(db, delta)

    def _clash(self, db: sqlite3.Connection, events: Sequence[ev.Event]) -> StoreError:
        """Why a batch broke the (call_id, seq) key; called after the rollback."""
        seen: set[tuple[str, int]] = set()
        for e in events:
            if (e.call_id, e.seq) in seen:
                return StoreError(
                    f"the batch holds two events of call {e.call_id!r} with seq {e.seq}; "
                    "nothing of it was stored"
                )
            seen.add((e.call_id, e.seq))
        for e in events:
            found = db.execute(
                "SELECT 1 FROM events WHERE call_id = ? AND seq = ?", (e.call_id, e.seq)
            ).fetchone()
            if found:
                return StoreError(
                    f"call {e.call_id!r} already has an event with seq {e.seq}; "
                    "nothing of this batch was stored"
                )
        return StoreError("the batch clashed with stored events; nothing of it was stored")

    @staticmethod
    def _apply(db: sqlite3.Connection, d: CallDelta) -> None:
        db.execute(
            f"""UPDATE calls SET
                language = COALESCE(?, language),
                agent_id = COALESCE(?, agent_id),
                source = COALESCE(?, source),
                ended = COALESCE(?, ended),
                duration_s = COALESCE(?, duration_s),
                last_seq = MAX(last_seq, ?),
                peak_score = MAX(peak_score, ?),
                peak_level = CASE WHEN ? > {_RANK_SQL.format("peak_level")}
                                  THEN ? ELSE peak_level END,
                first_flag_s = COALESCE(first_flag_s, ?),
                flagged = MAX(flagged, ?)
            WHERE call_id = ?""",
            (
                d.language,
                d.agent_id,
                d.source,
                None if d.ended is None else int(d.ended),
                d.duration_s,
                d.last_seq,
                d.peak_score,
                LEVEL_RANK[d.peak_level],
                d.peak_level.value,
                d.first_flag_s,
                int(d.flagged),
                d.call_id,
            ),
        )

    def _db_for_write(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"{self.path}: the store is closed")
        return self._writer

    # ---------------------------------------------------------------- reading

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._read_lock:
            if self._closed:
                raise StoreError(f"{self.path}: the store is closed")
            try:
                return self._reader.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: cannot read the store ({exc})") from None

    def events_after(
        self,
        call_id: str,
        after_seq: int = 0,
        *,
        types: Sequence[type] | None = None,
        limit: int | None = None,
    ) -> list[ev.Event]:
        sql = "SELECT wire FROM events WHERE call_id = ? AND seq > ?"
        params: list[object] = [call_id, after_seq]
        if types is not None:
            names = [t.__name__ for t in types]
            sql += f" AND type IN ({', '.join('?' * len(names))})"
            params += names
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [wire.decode(text) for (text,) in self._read(sql, params)]

    def last_seq(self, call_id: str) -> int:
        rows = self._read("SELECT MAX(seq) FROM events WHERE call_id = ?", (call_id,))
        return int(rows[0][0] or 0)

    def resume_point(self, call_id: str) -> ResumePoint:
        rows = self._read(
            "SELECT MAX(seq), MAX(at_s), SUM(type = 'CallStarted'), COUNT(*)"
            " FROM events WHERE call_id = ?",
            (call_id,),
        )
        last_seq, audio_s, started, count = rows[0]
        if not count:
            return ResumePoint()
        return ResumePoint(int(last_seq or 0), float(audio_s or 0.0), bool(started))

    def call(self, call_id: str) -> CallRecord | None:
        rows = self._read(f"SELECT {_CALL_COLUMNS} FROM calls WHERE call_id = ?", (call_id,))
        return _record(rows[0]) if rows else None

    def calls(self, limit: int = 100, offset: int = 0) -> list[CallRecord]:
        rows = self._read(
            f"SELECT {_CALL_COLUMNS} FROM calls ORDER BY first_stored_at DESC, call_id"
            " LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_record(row) for row in rows]

    def find_words(self, word: str, role: ev.ChannelRole | None = None) -> list[WordHit]:
        sql = "SELECT call_id, seq, role, word, start_s, end_s, conf FROM words WHERE word = ?"
        params: list[object] = [word.lower()]
        if role is not None:
            sql += " AND role = ?"
            params.append(role.value)
        sql += " ORDER BY call_id, seq, idx"
        return [
            WordHit(c, s, ev.ChannelRole(r), w, a, b, conf)
            for c, s, r, w, a, b, conf in self._read(sql, params)
        ]

    def transcripts(self, call_id: str) -> list[StoredTranscript]:
        rows = self._read(
            "SELECT call_id, engine, language, created_at, transcript, events"
            " FROM transcripts WHERE call_id = ? ORDER BY engine",
            (call_id,),
        )
        return [
            StoredTranscript(c, e, lang, at, text, tuple(wire.decode(t) for t in json.loads(evs)))
            for c, e, lang, at, text, evs in rows
        ]

    def schema_version(self) -> int:
        with self._read_lock:
            return file_version(self._reader)

    # ---------------------------------------------------------------- closing

    def close(self) -> None:
        with self._write_lock, self._read_lock:
            if self._closed:
                return
            self._closed = True
            self._reader.close()
            self._writer.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        db.execute("ROLLBACK")


def _record(row: tuple) -> CallRecord:
    (
        call_id,
        origin,
        language,
        agent_id,
        source,
        first_stored_at,
        ended,
        duration_s,
        last_seq,
        peak_score,
        peak_level,
        first_flag_s,
        flagged,
        engine,
    ) = row
    return CallRecord(
        call_id=call_id,
        origin=origin,
        language=language,
        agent_id=agent_id,
        source=source,
        first_stored_at=first_stored_at,
        ended=bool(ended),
        duration_s=duration_s,
        last_seq=last_seq,
        peak_score=peak_score,
        peak_level=ev.AngerLevel(peak_level),
        first_flag_s=first_flag_s,
        flagged=bool(flagged),
        engine=engine,
    )


__all__ = ["LATEST_VERSION", "SqliteStore"]
