"""Seats and queues across nodes in real JetStream KV buckets."""

from __future__ import annotations

import asyncio

from assist.cluster.broker import Broker
from assist.cluster.seats import ClusterQueue, ClusterSeats, Taken

from .conftest import config_for


async def _settle(condition, timeout_s: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)


def test_a_seat_opened_on_another_node_closes_the_first(nats_server):
    async def scenario():
        a = await Broker(config_for(nats_server), node="a").connect()
        b = await Broker(config_for(nats_server), node="b").connect()
        taken_on_a, taken_on_b = [], []
        seats_a, seats_b = ClusterSeats(a, taken_on_a.append), ClusterSeats(b, taken_on_b.append)
        await seats_a.start()
        await seats_b.start()
        holder_a = await seats_a.open("a1")
        holder_a2 = await seats_a.open("a2")
        await asyncio.sleep(0.2)
        assert taken_on_a == [] and taken_on_b == []
        holder_b = await seats_b.open("a1")  # the agent opened seat a1 on node b too
        await _settle(lambda: taken_on_a)
        assert taken_on_a == ["a1"] and taken_on_b == []
        assert not seats_a.holds("a1", holder_a) and seats_b.holds("a1", holder_b)
        await seats_a.close("a1", holder_a)  # the old screen's goodbye frees nothing
        await seats_a.close("a2", holder_a2)
        await asyncio.sleep(0.2)
        assert seats_b.holds("a1", holder_b)
        await seats_b.open("a2")  # a freed seat: nobody is told
        await asyncio.sleep(0.2)
        assert taken_on_a == ["a1"]
        for s in (seats_a, seats_b):
            await s.stop()
        await a.close()
        await b.close()

    asyncio.run(scenario())


def test_free_seats_on_two_nodes_take_each_waiting_call_exactly_once(nats_server):
    n_calls = 30

    async def scenario():
        ivr = await Broker(config_for(nats_server), node="ivr").connect()
        handed: list[Taken] = []
        queue_ivr = ClusterQueue(ivr, handed.append)
        await queue_ivr.start()
        for i in range(n_calls):
            await queue_ivr.offer("sales", f"call-{i}", priority=5 if i % 10 == 9 else 0)
        nodes = [await Broker(config_for(nats_server), node=n).connect() for n in ("b", "c")]
        queues = [ClusterQueue(node) for node in nodes]
        for q in queues:
            await q.start()
        taken: list[Taken] = []

        async def seat_loop(queue: ClusterQueue, seat: str) -> None:
            while True:
                got = await queue.take_next(seat)
                if got is None:
                    if not queue.in_line():
                        return
                    continue
                taken.append(got)
                await asyncio.sleep(0.001)  # a short talk, then free again

        await asyncio.gather(
            *(seat_loop(q, f"{q.broker.node}-s{i}") for q in queues for i in range(3))
        )
        ids = [t.call_id for t in taken]
        assert sorted(ids) == sorted(f"call-{i}" for i in range(n_calls))  # each once
        assert {t.node for t in taken} == {"b", "c"}
        # the higher-priority callers went first (six seats raced for them)
        assert {"call-9", "call-19", "call-29"} <= set(ids[:6])
        await _settle(lambda: len(handed) == n_calls)
        assert sorted((t.call_id, t.seat) for t in handed) == sorted(
            (t.call_id, t.seat) for t in taken
        )
        await queue_ivr.call_ended("sales", "call-0")
        for q in (*queues, queue_ivr):
            await q.stop()
        for node in (*nodes, ivr):
            await node.close()

    asyncio.run(scenario())


def test_a_caller_who_hung_up_is_not_taken(nats_server):
    async def scenario():
        a = await Broker(config_for(nats_server), node="a").connect()
        b = await Broker(config_for(nats_server), node="b").connect()
        qa, qb = ClusterQueue(a), ClusterQueue(b)
        await qa.start()
        await qb.start()
        await qa.offer("q", "gone")
        await qa.offer("q", "stays")
        await _settle(lambda: len(qb.in_line()) == 2)
        await qa.call_ended("q", "gone")
        await _settle(lambda: len(qb.in_line()) == 1)
        got = await qb.take_next("s1")
        assert got is not None and got.call_id == "stays"
        assert await qb.take_next("s2") is None
        for q in (qa, qb):
            await q.stop()
        await a.close()
        await b.close()

    asyncio.run(scenario())
