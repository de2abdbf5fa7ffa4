"""Migrations: a file written by schema v1 opens as the current version,
with what v2 derives backfilled; a migration that fails leaves the file as it was."""

import sqlite3

import pytest

from assist.store import SqliteStore, StoreError
from assist.store.schema import LATEST_VERSION, file_version, migrate
from ivr import events as ev
from ivr import wire

from .events import sample_call


def write_v1_file(path, events, wire_text=wire.encode):
    """A store as ivr-assist with schema v1 wrote it (raw SQL, v1 columns only)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    assert migrate(db, target=1) == 0
    call_id = events[0].call_id
    db.execute(
        "INSERT INTO calls (call_id, origin, language, agent_id, source, first_stored_at,"
        " ended, duration_s, last_seq) VALUES (?, 'live', 'en', 'a7', 'pbx', ?, 1, 7.5, ?)",
        (call_id, "2024-05-01T10:00:00.000+00:00", events[-1].seq),
    )
    db.executemany(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
        [
            (e.call_id, e.seq, type(e).__name__, getattr(e, "at_s", None), wire_text(e))
            for e in events
        ],
    )
    db.close()


def test_a_v1_file_is_migrated_to_the_current_version(tmp_path):
    path = tmp_path / "old.sqlite"
    events = sample_call()
    write_v1_file(path, events)
    db = sqlite3.connect(path)
    assert file_version(db) == 1
    assert "words" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    db.close()

    with SqliteStore(path) as store:
        assert store.schema_version() == LATEST_VERSION == 3
        assert store.events_after("c1") == events  # nothing lost
        record = store.call("c1")
        assert record.first_stored_at == "2024-05-01T10:00:00.000+00:00"
        assert record.peak_score == 0.72 and record.peak_level is ev.AngerLevel.ANGRY
        assert record.first_flag_s == 2.0 and record.flagged
        assert [h.start_s for h in store.find_words("manager")] == [1.5]
        assert record.engine == "vosk" and store.transcripts("c1") == []  # v3
        # and new writes use the new columns
        store.append([ev.AngerUpdate("c1", 8.0, 0.9, ev.AngerLevel.ANGRY, ev.Trend.RISING, seq=18)])
        assert store.call("c1").peak_score == 0.9
    with SqliteStore(path) as again:  # opening a current file changes nothing
        assert again.schema_version() == 3 and len(again.events_after("c1")) == 18


def test_a_failing_migration_leaves_the_v1_file_unchanged(tmp_path):
    path = tmp_path / "old.sqlite"
    events = sample_call()

    def damaged(event):
        return "{not json" if event.seq == 7 else wire.encode(event)

    write_v1_file(path, events, damaged)
    with pytest.raises(StoreError, match="cannot upgrade"):
        SqliteStore(path)
    db = sqlite3.connect(path)
    assert file_version(db) == 1
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == len(events)
    columns = {r[1] for r in db.execute("PRAGMA table_info(calls)")}
    assert "peak_score" not in columns
    db.close()


def test_migrations_step_by_step_from_an_empty_file(tmp_path):
    db = sqlite3.connect(tmp_path / "x.sqlite", isolation_level=None)
    assert file_version(db) == 0
    assert migrate(db, target=1) == 0
    assert migrate(db, target=1) == 1  # already there: nothing to do
    assert migrate(db) == 1
    assert file_version(db) == 3
    with pytest.raises(ValueError):
        migrate(db, target=4)
    db.close()
