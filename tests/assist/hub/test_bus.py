import asyncio

from assist.chain.chain import EventChain
from assist.hub.bus import EventBus
from ivr import events as ev


def anger(call_id: str, at_s: float, level: ev.AngerLevel, score: float) -> ev.AngerUpdate:
    return ev.AngerUpdate(
        call_id, at_s, score, level, ev.Trend.RISING, (ev.AngerReason("pitch", "pitch +40 %", 0.3),)
    )


def test_sequence_numbers_are_per_call_and_history_resumes():
    bus = EventChain()
    a1 = bus.publish(ev.CallStarted("a", "ru"))
    b1 = bus.publish(ev.CallStarted("b", "en"))
    a2 = bus.publish(anger("a", 1.0, ev.AngerLevel.TENSE, 0.5))
    assert (a1.seq, b1.seq, a2.seq) == (1, 1, 2)
    assert bus.history("a", after_seq=1) == [a2]
    assert bus.history("unknown") == []


def test_summary_tracks_level_peak_and_top_reason():
    bus = EventChain()
    bus.publish(ev.CallStarted("a", "ru", agent_id="ag1"))
    bus.publish(anger("a", 1.0, ev.AngerLevel.ANGRY, 0.8))
    bus.publish(anger("a", 2.0, ev.AngerLevel.TENSE, 0.5))
    bus.publish(ev.CallFlagged("a", 1.0, ev.AngerLevel.ANGRY, "pitch +40 %"))
    bus.publish(ev.CallEnded("a", 3.0))
    s = bus.calls["a"]
    assert (s.level, s.peak_score, s.top_reason, s.flagged, s.live, s.agent_id) == (
        ev.AngerLevel.TENSE,
        0.8,
        "pitch +40 %",
        True,
        False,
        "ag1",
    )
    assert s.last_audio_s == 3.0


def test_slow_subscriber_loses_partials_first_then_is_cut_off_but_never_blocks():
    async def scenario():
        bus = EventChain()
        fanout = EventBus(max_queue=4)
        bus.add_sink(fanout)
        sub = fanout.subscribe(lambda e: True)
        for i in range(3):
            bus.publish(ev.TranscriptPartial("a", ev.ChannelRole.CUSTOMER, f"p{i}"))
        bus.publish(ev.TranscriptFinal("a", ev.ChannelRole.CUSTOMER, "final"))
        bus.publish(
            anger("a", 1.0, ev.AngerLevel.TENSE, 0.5)
        )  # queue full: partials coalesced away
        assert not sub.overflowed
        kinds = [type(sub.queue.get_nowait()).__name__ for _ in range(sub.queue.qsize())]
        assert kinds == ["TranscriptFinal", "AngerUpdate"]
        for i in range(10):
            bus.publish(anger("a", 2.0 + i, ev.AngerLevel.ANGRY, 0.9))
        assert sub.overflowed  # it must reconnect with its last seq; the bus kept everything
        assert len(bus.history("a")) == 15

    asyncio.run(scenario())


def test_a_one_call_subscriber_is_offered_only_that_calls_events():
    async def scenario():
        chain = EventChain()
        fanout = EventBus()
        chain.add_sink(fanout)
        everyone = fanout.subscribe(lambda e: True)
        one = fanout.subscribe(lambda e: e.call_id == "a", "a")
        seen: list[str] = []
        picky = fanout.subscribe(lambda e: seen.append(e.call_id) or False, "b")
        assert fanout.subscribers == 3
        for call in ("a", "b", "c", "a"):
            chain.publish(ev.TranscriptFinal(call, ev.ChannelRole.CUSTOMER, "hello"))
        assert everyone.queue.qsize() == 4 and one.queue.qsize() == 2
        assert seen == ["b"] and picky.queue.qsize() == 0  # its filter still decides
        fanout.unsubscribe(one)
        fanout.unsubscribe(picky)
        assert fanout.subscribers == 1 and fanout.all_subscriptions() == [everyone]
        chain.publish(ev.TranscriptFinal("a", ev.ChannelRole.CUSTOMER, "again"))
        assert one.queue.qsize() == 2 and everyone.queue.qsize() == 5

    asyncio.run(scenario())
