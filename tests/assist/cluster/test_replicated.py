"""A replicated stream on a three-server JetStream cluster: a server killed
with -9 mid-run loses no event, and nodes carry on through the other two."""

from __future__ import annotations

import asyncio

from assist.cluster.broker import Broker
from assist.cluster.config import BrokerConfig
from assist.cluster.publisher import StreamPublisher
from assist.cluster.source import call_events

from .conftest import call_events as make_call


def test_a_killed_server_loses_nothing_of_a_replicated_stream(nats_cluster):
    config = BrokerConfig(tuple(nats_cluster.urls), replicas=3)

    async def scenario():
        node = await Broker(config, node="a").connect(timeout_s=30)
        info = await node.js.stream_info(node.names.stream)
        assert info.config.num_replicas == 3
        pub = StreamPublisher(node)
        pub.start()
        entries = make_call("c1", 200)
        half = len(entries) // 2
        for event, text in entries[:half]:
            pub.put(event, text)
        await pub.flush(timeout_s=20)
        # kill -9 the server this node is connected to (the worst one to lose)
        connected = node.nc.connected_url.port
        victim = next(s for s in nats_cluster.servers if s.port == connected)
        victim.stop(kill=True)
        for event, text in entries[half:]:
            pub.put(event, text)
        await pub.flush(timeout_s=40)
        assert node.nc.connected_url.port != connected
        # a reader on another server of the cluster sees every event once
        other = next(s for s in nats_cluster.servers if s.running and s.port != connected)
        reader = await Broker(BrokerConfig((other.url,), replicas=3), node="r").connect(30)
        got = await call_events(reader, "c1")
        assert [e for e, _ in got] == [e for e, _ in entries]
        await reader.close()
        await node.close()

    asyncio.run(scenario())
