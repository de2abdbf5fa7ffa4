"""A broker with too little JetStream storage for the site: a real nats-server
whose ``max_file_store`` cannot hold the stream's size limit (or, once the
stream has it, the seat and node buckets). The node keeps trying, and what
it logs says which two settings to change, not only the server's
"insufficient storage resources available"."""

from __future__ import annotations

import asyncio
import logging

from assist.chain.chain import EventChain
from assist.cluster.broker import Broker, storage_hint
from assist.cluster.localserver import LocalNats
from assist.cluster.node import ClusterNode

from .conftest import config_for


def _small_server(tmp_path, size: str) -> LocalNats:
    return LocalNats(tmp_path / "nats", max_file_store=size).start()


async def _logged(caplog, needle: str, timeout_s: float = 15.0) -> str:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        for record in caplog.records:
            if needle in record.getMessage():
                return record.getMessage()
        await asyncio.sleep(0.1)
    raise AssertionError(f"nothing logged with {needle!r}: {caplog.text[-2000:]}")


def test_a_stream_too_big_for_the_broker_names_both_limits(tmp_path, caplog):
    server = _small_server(tmp_path, "500MB")  # below the stream's default 1 GiB
    config = config_for(server)

    async def scenario():
        broker = Broker(config, node="a")
        broker.start()
        try:
            said = await _logged(caplog, "cannot be made")
            assert not broker.ready.is_set()
        finally:
            await broker.close()
        return said

    try:
        with caplog.at_level(logging.WARNING, logger="assist.cluster"):
            said = asyncio.run(scenario())
    finally:
        server.stop(kill=True)
    assert "max_file_store" in said and f"max_bytes = {config.max_bytes}" in said
    assert said.count("cannot be made") == 1


def test_a_node_whose_buckets_do_not_fit_says_what_to_change(tmp_path, caplog):
    # 1 GB holds the stream's 1 GiB limit as the server counts it, and
    # nothing more: the node's heartbeat bucket is refused.
    server = _small_server(tmp_path, "1GB")
    config = config_for(server)

    async def scenario():
        node = ClusterNode(config, EventChain(), node="a")
        await node.start()
        try:
            return await _logged(caplog, "joining the site failed")
        finally:
            await node.stop()

    try:
        with caplog.at_level(logging.WARNING, logger="assist.cluster"):
            said = asyncio.run(scenario())
    finally:
        server.stop(kill=True)
    assert "too little JetStream storage" in said and "raise max_file_store" in said


def test_other_errors_get_no_storage_hint(nats_server):
    config = config_for(nats_server)
    assert storage_hint(RuntimeError("insufficient storage resources available"), config) is None
    assert storage_hint(TimeoutError(), config) is None
