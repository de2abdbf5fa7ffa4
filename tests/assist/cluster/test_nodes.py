"""``serve --broker``: nodes of one site behind a real nats-server. A call
taken on one node shows on another node's screens; its second leg sent to
another node is refused; a screen whose node is killed with -9 resumes on
another node with after=N and misses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from assist.cluster.broker import Broker
from assist.cluster.localserver import free_port
from assist.cluster.source import call_events
from assist.serve import ServeOptions, serve_forever
from ivr import events as ev
from ivr import wire

from .conftest import config_for

ROOT = Path(__file__).resolve().parents[3]


async def _wait_port(port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"nothing listened on {port}")


def _node_options(port: int, model, broker_url: str) -> ServeOptions:
    return ServeOptions(port=port, languages=("en",), model=model, use_store=False,
                        log_events=False, broker=broker_url)  # fmt: skip


@contextlib.asynccontextmanager
async def _nodes(ports: list[int], model, broker_url: str) -> AsyncIterator[None]:
    """Site nodes on these ports, listening, until the block ends."""
    stop = asyncio.Event()
    nodes = [
        asyncio.create_task(serve_forever(_node_options(p, model, broker_url), stop)) for p in ports
    ]
    try:
        for port in ports:
            await _wait_port(port)
        yield
    finally:
        stop.set()
        await asyncio.gather(*nodes)


async def _ingest(port: int, call_id: str, pcm: bytes, *, pace_s: float = 0.0) -> None:
    url = f"ws://127.0.0.1:{port}/ws/ingest?call={call_id}&lang=en&seat=a1"
    async with connect(url) as ws:
        await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
        for i in range(0, len(pcm), 3200):
            await ws.send(pcm[i : i + 3200])
            await ws.recv()
            await asyncio.sleep(pace_s)
        await ws.send('{"eof": 1}')
        await ws.recv()


async def _follow(ports: list[int], call_id: str, seen: list, deadline_s: float) -> int:
    """An agent screen on the first node, moving to the next one when its
    node goes away (or does not know the call yet), resuming with after=N."""
    moves, index = 0, 0
    while time.monotonic() < deadline_s:
        after = seen[-1].seq if seen else 0
        url = f"ws://127.0.0.1:{ports[index]}/ws/agent?call={call_id}&after={after}"
        try:
            async with connect(url, open_timeout=5) as ws:
                while True:
                    event = wire.decode(await asyncio.wait_for(ws.recv(), 30))
                    seen.append(event)
                    if isinstance(event, ev.CallEnded):
                        return moves
        except ConnectionClosed as exc:
            if exc.rcvd is None or exc.rcvd.code != 4404:  # not "no such call (yet)"
                index, moves = (index + 1) % len(ports), moves + 1
        except OSError:
            index, moves = (index + 1) % len(ports), moves + 1
        await asyncio.sleep(0.1)
    raise AssertionError(f"the screen never saw {call_id} end")


def test_a_call_on_one_node_shows_on_another_and_its_second_leg_there_is_refused(
    nats_server, random_model, speech_8k
):
    ports = [free_port(), free_port()]

    async def scenario():
        async with _nodes(ports, random_model, nats_server.url):
            seen: list = []
            feed = asyncio.create_task(_ingest(ports[0], "c-1", speech_8k, pace_s=0.02))
            follow = asyncio.create_task(_follow([ports[1]], "c-1", seen, time.monotonic() + 60))
            while not seen:  # the other node knows the call
                await asyncio.sleep(0.05)
            # the agent leg of the same call sent to the other node: refused, and why
            url = f"ws://127.0.0.1:{ports[1]}/ws/ingest?call=c-1&lang=en&role=agent"
            async with connect(url) as ws:
                await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
                try:
                    await ws.send(speech_8k[:3200])
                    await asyncio.wait_for(ws.recv(), 10)
                    await asyncio.wait_for(ws.recv(), 10)
                except ConnectionClosed:
                    pass
                assert ws.close_code == 4409
                assert "live on node" in ws.close_reason
            await feed
            await follow
            broker = await Broker(config_for(nats_server), node="check").connect()
            stream = [e for e, _ in await call_events(broker, "c-1")]
            await broker.close()
            assert seen == stream  # everything, in order, once
            assert isinstance(seen[0], ev.CallStarted) and isinstance(seen[-1], ev.CallEnded)
            assert any(isinstance(e, ev.TranscriptFinal) for e in seen)

    asyncio.run(scenario())


def _status(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5) as response:
        return json.loads(response.read())


def _node(port: int, broker_url: str, model: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "assist", "serve", "--port", str(port), "--lang", "en",
         "--model", str(model), "--no-store", "--quiet", "--broker", broker_url],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_a_screen_whose_node_is_killed_resumes_on_another_and_misses_nothing(
    nats_server, random_model, speech_8k
):
    ports = [free_port() for _ in range(3)]  # screen on 0, resumes on 1; the call on 2
    procs = [_node(p, nats_server.url, random_model) for p in ports]

    async def scenario():
        for port in ports:
            await _wait_port(port)
        seen: list = []
        pcm = speech_8k * 3
        feed = asyncio.create_task(_ingest(ports[2], "k-1", pcm, pace_s=0.05))
        follow = asyncio.create_task(_follow(ports[:2], "k-1", seen, time.monotonic() + 90))
        while len(seen) < 5:
            await asyncio.sleep(0.05)
        os.kill(procs[0].pid, signal.SIGKILL)  # the screen's node, mid-call
        procs[0].wait(10)
        await feed
        moves = await follow
        assert moves >= 1
        broker = await Broker(config_for(nats_server), node="check").connect()
        stream = [e for e, _ in await call_events(broker, "k-1")]
        await broker.close()
        assert [e.seq for e in seen] == [e.seq for e in stream]  # nothing lost, nothing twice
        assert seen == stream

    try:
        asyncio.run(scenario())
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def test_a_seat_opened_on_another_node_closes_the_first_screen(nats_server, random_model):
    ports = [free_port(), free_port()]

    async def scenario():
        async with _nodes(ports, random_model, nats_server.url):
            await asyncio.sleep(1.0)  # both joined the site
            first = await connect(f"ws://127.0.0.1:{ports[0]}/ws/agent?seat=a7")
            await asyncio.sleep(0.5)
            second = await connect(f"ws://127.0.0.1:{ports[1]}/ws/agent?seat=a7")
            try:
                await asyncio.wait_for(first.recv(), 10)
            except ConnectionClosed:
                pass
            assert first.close_code == 4409
            assert first.close_reason == "this seat was opened elsewhere"
            await asyncio.sleep(0.3)
            assert second.close_code is None  # the newest screen keeps the seat
            await second.close()

    asyncio.run(scenario())


def test_a_node_serves_its_calls_while_the_broker_restarts_and_catches_up(
    nats_server, random_model, speech_8k
):
    port = free_port()
    options = _node_options(port, random_model, nats_server.url)

    async def scenario():
        stop = asyncio.Event()
        node = asyncio.create_task(serve_forever(options, stop))
        try:
            await _wait_port(port)
            await asyncio.sleep(1.0)  # joined
            notices: list[str] = []
            local: list = []

            async def supervise():
                async with connect(f"ws://127.0.0.1:{port}/ws/supervisor") as ws:
                    while True:
                        event = wire.decode(await ws.recv())
                        if event.call_id:
                            local.append(event)
                        elif isinstance(event, ev.Error):
                            notices.append(event.code)
                        ended = any(isinstance(e, ev.CallEnded) for e in local)
                        if ended and "broker-back" in notices:
                            return

            watcher = asyncio.create_task(supervise())
            feed = asyncio.create_task(_ingest(port, "r-1", speech_8k * 4, pace_s=0.05))
            await asyncio.sleep(0.5)
            await asyncio.to_thread(nats_server.stop, kill=True)
            for _ in range(300):
                if "broker-lost" in notices:
                    break
                await asyncio.sleep(0.05)
            assert notices == ["broker-lost"]  # said on the supervisor screen
            status = await asyncio.to_thread(_status, port)
            assert status["broker_connected"] == 0
            await asyncio.sleep(1.0)  # the call goes on here meanwhile
            await asyncio.to_thread(nats_server.start)
            await feed
            await asyncio.wait_for(watcher, 30)
            assert notices == ["broker-lost", "broker-back"]
            status = await asyncio.to_thread(_status, port)
            assert status["broker_connected"] == 1 and status["broker_dropped"] == 0
            broker = await Broker(config_for(nats_server), node="check").connect()
            stream: list = []
            for _ in range(50):  # what the node held reaches the broker
                stream = [e for e, _ in await call_events(broker, "r-1")]
                if stream and isinstance(stream[-1], ev.CallEnded):
                    break
                await asyncio.sleep(0.2)
            await broker.close()
            # everything the node's own screen saw reached the broker, in order, once
            # (a supervisor is not sent partial transcripts)
            assert [e for e in stream if not isinstance(e, ev.TranscriptPartial)] == local
            assert [e.seq for e in stream] == sorted({e.seq for e in stream})
        finally:
            stop.set()
            await node

    asyncio.run(scenario())


def test_a_call_whose_node_is_killed_goes_on_at_another_node(nats_server, random_model, speech_8k):
    ports = [free_port(), free_port()]
    procs = [_node(p, nats_server.url, random_model) for p in ports]

    async def scenario():
        for port in ports:
            await _wait_port(port)
        await asyncio.sleep(1.5)  # both joined (heartbeats written)
        url = "ws://127.0.0.1:{}/ws/ingest?call=m-1&lang=en&seat=a1"
        async with connect(url.format(ports[0])) as ws:
            await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
            for i in range(0, len(speech_8k), 3200):
                await ws.send(speech_8k[i : i + 3200])
                await ws.recv()
            await asyncio.sleep(0.5)  # published
            os.kill(procs[0].pid, signal.SIGKILL)  # the call's node dies mid-call
        procs[0].wait(10)
        # The PBX sends the call to the other node: refused while the dead
        # node's heartbeat is fresh, taken once it has gone stale.
        refused, deadline = 0, time.monotonic() + 30
        while True:
            assert time.monotonic() < deadline, "the call never went on at the other node"
            try:
                async with connect(url.format(ports[1])) as ws:
                    await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
                    for i in range(0, len(speech_8k), 3200):
                        await ws.send(speech_8k[i : i + 3200])
                        await ws.recv()
                    await ws.send('{"eof": 1}')
                    await ws.recv()
                break
            except ConnectionClosed as exc:
                assert exc.rcvd is not None and exc.rcvd.code == 4409, exc
                assert "live on node" in exc.rcvd.reason
                refused += 1
                await asyncio.sleep(0.5)
        assert refused >= 1
        broker = await Broker(config_for(nats_server), node="check").connect()
        for _ in range(300):  # the node publishes the call's end a moment after the eof
            stream = [e for e, _ in await call_events(broker, "m-1")]
            if isinstance(stream[-1], ev.CallEnded):
                break
            await asyncio.sleep(0.05)
        await broker.close()
        seqs = [e.seq for e in stream]
        assert seqs == sorted(set(seqs))
        assert sum(isinstance(e, ev.CallStarted) for e in stream) == 1  # not started twice
        assert isinstance(stream[-1], ev.CallEnded)
        gap = [b - a for a, b in itertools.pairwise(seqs) if b - a > 1]
        assert gap and gap[0] > 1000  # numbering went on past anything the dead node used
        finals = [e for e in stream if isinstance(e, ev.TranscriptFinal)]
        assert finals and finals[-1].at_s > len(speech_8k) / 2 / 8000  # audio time went on

    try:
        asyncio.run(scenario())
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def test_nodes_see_each_others_new_calls_after_the_broker_restarted(
    nats_server, random_model, speech_8k
):
    ports = [free_port(), free_port()]

    async def scenario():
        async with _nodes(ports, random_model, nats_server.url):
            await asyncio.sleep(1.0)
            await asyncio.to_thread(nats_server.restart)  # its store survives, consumers not
            seen: list = []
            feed = asyncio.create_task(_ingest(ports[0], "after-1", speech_8k, pace_s=0.02))
            await _follow([ports[1]], "after-1", seen, time.monotonic() + 60)
            await feed
            broker = await Broker(config_for(nats_server), node="check").connect()
            stream = [e for e, _ in await call_events(broker, "after-1")]
            await broker.close()
            assert seen == stream

    asyncio.run(scenario())


def test_a_node_that_joins_late_knows_the_calls_of_others_and_refuses_their_legs(
    nats_server, random_model, speech_8k
):
    ports = [free_port(), free_port()]

    def options(port: int) -> ServeOptions:
        return _node_options(port, random_model, nats_server.url)

    async def scenario():
        stop = asyncio.Event()
        first = asyncio.create_task(serve_forever(options(ports[0]), stop))
        late = None
        try:
            await _wait_port(ports[0])
            await asyncio.sleep(1.0)
            feed = asyncio.create_task(_ingest(ports[0], "early-1", speech_8k * 4, pace_s=0.1))
            await asyncio.sleep(2.0)  # the call is under way before the second node starts
            late = asyncio.create_task(serve_forever(options(ports[1]), stop))
            await _wait_port(ports[1])
            seen: list = []
            follow = asyncio.create_task(
                _follow([ports[1]], "early-1", seen, time.monotonic() + 60)
            )
            while not seen:
                await asyncio.sleep(0.05)
            assert isinstance(seen[0], ev.CallStarted)  # from the start, though it joined late
            url = f"ws://127.0.0.1:{ports[1]}/ws/ingest?call=early-1&lang=en&role=agent"
            async with connect(url) as ws:
                await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(speech_8k[:3200])
                    await asyncio.wait_for(ws.recv(), 10)
                    await asyncio.wait_for(ws.recv(), 10)
                assert ws.close_code == 4409 and "live on node" in ws.close_reason
            await feed
            await follow
            assert [e.seq for e in seen] == sorted({e.seq for e in seen})
        finally:
            stop.set()
            await asyncio.gather(first, *([late] if late else []))

    asyncio.run(scenario())
