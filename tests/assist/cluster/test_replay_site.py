"""``replay --broker``: replayed calls reach the site's store writer whole,
replace an earlier replay of the same call, and never a live call."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil

from assist.cli import main
from assist.cluster.broker import Broker
from assist.cluster.storewriter import StoreWriter
from assist.store import open_store
from audio_fixtures import ensure_fixtures, load_labels
from ivr import events as ev

from ..replay.fixture_transcripts import write_transcript
from .conftest import config_for


def _write_site_store(server, store_path, expected_replays: int) -> StoreWriter:
    async def scenario() -> StoreWriter:
        store = open_store(store_path)
        broker = await Broker(config_for(server), node="w").connect()
        writer = StoreWriter(broker, store, ack_wait_s=1.0)
        task = asyncio.create_task(writer.run())
        for _ in range(600):
            if writer.replays + writer.refused >= expected_replays:
                break
            await asyncio.sleep(0.05)
        writer.stop()
        await task
        await broker.close()
        store.close()
        return writer

    return asyncio.run(scenario())


def test_replayed_calls_go_to_the_site_store(nats_server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("IVR_ASSIST_MODEL", str(tmp_path / "no-model-here"))
    root = tmp_path / "calls"
    root.mkdir()
    for name, fixture in (("r1", "ru_angry"), ("live-1", "en_calm")):
        shutil.copy(ensure_fixtures() / f"{fixture}.8k.stereo.wav", root / f"{name}.wav")
        write_transcript(root / f"{name}.transcript.json", load_labels(fixture), agent_id="a9")
    site_store = tmp_path / "site.sqlite"
    # A live call already has the id live-1 in the site's store.
    store = open_store(site_store)
    store.append([dataclasses.replace(ev.CallStarted("live-1", "en"), seq=1)])
    store.close()

    args = ["replay", str(root), "--broker", nats_server.url, "--report", str(tmp_path / "rep")]
    assert main(args) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "sent to the site's store writer" in out
    assert not (tmp_path / "calls.sqlite").exists()  # no local store meanwhile
    first = _write_site_store(nats_server, site_store, expected_replays=2)
    assert (first.replays, first.refused) == (1, 1)

    # The same call replayed again (its recorder's transcript now names
    # another agent) replaces the first replay; an identical one is sent once.
    write_transcript(root / "r1.transcript.json", load_labels("ru_angry"), agent_id="b2")
    assert main(args) == 0
    again = _write_site_store(nats_server, site_store, expected_replays=1)
    assert (again.replays, again.refused) == (1, 0)

    store = open_store(site_store)
    try:
        record = store.call("r1")
        assert record is not None and record.origin == "replay" and record.agent_id == "b2"
        events = store.events_after("r1")
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert isinstance(events[-1], ev.CallEnded) and record.peak_level is ev.AngerLevel.ANGRY
        live = store.call("live-1")
        assert live is not None and live.origin == "live" and live.last_seq == 1
    finally:
        store.close()


def test_an_unreachable_broker_is_one_line(tmp_path, capsys):
    root = tmp_path / "calls"
    root.mkdir()
    shutil.copy(ensure_fixtures() / "en_calm.8k.stereo.wav", root / "c.wav")
    write_transcript(root / "c.transcript.json", load_labels("en_calm"))
    for bad, said in (("nats://u:p@127.0.0.1:4222", "access file"), ("http://x:1", "nats://")):
        try:
            main(["replay", str(root), "--broker", bad])
        except SystemExit as exc:
            assert exc.code == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err
