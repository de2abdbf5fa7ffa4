"""The batch writer: acknowledged means committed, failures are retried
without losing anything, and a killed process keeps every acknowledged event."""

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from assist.store import BatchWriter, SqliteStore, StoreError
from ivr import events as ev

from .events import sample_call

ROOT = Path(__file__).resolve().parents[3]


def test_flush_returns_once_everything_is_committed(tmp_path):
    store = SqliteStore(tmp_path / "calls.sqlite")
    writer = BatchWriter(store)
    events = sample_call("c1") + sample_call("c2")
    for event in events:
        writer.put(event)
    writer.flush()
    assert writer.backlog == 0
    assert writer.committed_seq("c1") == writer.committed_seq("c2") == 17
    # read on another connection: committed, not merely buffered
    other = SqliteStore(tmp_path / "calls.sqlite")
    assert other.events_after("c2") == sample_call("c2")
    writer.close()
    writer.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        writer.put(events[0])
    other.close()
    store.close()


class FlakyStore:
    """Fails its first ``failures`` appends (as a full disk would), then works."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.stored: list[ev.Event] = []
        self.calls = 0
        self.lock = threading.Lock()

    def append(self, events, wire_texts=None):
        with self.lock:
            self.calls += 1
            if self.failures > 0:
                self.failures -= 1
                raise StoreError("disk full")
            self.stored.extend(events)


def test_a_failing_store_is_retried_and_nothing_is_lost():
    store = FlakyStore(failures=2)
    writer = BatchWriter(store)  # type: ignore[arg-type]
    events = sample_call()
    for event in events:
        writer.put(event)
    writer.flush(timeout_s=10)
    assert store.stored == events
    assert store.calls >= 3
    assert writer.error is None
    writer.close()


def test_flush_gives_up_with_the_reason_when_the_store_keeps_failing():
    store = FlakyStore(failures=10**6)
    writer = BatchWriter(store)  # type: ignore[arg-type]
    writer.put(sample_call()[0])
    with pytest.raises(StoreError, match=r"1 events not yet stored.*disk full"):
        writer.flush(timeout_s=0.3)
    assert writer.backlog == 1  # still queued, still retried
    store.failures = 0
    writer.flush(timeout_s=10)
    assert len(store.stored) == 1
    writer.close()


CRASHING_WRITER = textwrap.dedent(
    """
    import sys
    from assist.chain.chain import EventChain
    from assist.store import SqliteStore
    from ivr import events as ev

    bus = EventChain(store=SqliteStore(sys.argv[1]))
    n = 0
    while True:
        for _ in range(40):
            n += 1
            bus.publish(ev.AngerUpdate("crash", n / 10, 0.5, ev.AngerLevel.TENSE, ev.Trend.STEADY))
        bus.flush_store()
        print(f"acked {n}", flush=True)
        for _ in range(7):  # published, not yet acknowledged when the kill comes
            n += 1
            bus.publish(ev.CallFlagged("crash", n / 10, ev.AngerLevel.TENSE, "x"))
    """
)


def test_killing_the_writing_process_loses_nothing_acknowledged(tmp_path):
    path = tmp_path / "calls.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WRITER, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    acked = 0
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            acked = int(line.split()[1])
            if acked >= 2000:
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert acked >= 2000, "the writer never got going"
    with SqliteStore(path) as store:
        seqs = [e.seq for e in store.events_after("crash")]
        assert seqs == list(range(1, len(seqs) + 1))  # whole batches, no gaps
        assert len(seqs) >= acked
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
