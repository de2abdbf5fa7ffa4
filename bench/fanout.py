"""Hub fan-out on loopback: 1,000 agent clients and 20 supervisors watching 50
calls that publish events; delivery latency from publish to client receipt,
lost events, and what one publish holds the hub's event loop (the chain's
redactor and event log and the fan-out to the screens' queues: a figure the
clients' share of a busy machine does not blur, unlike the latency).

The hub runs in this process, the clients in a second process (so the
clients' own work does not count against the hub); both stamp times with
the system-wide monotonic clock, so latencies compare across processes.

    python -m bench.fanout [--agents 1000] [--supervisors 20] [--calls 50]
                           [--rate 4] [--seconds 10] [--burst]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import statistics
import time
from collections import defaultdict

from websockets.asyncio.client import connect

from assist.chain.chain import EventChain
from assist.chain.redaction import redactors
from assist.hub.server import Hub, HubLimits
from assist.redact import CallRedactor, load_redaction_config
from ivr import events as ev


def call_id(n: int) -> str:
    return f"call-{n:03d}"


async def _clients(
    port: int, agents: int, supervisors: int, calls: int, expected: int, ready, out
) -> None:
    received: dict[tuple[str, int], list[float]] = defaultdict(list)

    async def client(path: str, want: int) -> None:
        async with connect(f"ws://127.0.0.1:{port}{path}", max_queue=None) as ws:
            count = 0
            ready_events.append(1)
            while count < want:
                message = await ws.recv()
                now = time.monotonic()
                event = json.loads(message)
                if event["type"] == "TranscriptFinal":
                    received[(event["call_id"], event["seq"])].append(now)
                    count += 1

    ready_events: list[int] = []
    per_call = expected // calls
    tasks = [client(f"/ws/agent?call={call_id(i % calls)}", per_call) for i in range(agents)]
    tasks += [client("/ws/supervisor", expected) for _ in range(supervisors)]
    runner = asyncio.gather(*tasks)
    while len(ready_events) < len(tasks):
        await asyncio.sleep(0.05)
    ready.set()
    try:
        await asyncio.wait_for(runner, timeout=120)
    except TimeoutError:
        pass
    out.put(dict(received))


def _client_process(port, agents, supervisors, calls, expected, ready, out) -> None:
    asyncio.run(_clients(port, agents, supervisors, calls, expected, ready, out))


async def _run(args: argparse.Namespace) -> None:
    # The product's chain: the default PII redactor, then the screens' fan-out.
    bus = EventChain(redactor_for=redactors(load_redaction_config(None)))
    hub = Hub(bus, limits=HubLimits(max_queue=10_000))
    await hub.start("127.0.0.1", 0)
    for n in range(args.calls):
        bus.publish(ev.CallStarted(call_id(n), "en", agent_id=f"seat-{n}"))
    per_call = int(args.rate * args.seconds)
    expected = per_call * args.calls
    ctx = mp.get_context("spawn")
    ready, out = ctx.Event(), ctx.Queue()
    proc = ctx.Process(
        target=_client_process,
        args=(hub.port, args.agents, args.supervisors, args.calls, expected, ready, out),
    )
    proc.start()
    while not ready.is_set():
        await asyncio.sleep(0.05)
    who = f"{args.agents} agents + {args.supervisors} supervisors"
    print(f"{who} connected; {args.calls} calls publishing")
    published: dict[tuple[str, int], float] = {}
    publish_s: list[float] = []  # the hub's event loop held by one publish (chain and fan-out)
    interval_s = 1.0 / args.rate
    start = time.monotonic()
    cpu_start_s = time.process_time()  # the hub's own work (this process), not the clients'
    # Calls are independent: each publishes at its own phase of the interval
    # (--burst publishes them all at once, the worst case).
    phase_s = 0.0 if args.burst else interval_s / args.calls
    for tick in range(per_call):
        for n in range(args.calls):
            due = start + tick * interval_s + n * phase_s
            if due > time.monotonic():
                await asyncio.sleep(due - time.monotonic())
            final = ev.TranscriptFinal(call_id(n), ev.ChannelRole.CUSTOMER, f"words {tick}")
            t0 = time.perf_counter()
            event = bus.publish(final)
            publish_s.append(time.perf_counter() - t0)
            published[(event.call_id, event.seq)] = time.monotonic()
    received = await asyncio.to_thread(out.get)
    cpu_s = time.process_time() - cpu_start_s
    proc.join(10)
    await hub.stop()

    latencies_ms = [
        (t - published[key]) * 1000
        for key, times in received.items()
        for t in times
        if key in published
    ]
    deliveries_expected = expected * args.supervisors + per_call * args.agents
    lost = deliveries_expected - len(latencies_ms)
    q = statistics.quantiles(latencies_ms, n=100) if len(latencies_ms) > 1 else [0.0] * 99
    delivered = f"{len(latencies_ms)} of {deliveries_expected}"
    print(f"events published: {len(published)}; deliveries: {delivered}")
    print(
        f"delivery latency: p50 {q[49]:.1f} ms, p99 {q[98]:.1f} ms, max {max(latencies_ms):.1f} ms"
    )
    print(f"lost events: {lost}  (target: 0; p99 target under 50 ms)")
    print(f"throughput: {len(latencies_ms) / args.seconds:.0f} deliveries/s over {args.seconds} s")
    print(
        f"hub CPU: {cpu_s * 1e6 / max(1, len(latencies_ms)):.1f} us per delivery "
        "(steadier than latency on a busy machine)"
    )
    p = statistics.quantiles(publish_s, n=100)
    print(
        f"publish (redactor, event log, fan-out to the queues): p50 {p[49] * 1e6:.0f} us, "
        f"p99 {p[98] * 1e6:.0f} us, mean {statistics.mean(publish_s) * 1e6:.0f} us per event"
    )
    _redactor_cost()


def _redactor_cost(n: int = 2000) -> None:
    """The redactor's own cost per final result, on a plain one and on one
    that reads out a card number (a redaction)."""
    samples = {
        "plain final": "i have been waiting for three days and nobody called me back",
        "final with a card number": "my card is four one one one one one one one one one one "
        "one one one one one and it was charged twice",
    }
    for label, text in samples.items():
        words = tuple(ev.Word(w, i * 0.3, i * 0.3 + 0.25, 0.95) for i, w in enumerate(text.split()))
        finals = [
            ev.TranscriptFinal("r", ev.ChannelRole.CUSTOMER, text, words, at_s=float(i))
            for i in range(n)
        ]
        redactor = CallRedactor(load_redaction_config(None), "en")
        t0 = time.perf_counter()
        for final in finals:
            redactor.redact(final)
        per_us = (time.perf_counter() - t0) / n * 1e6
        print(f"redactor: {per_us:.0f} us per {label} ({len(words)} words)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--supervisors", type=int, default=20)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--rate", type=float, default=4.0, help="events per call per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--burst", action="store_true", help="all calls publish at the same instant"
    )
    asyncio.run(_run(parser.parse_args(argv if argv is not None else [])))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
