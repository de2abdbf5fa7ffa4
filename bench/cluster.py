"""Scale-out: one node's live capacity, then 1-3 nodes behind NATS JetStream.

Part 1, one ``serve`` process measured from outside (no broker): K callers
at real-time pace on the vosk-protocol ingest (8 kHz English fixture
speech, 0.2 s pieces, the project's shipped small model). For each K: the
answers' p95, the process's CPU per call, and its CPU per audio second,
split into the event-loop thread and the recognition threads, against
bare vosk over the same audio (the non-recognition part = node minus bare
vosk, with vosk paced at real time as the node is, in a process of its own
while the node serves its first K callers, so both see the same machine:
see ``bench._cluster_baseline``; the anger core alone is printed beside it).
The node turns glibc's fast bins off (``assist.serve_malloc``), which makes
its own vosk cheaper too; the bare baseline keeps the default allocator, as
a user calling vosk would, so part of that saving shows in the
non-recognition figure although it is recognition's.
The largest K under 300 ms p95 is reported; ``--profile K`` adds where a
fresh node's CPU goes at K calls, every thread profiled over the step only
(``bench._cluster_profile``). With ``--screens`` each caller's call is
also followed by an agent screen on the node (``/ws/agent``, compression
offered as a browser offers it), so the node's CPU includes delivering
every event to a screen, as at a real site.

Part 2, behind the broker (a nats-server on loopback the bench starts):
1, 2 and 3 node processes share the callers (total calls held in real time
at p95 under 300 ms); the keyword -> anger meter time when the caller is on
one node and the agent's screen on another; and events lost when a node
with agent screens on it is killed with -9 mid-run (the screens resume on
another node with ``after=N``; compared with the stream).

The machine has 2 cores shared with other work: figures are for this box at
that moment; the ratios (node against bare vosk, n nodes against one) are
what carries over. Bounded: each step streams ``--step-s`` seconds.

With ``--ivr`` (or ``--part ivr`` alone), an IVR node is measured the same
way at the same Ks (``bench._cluster_ivr``: AudioSocket callers walking
the menu; its answers are its reactions to keys and words) and the two
nodes' largest K and CPU per call are printed side by side.

    python -m bench.cluster [--ks 8 16 32 48 64] [--step-s 12] [--profile 16]
                            [--nodes 1 2 3] [--part 1|2|ivr|both] [--ivr] [--screens] [--pin]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from audio_fixtures import ensure_fixtures
from bench import _cluster_baseline as baseline
from bench._cluster_load import Node, Screen, p95, stream_call
from bench._cluster_profile import loop_and_pool_s, report, thread_cpu_s
from ivr.sources import read_audio

TARGET_P95_S = 0.3
CALLS = ("en_escalating", "en_angry", "en_calm")


def _customer_pcm(name: str) -> bytes:
    samples, _ = read_audio(ensure_fixtures() / f"{name}.8k.stereo.wav")
    return samples[:, 0].astype("<i2").tobytes()


async def load_step(
    urls: list[str], k: int, step_s: float, tag: str, *, screens: bool = False
) -> tuple[float, int, int]:
    """K callers spread over the nodes for ``step_s`` (each followed by an
    agent screen on its node if ``screens``): (p95 s, answers, failed calls)."""
    pcms = [_customer_pcm(c) for c in CALLS]
    tasks = [
        stream_call(urls[i % len(urls)], f"{tag}-{i}", pcms[i % len(pcms)], step_s,
                    start_delay_s=0.2 * i / k)
        for i in range(k)
    ]  # fmt: skip
    followers = [Screen(f"{tag}-{i}") for i in range(k if screens else 0)]
    deadline_s = time.monotonic() + step_s + 15.0
    watching = [s.follow([urls[i % len(urls)]], deadline_s) for i, s in enumerate(followers)]
    results, *_ = await asyncio.gather(asyncio.gather(*tasks), *watching)
    latencies = [s for r in results for s in r.latencies_s]
    failed = sum(1 for r in results if r.error) + sum(1 for s in followers if not s.ended)
    return p95(latencies), len(latencies), failed


@dataclass(frozen=True)
class Capacity:
    """A node's line in the side-by-side summary."""

    best_k: int
    core_per_call: float  # at the largest K on target (else the first K)
    cpu_per_audio_s: float


async def part1(args: argparse.Namespace) -> Capacity:
    pcms = [_customer_pcm(c) for c in CALLS]
    first = args.ks[0]
    print(f"baselines on the callers' 8 kHz audio: hot in this process; paced in a process "
          f"of its own while the node serves its first {first} callers", flush=True)  # fmt: skip
    vosk_hot, anger_hot = baseline.hot(pcms)
    node = Node("solo").start()
    await node.ready()
    best, summary, bare = 0, None, float("nan")
    paced = baseline.PacedProcess(args.ks[0], args.step_s)
    try:
        for n, k in enumerate(args.ks):
            if n == 0:
                await paced.started()
            threads0, t0 = thread_cpu_s(node.proc.pid), time.monotonic()
            p95_s, answers, failed = await load_step(
                [node.url], k, args.step_s, f"k{k}", screens=args.screens
            )
            wall = time.monotonic() - t0
            loop_s, pool_s = loop_and_pool_s(threads0, thread_cpu_s(node.proc.pid), node.proc.pid)
            if n == 0:
                bare = _baselines(vosk_hot, anger_hot, *await paced.costs(), k, args.screens)
            cpu, audio_s = loop_s + pool_s, k * args.step_s
            non_recog = cpu / audio_s - bare
            print(f"{k:>4} {p95_s * 1000:>7.0f} {answers:>8} {failed:>6} {cpu / wall:>6.2f} "
                  f"{100 * cpu / wall / k:>9.1f}% {cpu / audio_s:>7.4f} {loop_s / audio_s:>7.4f} "
                  f"{pool_s / audio_s:>7.4f} {non_recog:>9.4f} {non_recog / bare:>7.2f}",
                  flush=True)  # fmt: skip
            if summary is None or (p95_s < TARGET_P95_S and not failed):
                summary = Capacity(0, cpu / wall / k, cpu / audio_s)
            if p95_s < TARGET_P95_S and not failed:
                best = k
            else:
                break
    finally:
        node.stop()
    print(f"largest K with answers under {TARGET_P95_S * 1000:.0f} ms p95: {best} "
          f"(goal for the non-recognition part: <= 0.005 CPU-s per audio second)")  # fmt: skip
    if args.profile:
        await profile(args.profile, args.step_s, screens=args.screens)
    assert summary is not None
    return Capacity(best, summary.core_per_call, summary.cpu_per_audio_s)


def _baselines(
    vosk_hot: baseline.Cost, anger_hot: baseline.Cost, vosk_paced: baseline.Cost,
    anger_paced: baseline.Cost, k: int, screens: bool,
) -> float:  # fmt: skip
    """Print the baselines and the node table's head; bare vosk paced."""
    bare = vosk_paced.per_audio_s
    print(f"CPU-s per audio second      hot    paced (K={k}, real time, beside the node)")
    print(f"  bare vosk             {vosk_hot.per_audio_s:.4f}   {bare:.4f}")
    print(f"  anger core alone      {anger_hot.per_audio_s:.4f}   {anger_paced.per_audio_s:.4f}")
    print(
        f"\nnode at real-time pace; non-recog = node - bare vosk paced ({bare:.4f}); "
        "loop = the event-loop thread, pool = the recognition threads (CPU-s per audio-s); "
        "the node runs with glibc's fast bins off (assist.serve_malloc), bare vosk with "
        "the default allocator, as a user calls it"
        + ("; an agent screen follows each call" if screens else "")
    )
    print(f"{'K':>4} {'p95 ms':>7} {'answers':>8} {'failed':>6} {'cores':>6} {'%core/call':>10} "
          f"{'node':>7} {'loop':>7} {'pool':>7} {'non-recog':>9} {'x vosk':>7}")  # fmt: skip
    return bare


def ivr_part(args: argparse.Namespace) -> Capacity:
    """An IVR node at the same Ks (``bench._cluster_ivr``); with ``--part ivr``
    alone, ``--profile K`` profiles the IVR node (with part 1, the assist node)."""
    from bench._cluster_ivr import ivr_node
    from bench._cluster_ivr import profile as profile_ivr

    steps = ivr_node(args.ks)
    if args.part == "ivr" and args.profile:
        profile_ivr(args.profile)
    ok = [s for s in steps if s.ok]
    at = ok[-1] if ok else steps[0]
    return Capacity(ok[-1].k if ok else 0, at.core_per_call, at.cpu_s / at.audio_s)


def side_by_side(assist: Capacity, ivr: Capacity) -> None:
    print(f"\n{'node':<8} {'largest K (p95 < 300 ms)':>25} {'%core per call':>15} "
          f"{'CPU-s per audio-s':>18}")  # fmt: skip
    for name, c in (("assist", assist), ("IVR", ivr)):
        print(f"{name:<8} {c.best_k:>25} {100 * c.core_per_call:>14.1f}% "
              f"{c.cpu_per_audio_s:>18.4f}")  # fmt: skip
    print("(%core per call and CPU at the largest K on target; an IVR call is mostly prompts "
          "and silence, an assist caller talks all the time)")  # fmt: skip


async def profile(k: int, step_s: float, *, screens: bool = False) -> None:
    """Every thread of a fresh node profiled in CPU time over one step at K
    (start-up excluded: the profile starts once the node listens)."""
    with tempfile.TemporaryDirectory(prefix="cluster-prof-") as folder:
        node = Node("profiled", profile_dir=Path(folder)).start()
        await node.ready()
        assert node.proc is not None
        pid = node.proc.pid
        try:
            os.kill(pid, signal.SIGUSR1)
            threads0 = thread_cpu_s(pid)
            await load_step([node.url], k, step_s, "prof", screens=screens)
            loop_s, pool_s = loop_and_pool_s(threads0, thread_cpu_s(pid), pid)
            os.kill(pid, signal.SIGUSR2)
        finally:
            node.stop()
        print(f"\nwhere a node's CPU goes at K={k} (every thread, CPU time, the step only):")
        report(Path(folder), k * step_s, {"event loop (main)": loop_s, "other threads": pool_s})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster")
    parser.add_argument("--ks", type=int, nargs="+", default=[8, 16, 32, 48, 64])
    parser.add_argument("--step-s", type=float, default=12.0, help="seconds streamed per step")
    parser.add_argument("--profile", type=int, default=0, metavar="K", help="profile at K calls")
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--part", choices=("1", "2", "ivr", "both"), default="both")
    parser.add_argument(
        "--ivr", action="store_true", help="with part 1: an IVR node too, side by side"
    )
    parser.add_argument(
        "--screens", action="store_true", help="part 1: an agent screen follows each call"
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="part 2: node i runs on core i only (calls held per core added; nodes <= cores)",
    )
    args = parser.parse_args(argv if argv is not None else [])
    if args.part == "ivr":
        ivr_part(args)
    if args.part in ("1", "both"):
        assist = asyncio.run(part1(args))
        if args.ivr:
            side_by_side(assist, ivr_part(args))
    if args.part in ("2", "both"):
        from bench._cluster_broker import part2

        asyncio.run(part2(args))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
