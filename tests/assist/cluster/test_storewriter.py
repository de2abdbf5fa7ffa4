"""The site's one store writer: every event into a real SQLite store exactly
once, across a kill -9 of the writer and a restart of the broker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assist.cluster.broker import Broker
from assist.cluster.publisher import StreamPublisher
from assist.cluster.storewriter import StoreWriter
from assist.store import open_store

from .conftest import call_events, config_for

ROOT = Path(__file__).resolve().parents[3]


async def _publish(server, calls: dict[str, list]) -> None:
    broker = await Broker(config_for(server), node="n1").connect()
    pub = StreamPublisher(broker)
    pub.start()
    for entries in calls.values():
        for event, text in entries:
            pub.put(event, text)
    await pub.flush(timeout_s=30)
    await pub.close()
    await broker.close()


def _assert_stored_once(store_path: Path, calls: dict[str, list]) -> None:
    store = open_store(store_path)
    try:
        for call_id, entries in calls.items():
            stored = store.events_after(call_id, 0)
            assert [e.seq for e in stored] == [e.seq for e, _ in entries], call_id
            assert stored == [e for e, _ in entries]
            record = store.call(call_id)
            assert record is not None and record.ended and record.flagged
    finally:
        store.close()


def test_every_event_is_stored_once_even_when_delivered_again(nats_server, tmp_path):
    calls = {f"c{i}": call_events(f"c{i}", 40) for i in range(5)}

    async def scenario():
        await _publish(nats_server, calls)
        store = open_store(tmp_path / "calls.sqlite")
        broker = await Broker(config_for(nats_server), node="w").connect()
        writer = StoreWriter(broker, store, ack_wait_s=1.0)
        # Part of the site's history is in the store already (a writer that
        # committed and died before it acknowledged): it must not be doubled.
        first = calls["c0"][:25]
        store.append([e for e, _ in first], [t for _, t in first])
        task = asyncio.create_task(writer.run())
        total = sum(len(v) for v in calls.values())
        for _ in range(600):
            if writer.stored + writer.skipped >= total:
                break
            await asyncio.sleep(0.05)
        writer.stop()
        await task
        assert (writer.stored, writer.skipped) == (total - 25, 25)
        await broker.close()
        store.close()

    asyncio.run(scenario())
    _assert_stored_once(tmp_path / "calls.sqlite", calls)


def _start_writer(server, store: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assist.cluster",
            "store-writer",
            "--broker",
            server.url,
            "--store",
            str(store),
            "--ack-wait",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_line(proc: subprocess.Popen, word: str, timeout_s: float = 20.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if word in line:
            return line
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"no {word!r} from the store writer")


def test_a_killed_writer_resumes_where_it_stopped(nats_server, tmp_path):
    store = tmp_path / "calls.sqlite"
    first = {f"a{i}": call_events(f"a{i}", 300) for i in range(4)}
    later = {f"b{i}": call_events(f"b{i}", 30) for i in range(3)}
    proc = _start_writer(nats_server, store)
    try:
        _wait_line(proc, "connected")
        asyncio.run(_publish(nats_server, first))
        time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # mid-way through, most likely
        proc.wait(10)
        asyncio.run(_publish(nats_server, later))  # the site goes on meanwhile
        # the broker restarts too before the writer is back
        nats_server.restart()
        proc = _start_writer(nats_server, store)
        _wait_line(proc, "connected")
        total = sum(len(v) for v in (first | later).values())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            s = open_store(store)
            n = sum(len(s.events_after(c, 0)) for c in (first | later))
            s.close()
            if n >= total:
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        out = _wait_line(proc, "stored")
        assert proc.wait(10) == 0, out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    _assert_stored_once(store, first | later)
