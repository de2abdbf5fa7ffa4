"""A node's events through a real nats-server: published per call, read back
after N, tailed by another node, held while the server is away."""

from __future__ import annotations

import asyncio
import dataclasses

from assist.cluster.broker import Broker
from assist.cluster.publisher import StreamPublisher
from assist.cluster.source import SiteTail, call_events, recent_calls
from ivr import events as ev
from ivr import wire

from .conftest import call_events as make_call
from .conftest import config_for


def test_events_are_read_back_after_n(nats_server):
    async def scenario():
        broker = await Broker(config_for(nats_server), node="a").connect()
        pub = StreamPublisher(broker)
        pub.start()
        calls = {cid: make_call(cid, 30) for cid in ("c1", "x.y:z@w")}
        for entries in zip(*calls.values(), strict=False):
            for event, text in entries:
                pub.put(event, text)
        pub.put(ev.AudioChunk("c1", ev.ChannelRole.CUSTOMER, 8000, b"\0\0" * 80, seq=999), "")
        await pub.flush()
        for cid, entries in calls.items():
            got = await call_events(broker, cid)
            assert [e for e, _ in got] == [e for e, _ in entries]  # audio stays on the node
            assert [t for _, t in got] == [t for _, t in entries]
            after = await call_events(broker, cid, after_seq=17)
            assert [e.seq for e, _ in after] == [e.seq for e, _ in entries if e.seq > 17]
        assert await call_events(broker, "nobody") == []
        assert set(await recent_calls(broker, 60.0)) == set(calls)
        await pub.close()
        await broker.close()

    asyncio.run(scenario())


def test_a_retry_is_stored_once(nats_server):
    async def scenario():
        broker = await Broker(config_for(nats_server), node="a").connect()
        pub = StreamPublisher(broker)
        pub.start()
        entries = make_call("c1", 9)
        for event, text in entries + entries[3:6]:  # a batch sent again after a reconnect
            pub.put(event, text)
        await pub.flush()
        info = await broker.js.stream_info(broker.names.stream)
        assert info.state.messages == len(entries)
        await broker.close()

    asyncio.run(scenario())


def test_another_node_tails_every_call_but_not_its_own(nats_server):
    async def scenario():
        node_a = await Broker(config_for(nats_server), node="a").connect()
        node_b = await Broker(config_for(nats_server), node="b").connect()
        seen_by_a, seen_by_b = [], []
        tail_a = SiteTail(node_a, lambda e, t: seen_by_a.append(e))
        tail_b = SiteTail(node_b, lambda e, t: seen_by_b.append(e))
        await tail_a.start()
        await tail_b.start()
        pub_a, pub_b = StreamPublisher(node_a), StreamPublisher(node_b)
        pub_a.start()
        pub_b.start()
        a_call, b_call = make_call("on-a", 12), make_call("on-b", 12)
        for (ea, ta), (eb, tb) in zip(a_call, b_call, strict=True):
            pub_a.put(ea, ta)
            pub_b.put(eb, tb)
        await pub_a.flush()
        await pub_b.flush()
        for _ in range(300):
            if len(seen_by_a) == len(b_call) and len(seen_by_b) == len(a_call):
                break
            await asyncio.sleep(0.05)
        assert seen_by_b == [e for e, _ in a_call]
        assert seen_by_a == [e for e, _ in b_call]
        await tail_a.stop()
        await tail_b.stop()
        await node_a.close()
        await node_b.close()

    asyncio.run(scenario())


def test_events_wait_while_the_server_restarts_and_none_is_lost(nats_server):
    states = []

    async def scenario():
        broker = await Broker(config_for(nats_server), node="a", on_state=states.append).connect()
        pub = StreamPublisher(broker)
        pub.start()
        entries = make_call("c1", 60)
        half = len(entries) // 2
        for event, text in entries[:half]:
            pub.put(event, text)
        await pub.flush()
        await asyncio.to_thread(nats_server.stop, kill=True)
        for _ in range(300):
            if not broker.connected:
                break
            await asyncio.sleep(0.05)
        assert not broker.connected
        for event, text in entries[half:]:  # the node goes on while the broker is away
            pub.put(event, text)
        await asyncio.sleep(0.3)
        assert pub.backlog > 0
        await asyncio.to_thread(nats_server.start)
        await pub.flush(timeout_s=20)
        assert broker.connected
        got = await call_events(broker, "c1")
        assert [e for e, _ in got] == [e for e, _ in entries]
        await broker.close()

    asyncio.run(scenario())
    assert states[:3] == [True, False, True]


def test_beyond_the_bound_partials_go_and_flags_stay(nats_server):
    async def scenario():
        broker = await Broker(config_for(nats_server), node="a").connect()
        pub = StreamPublisher(broker, max_buffered=20)
        pub.start()
        await asyncio.to_thread(nats_server.stop, kill=True)
        for _ in range(300):
            if not broker.connected:
                break
            await asyncio.sleep(0.05)
        entries = make_call("c1", 60)
        for event, text in entries:
            pub.put(event, text)
        await asyncio.to_thread(nats_server.start)
        await pub.flush(timeout_s=20)
        got = [e for e, _ in await call_events(broker, "c1")]
        kinds = lambda es, t: [e.seq for e in es if isinstance(e, t)]  # noqa: E731
        for keep in (
            ev.CallStarted,
            ev.TranscriptFinal,
            ev.CallFlagged,
            ev.Suggestion,
            ev.CallEnded,
        ):
            assert kinds(got, keep) == kinds([e for e, _ in entries], keep)
        assert len(kinds(got, ev.TranscriptPartial)) < len(
            kinds([e for e, _ in entries], ev.TranscriptPartial)
        )
        assert pub.outbox.dropped["TranscriptPartial"] > 0
        await broker.close()

    asyncio.run(scenario())


def test_a_node_started_before_the_server_connects_when_it_comes(nats_server):
    async def scenario():
        port = nats_server.port
        await asyncio.to_thread(nats_server.stop)
        broker = Broker(config_for(nats_server), node="a")
        broker.start()
        pub = StreamPublisher(broker)
        pub.start()
        event = dataclasses.replace(ev.CallStarted("c1", "en"), seq=1)
        pub.put(event, wire.encode(event))
        await asyncio.sleep(0.5)
        assert not broker.connected
        nats_server.port = port
        await asyncio.to_thread(nats_server.start)
        await pub.flush(timeout_s=15)
        assert [e for e, _ in await call_events(broker, "c1")] == [event]
        await broker.close()

    asyncio.run(scenario())
