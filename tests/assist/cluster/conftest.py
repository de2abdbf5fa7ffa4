"""Real nats-server processes for the broker tests: each test gets its own
server (or three-server cluster) on a free loopback port with a temporary
store directory, stopped when the test ends."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from assist.cluster.config import BrokerConfig
from assist.cluster.localserver import LocalNats, LocalNatsCluster
from ivr import events as ev
from ivr import wire

if shutil.which("nats-server") is None and shutil.which("nats-server", path="/usr/sbin") is None:
    pytest.fail("nats-server is not installed: run scripts/setup.sh --test", pytrace=False)


@pytest.fixture
def nats_server(tmp_path):
    server = LocalNats(tmp_path / "nats").start()
    yield server
    server.stop(kill=True)


@pytest.fixture
def nats_cluster(tmp_path):
    cluster = LocalNatsCluster(tmp_path / "cluster").start()
    yield cluster
    cluster.stop()


def config_for(server: LocalNats, **kw) -> BrokerConfig:
    return BrokerConfig((server.url,), **kw)


def call_events(call_id: str, n_words: int, *, first_seq: int = 1) -> list[tuple[ev.Event, str]]:
    """A plausible call's numbered events: start, partials and finals,
    anger updates, a flag, a suggestion, the end."""
    events: list[ev.Event] = [ev.CallStarted(call_id, "en", agent_id="a1")]
    for i in range(n_words):
        at = 0.5 * (i + 1)
        events.append(ev.TranscriptPartial(call_id, ev.ChannelRole.CUSTOMER, f"w{i}", at_s=at))
        if i % 3 == 2:
            events.append(
                ev.TranscriptFinal(
                    call_id, ev.ChannelRole.CUSTOMER, f"w{i - 2} w{i - 1} w{i}", at_s=at
                )
            )
            events.append(
                ev.AngerUpdate(call_id, at, 0.1 * (i % 10), ev.AngerLevel.CALM, ev.Trend.STEADY)
            )
    events.append(ev.CallFlagged(call_id, 2.0, ev.AngerLevel.ANGRY, "threat"))
    events.append(ev.Suggestion(call_id, f"{call_id}-s1", "I hear you", "empathy", "anger", "en"))
    events.append(ev.CallEnded(call_id, 0.5 * (n_words + 1)))
    out = []
    for seq, event in enumerate(events, start=first_seq):
        numbered = dataclasses.replace(event, seq=seq)
        out.append((numbered, wire.encode(numbered)))
    return out
