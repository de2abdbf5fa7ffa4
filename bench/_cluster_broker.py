"""Part 2 of ``bench.cluster``: 1-3 ``serve`` nodes behind one nats-server.

- calls held in real time: for 1, 2 and 3 node processes, the largest total
  K (spread evenly) whose answers stay under 300 ms p95;
- keyword -> anger meter: the caller streams to node A, the agent's screen
  (by seat) is on node B; from the audio holding the keyword being sent to
  the keyword reason arriving on B's screen (as ``bench.e2e_latency`` times it),
  with the shipped model as it is trusted and as an open vocabulary would be;
- events lost across a node kill: callers on nodes B and C, a screen per
  call on node A; A is killed with -9 mid-run and the screens resume on B
  with ``after=N``; what they got is compared with the stream.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import connect

from assist.cluster.broker import Broker
from assist.cluster.config import BrokerConfig
from assist.cluster.localserver import LocalNats
from assist.cluster.source import call_events
from bench._cluster_load import Node, Screen, p95, stream_call
from bench.cluster import TARGET_P95_S, _customer_pcm, load_step
from bench.e2e_latency import DEFAULT_CALLS, _reason_latencies

# The keyword caller sends 0.1 s pieces, as bench.e2e_latency does: a
# recogniser's partial comes a piece or two after the word's end, so the
# piece length is part of what is timed (0.2 s pieces: p95 one piece more).
KEYWORD_PIECE_S = 0.1


async def _nodes(
    n: int, url: str, module: str = "assist", langs: tuple[str, ...] = ("en",), pin: bool = False
) -> list[Node]:
    """``pin``: node i runs on the i-th core this process may use, only."""
    cores = sorted(os.sched_getaffinity(0))
    nodes = [
        Node(
            f"n{i + 1}",
            broker_url=url,
            module=module,
            langs=langs,
            cpus=frozenset({cores[i % len(cores)]}) if pin else None,
        ).start()
        for i in range(n)
    ]
    for node in nodes:
        await node.ready()
    await asyncio.sleep(1.0)  # joined the site (broker connection, tail)
    return nodes


def _stop(nodes: list[Node]) -> None:
    for node in nodes:
        node.stop()


async def capacity(args: argparse.Namespace, url: str) -> None:
    cores = len(os.sched_getaffinity(0))
    counts = [n for n in args.nodes if not args.pin or n <= cores]
    print("\ncalls held in real time behind the broker (answers p95 under "
          f"{TARGET_P95_S * 1000:.0f} ms; callers spread evenly"
          + ("; node i pinned to core i, the callers and the nats-server on any core)"
             if args.pin else "):"))  # fmt: skip
    if len(counts) < len(args.nodes):
        print(f"  (--pin: {cores} cores here, so at most {cores} nodes)")
    print(f"{'nodes':>5} {'K':>4} {'p95 ms':>8} {'failed':>6} {'node cores':>10} "
          f"{'%core/call':>10} {'calls/core':>10}")  # fmt: skip
    held: dict[int, int] = {}
    per_call: dict[int, list[float]] = {}
    for n in counts:
        nodes = await _nodes(n, url, pin=args.pin)
        try:
            for k in args.ks:
                cpu0, t0 = sum(x.cpu_s() for x in nodes), time.monotonic()
                p95_s, _, failed = await load_step([x.url for x in nodes], k, args.step_s,
                                                   f"n{n}k{k}")  # fmt: skip
                cores = (sum(x.cpu_s() for x in nodes) - cpu0) / (time.monotonic() - t0)
                print(f"{n:>5} {k:>4} {p95_s * 1000:>8.0f} {failed:>6} {cores:>10.2f} "
                      f"{100 * cores / k:>9.1f}% {k / cores:>10.0f}", flush=True)  # fmt: skip
                per_call.setdefault(n, []).append(cores / k)
                if p95_s >= TARGET_P95_S or failed:
                    break
                held[n] = k
        finally:
            _stop(nodes)
    base = held.get(1, 0)
    for n, k in held.items():
        ratio = f"{k / base:.2f}x one node" if base else "-"
        print(f"{n} node(s){f' on {n} core(s)' if args.pin else ''}: {k} calls held ({ratio})")
    # What carries over from this shared box: the CPU a call costs the site
    # with n nodes (each node also takes in every other node's events).
    if 1 in per_call:
        one = min(per_call[1])
        for n, costs in sorted(per_call.items()):
            print(
                f"{n} node(s): {100 * min(costs):.2f} % of a core per call "
                f"({min(costs) / one:.2f}x one node): {1 / min(costs):.0f} calls per core"
            )
    if not args.pin:
        print(f"({cores} cores on this machine, shared with the callers and other work: "
              "--pin gives each node a core of its own)")  # fmt: skip


async def keyword_to_meter(url: str) -> None:
    """Once with the shipped closed-vocabulary model as it is trusted (a
    keyword among the caller's first words waits for its final result), once
    trusted as a published large-vocabulary model would be
    (``bench._open_vocabulary_node``): the issue's 0.3 s is that case's goal."""
    print("\nkeyword -> anger meter (from the audio holding the keyword being sent):")
    for tag, trust, module in (
        ("closed", "shipped model", "assist"),
        ("open", "as open vocabulary", "bench._open_vocabulary_node"),
    ):
        nodes = await _nodes(2, url, module, langs=("ru", "en"))
        try:
            for i, (where, (ingest_node, screen_node)) in enumerate(
                (
                    ("caller and screen on one node", (nodes[0], nodes[0])),
                    ("caller on node A, screen on node B", (nodes[0], nodes[1])),
                )
            ):
                latencies = await _keyword_latencies(ingest_node, screen_node, f"{tag}{i}")
                _print_keyword(f"{trust}, {where}", latencies)
        finally:
            _stop(nodes)


def _print_keyword(label: str, latencies: list[float]) -> None:
    if len(latencies) < 2:
        print(f"keyword -> meter, {label}: only {len(latencies)} keyword reasons seen")
        return
    print(f"keyword -> anger meter, {label}: {len(latencies)} keyword reasons; "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {p95(latencies) * 1000:.0f} ms (goal <= 300 ms)")  # fmt: skip


async def _keyword_latencies(ingest_node: Node, screen_node: Node, tag: str) -> list[float]:
    latencies: list[float] = []
    for call in DEFAULT_CALLS:  # the keyword calls of bench.e2e_latency
        seat = f"seat-{tag}-{call}"
        screen = Screen(call)
        done = time.monotonic() + 60

        async def watch(screen: Screen = screen, seat: str = seat, done: float = done):
            async with connect(f"{screen_node.url}/ws/agent?seat={seat}") as ws:
                while time.monotonic() < done:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    screen.log.append((time.monotonic(), message))
                    if message["type"] == "CallEnded":
                        return

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0.3)
        sent: list[tuple[float, float]] = []
        pcm = _customer_pcm(call)
        duration_s = len(pcm) / 2 / 8000
        await stream_call(ingest_node.url, f"kw-{tag}-{call}", pcm, duration_s,
                          seat=seat, sent=sent, piece_s=KEYWORD_PIECE_S,
                          lang=call.split("_")[0])  # fmt: skip
        await asyncio.wait_for(watcher, 60)
        rows, _ = _reason_latencies(screen.log, sent)
        latencies += [s for _, s in rows]
    return latencies


async def node_kill(url: str, config: BrokerConfig, calls: int, step_s: float) -> None:
    nodes = await _nodes(3, url)
    screen_node, b, c = nodes
    pcms = [_customer_pcm(x) for x in ("en_escalating", "en_angry", "en_calm")]
    deadline = time.monotonic() + step_s + 60
    screens = [Screen(f"kill-{i}") for i in range(calls)]
    try:
        feeds = [
            asyncio.create_task(stream_call((b, c)[i % 2].url, s.call_id, pcms[i % 3], step_s,
                                            seat=f"s{i}", start_delay_s=0.2 * i / calls))
            for i, s in enumerate(screens)
        ]  # fmt: skip
        follows = [asyncio.create_task(s.follow([screen_node.url, b.url], deadline))
                   for s in screens]  # fmt: skip
        await asyncio.sleep(step_s / 2)
        screen_node.kill()
        print(f"\nnode kill: {calls} calls on two nodes, their screens on a third, killed with "
              f"-9 after {step_s / 2:.0f} s", flush=True)  # fmt: skip
        await asyncio.gather(*feeds)
        await asyncio.gather(*follows)
    finally:
        _stop(nodes)
    broker = await Broker(config, node="bench-check").connect()
    lost = doubled = total = 0
    for s in screens:
        stream = [e.seq for e, _ in await call_events(broker, s.call_id)]
        total += len(stream)
        lost += len(set(stream) - set(s.seqs))
        doubled += len(s.seqs) - len(set(s.seqs))
    await broker.close()
    moved = sum(1 for s in screens if s.reconnects)
    print(f"events lost {lost} of {total} (goal 0), shown twice {doubled}; "
          f"{moved} of {calls} screens resumed on another node with after=N")  # fmt: skip


async def part2(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-nats-") as folder:
        server = LocalNats(Path(folder) / "nats").start()
        try:
            config = BrokerConfig((server.url,))
            await capacity(args, server.url)
            await keyword_to_meter(server.url)
            await node_kill(server.url, config, calls=min(16, max(args.ks)), step_s=args.step_s)
        finally:
            server.stop()
