import dataclasses
import sqlite3

import pytest

from assist.store import SqliteStore, StoreError
from ivr import events as ev
from ivr.events import EVENT_TYPES

from .events import C, sample_call


@pytest.fixture
def store(tmp_path):
    with SqliteStore(tmp_path / "calls.sqlite") as s:
        yield s


def test_every_event_type_round_trips_in_order(store):
    events = sample_call()
    assert {type(e) for e in events} == set(EVENT_TYPES)
    store.append(events)
    assert store.events_after("c1") == events
    assert store.events_after("c1", 10) == events[10:]
    assert store.last_seq("c1") == len(events)
    assert store.events_after("nobody") == []
    assert store.last_seq("nobody") == 0


def test_events_by_type_and_limit(store):
    store.append(sample_call())
    finals = store.events_after("c1", types=(ev.TranscriptFinal,))
    assert [f.text for f in finals] == ["I want a Manager", "sorry"]
    updates = store.events_after("c1", 8, types=(ev.AngerUpdate, ev.CallFlagged), limit=2)
    assert [type(e).__name__ for e in updates] == ["CallFlagged", "AngerUpdate"]


def test_the_call_row_says_who_when_and_how_angry(store):
    store.append(sample_call(agent_id="a7"))
    record = store.call("c1")
    assert record is not None
    assert (record.origin, record.language, record.agent_id, record.source) == (
        "live",
        "en",
        "a7",
        "pbx",
    )
    assert record.ended and record.duration_s == 7.5 and record.last_seq == 17
    assert record.peak_score == 0.72 and record.peak_level is ev.AngerLevel.ANGRY
    assert record.first_flag_s == 2.0 and record.flagged
    assert record.first_stored_at.endswith("+00:00")
    assert store.call("nobody") is None


def test_a_call_written_in_several_batches_sums_up_the_same(store, tmp_path):
    events = sample_call()
    for start in range(0, len(events), 3):
        store.append(events[start : start + 3])
    with SqliteStore(tmp_path / "whole.sqlite") as whole:
        whole.append(events)
        assert dataclasses.replace(store.call("c1"), first_stored_at="") == dataclasses.replace(
            whole.call("c1"), first_stored_at=""
        )


def test_words_of_final_transcripts_are_searchable(store):
    store.append(sample_call("c1"))
    store.append(sample_call("c2"))
    hits = store.find_words("MANAGER")
    assert [(h.call_id, h.role, h.start_s, h.end_s) for h in hits] == [
        ("c1", C, 1.5, 2.0),
        ("c2", C, 1.5, 2.0),
    ]
    assert store.find_words("sorry", role=C) == []
    assert store.find_words("i") and not store.find_words("want a")


def test_calls_list_newest_first_with_paging(store):
    for n in range(3):
        store.append(sample_call(f"c{n}"))
    listed = [r.call_id for r in store.calls()]
    assert sorted(listed) == ["c0", "c1", "c2"]
    assert [r.call_id for r in store.calls(limit=2, offset=1)] == listed[1:3]


def test_a_reopened_file_has_everything(tmp_path):
    path = tmp_path / "calls.sqlite"
    with SqliteStore(path) as first:
        first.append(sample_call())
    with SqliteStore(path) as again:
        assert again.events_after("c1") == sample_call()
        assert again.schema_version() == 3


def test_file_is_in_wal_mode(tmp_path):
    path = tmp_path / "calls.sqlite"
    SqliteStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_events_without_seq_are_refused(store):
    with pytest.raises(StoreError, match="no seq"):
        store.append([ev.CallStarted("c1", "en")])
    assert store.call("c1") is None


def test_a_clashing_batch_stores_nothing_and_says_which_seq(store):
    events = sample_call()
    store.append(events[:5])
    with pytest.raises(StoreError, match="seq 5"):
        store.append(events[4:])  # overlaps at seq 5
    assert store.events_after("c1") == events[:5]
    assert store.call("c1").last_seq == 5
    with pytest.raises(StoreError, match="two events"):
        store.append([events[6], events[6]])
    store.append(events[5:])  # the rest still goes in
    assert store.events_after("c1") == events


def test_replace_call_swaps_a_replay_but_never_a_live_call(store):
    events = sample_call("r1")
    store.replace_call("r1", events)
    store.replace_call("r1", events[:3])
    assert store.events_after("r1") == events[:3]
    record = store.call("r1")
    assert record.origin == "replay" and not record.ended and record.peak_score == 0.0
    assert store.find_words("manager") == []
    store.append(sample_call("live1"))
    with pytest.raises(StoreError, match="live call"):
        store.replace_call("live1", sample_call("live1")[:2])
    assert len(store.events_after("live1")) == 17
    with pytest.raises(StoreError, match="event of call"):
        store.replace_call("r1", sample_call("other"))


def test_not_a_store_is_refused_and_left_alone(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"these are my notes, not a database" * 100)
    before = junk.read_bytes()
    with pytest.raises(StoreError, match="not an ivr-assist store"):
        SqliteStore(junk)
    assert junk.read_bytes() == before

    other = tmp_path / "other.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE customers (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="no schema_version"):
        SqliteStore(other)


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "calls.sqlite"
    SqliteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer ivr-assist"):
        SqliteStore(path)


def test_bad_places_are_named(tmp_path):
    with pytest.raises(StoreError, match="is a directory"):
        SqliteStore(tmp_path)
    with pytest.raises(StoreError, match="does not exist"):
        SqliteStore(tmp_path / "missing" / "calls.sqlite")


def test_a_closed_store_says_so(tmp_path):
    s = SqliteStore(tmp_path / "calls.sqlite")
    s.close()
    s.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        s.append(sample_call())
    with pytest.raises(StoreError, match="closed"):
        s.events_after("c1")


def test_a_second_transcript_is_kept_by_engine(tmp_path):
    path = tmp_path / "calls.sqlite"
    events = sample_call()
    rerun = [
        ev.TranscriptFinal("c1", ev.ChannelRole.CUSTOMER, "third time", at_s=1.0, seq=1),
        ev.AngerUpdate("c1", 1.0, 0.4, ev.AngerLevel.TENSE, ev.Trend.RISING, seq=2),
    ]
    with SqliteStore(path) as store:
        store.append(events)
        store.put_transcript("c1", "whisper", "en", '{"version": 1}', rerun[:1])
        store.put_transcript("c1", "whisper", "en", '{"version": 1, "channels": {}}', rerun)
        with pytest.raises(StoreError, match="event of call 'c2'"):
            store.put_transcript("c1", "whisper", "en", "{}", sample_call("c2"))
    with SqliteStore(path) as again:
        (kept,) = again.transcripts("c1")
        assert (kept.engine, kept.language, kept.events) == ("whisper", "en", tuple(rerun))
        assert kept.transcript == '{"version": 1, "channels": {}}'
        assert again.events_after("c1") == events  # the call's own events are untouched
        assert again.call("c1").engine == "vosk"
        again.replace_call("r1", sample_call("r1"), engine="whisper")
        assert again.call("r1").engine == "whisper"
