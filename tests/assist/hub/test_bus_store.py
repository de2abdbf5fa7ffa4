"""The bus with a store: every published event is persisted (audio aside),
history reaches past a restart, sequence numbers carry on."""

import asyncio

from assist.chain.chain import EventChain
from assist.chain.eventlog import RESUME_SEQ_GAP
from assist.store import SqliteStore
from ivr import events as ev


def anger(call_id: str, at_s: float, score: float) -> ev.AngerUpdate:
    return ev.AngerUpdate(call_id, at_s, score, ev.AngerLevel.TENSE, ev.Trend.RISING)


def test_published_events_are_stored_once_flushed_audio_excepted(tmp_path):
    store = SqliteStore(tmp_path / "calls.sqlite")
    bus = EventChain(store=store)
    started = bus.publish(ev.CallStarted("a", "ru", agent_id="s1"))
    bus.publish(ev.AudioChunk("a", ev.ChannelRole.CUSTOMER, 8000, b"\0\0" * 160))
    update = bus.publish(anger("a", 1.0, 0.5))
    bus.flush_store()
    assert store.events_after("a") == [started, update]  # seq 2 (audio) is not kept
    bus.close_store()
    store.close()


def test_after_a_restart_history_comes_from_the_store_and_seq_goes_on(tmp_path):
    path = tmp_path / "calls.sqlite"
    first = EventChain(store=SqliteStore(path))
    old = [
        first.publish(ev.CallStarted("a", "ru", agent_id="s1")),
        first.publish(anger("a", 1.0, 0.5)),
        first.publish(ev.CallFlagged("a", 1.0, ev.AngerLevel.TENSE, "pitch")),
    ]
    first.publish(ev.CallStarted("b", "en"))
    first.close_store()
    first.store.close()

    store = SqliteStore(path)
    bus = EventChain(store=store)  # the hub after a restart
    assert bus.history("a") == old  # a call this process never saw
    assert bus.history("a", after_seq=1) == old[1:]
    assert [bus.encoded(e) for e in bus.history("a")]  # encodable for screens
    # A driver opens a call before it publishes (publish never reads the store).
    asyncio.run(bus.open_call("a"))
    newer = bus.publish(anger("a", 2.0, 0.7))
    # Carries on past a gap, never reusing a number (nor one a screen may
    # have seen before a crash, that the store had not yet committed).
    assert newer.seq == 4 + RESUME_SEQ_GAP
    assert bus.history("a") == [*old, newer]
    assert bus.history("a", after_seq=3) == [newer]
    assert bus.history("nobody") == []
    bus.flush_store()
    assert store.events_after("a") == [*old, newer]
    bus.close_store()
    store.close()


def test_restore_calls_lists_stored_calls_as_ended(tmp_path):
    path = tmp_path / "calls.sqlite"
    first = EventChain(store=SqliteStore(path))
    first.publish(ev.CallStarted("a", "ru", agent_id="s1"))
    first.publish(ev.AngerUpdate("a", 1.0, 0.8, ev.AngerLevel.ANGRY, ev.Trend.RISING))
    first.publish(ev.CallFlagged("a", 1.0, ev.AngerLevel.ANGRY, "pitch"))
    first.publish(ev.CallEnded("a", 9.0))
    first.close_store()
    first.store.close()

    bus = EventChain(store=SqliteStore(path))
    assert bus.restore_calls() == ["a"]
    summary = bus.calls["a"]
    assert (summary.agent_id, summary.live, summary.flagged, summary.peak_score) == (
        "s1",
        False,
        True,
        0.8,
    )
    assert summary.last_seq == 4 and summary.last_audio_s == 9.0
    assert bus.restore_calls() == []  # already listed
    bus.close_store()
    bus.store.close()


def test_a_bus_without_store_keeps_working_in_memory():
    bus = EventChain()
    bus.publish(ev.CallStarted("a", "ru"))
    bus.flush_store()
    assert bus.restore_calls() == []
    assert len(bus.history("a")) == 1
