"""Scale-out: one node's live capacity, then 1-3 nodes behind NATS JetStream.

Part 1, one ``serve`` process measured from outside (no broker): K callers
at real-time pace on the vosk-protocol ingest (8 kHz English fixture
speech, 0.2 s pieces, the project's shipped small model). For each K: the
answers' p95, the process's CPU per call, and its CPU per audio second
against bare vosk over the same audio in this process (the non-recognition
part = node minus bare vosk). The largest K under 300 ms p95 is reported;
``--profile`` adds the top functions of a profiled node at one K.

Part 2, behind the broker (a nats-server on loopback the bench starts):
1, 2 and 3 node processes share the callers (total calls held in real time
at p95 under 300 ms); the keyword -> anger meter time when the caller is on
one node and the agent's screen on another; and events lost when a node
with agent screens on it is killed with -9 mid-run (the screens resume on
another node with ``after=N``; compared with the stream).

The machine has 2 cores shared with other work: figures are for this box at
that moment; the ratios (node against bare vosk, n nodes against one) are
what carries over. Bounded: each step streams ``--step-s`` seconds.

    python -m bench.cluster [--ks 8 16 32 48 64] [--step-s 12] [--profile 16]
                            [--nodes 1 2 3] [--part 1|2|both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pstats
import tempfile
import time
from pathlib import Path

import vosk

from assist.shipped_models import shipped_model
from audio_fixtures import ensure_fixtures
from bench._cluster_load import Node, p95, stream_call
from ivr.sources import read_audio

vosk.SetLogLevel(-1)

TARGET_P95_S = 0.3
CALLS = ("en_escalating", "en_angry", "en_calm")


def _customer_pcm(name: str, rate: str = "8k") -> bytes:
    suffix = "8k.stereo" if rate == "8k" else "16k"
    samples, _ = read_audio(ensure_fixtures() / f"{name}.{suffix}.wav")
    return samples[:, 0].astype("<i2").tobytes()


def bare_vosk_cpu_per_audio_s(audio_s: float = 30.0) -> float:
    """CPU seconds per audio second of vosk alone (the 16 kHz take of the
    same speech, the model's rate, words on, 0.2 s pieces)."""
    model_dir = shipped_model("en")
    if model_dir is None:
        raise SystemExit("bench: the shipped English model is missing or stale")
    model = vosk.Model(str(model_dir))
    pcm = b"".join(_customer_pcm(c, "16k") for c in CALLS)
    piece = int(0.2 * 16000) * 2
    rec = vosk.KaldiRecognizer(model, 16000)
    rec.SetWords(True)
    fed_s, start = 0.0, time.process_time()
    while fed_s < audio_s:
        for offset in range(0, len(pcm) - piece, piece):
            if rec.AcceptWaveform(pcm[offset : offset + piece]):
                json.loads(rec.Result())
            else:
                json.loads(rec.PartialResult())
            fed_s += 0.2
    return (time.process_time() - start) / fed_s


async def load_step(urls: list[str], k: int, step_s: float, tag: str) -> tuple[float, int, int]:
    """K callers spread over the nodes for ``step_s``: (p95 s, answers, failed calls)."""
    pcms = [_customer_pcm(c) for c in CALLS]
    tasks = [
        stream_call(urls[i % len(urls)], f"{tag}-{i}", pcms[i % len(pcms)], step_s,
                    start_delay_s=0.2 * i / k)
        for i in range(k)
    ]  # fmt: skip
    results = await asyncio.gather(*tasks)
    latencies = [s for r in results for s in r.latencies_s]
    return p95(latencies), len(latencies), sum(1 for r in results if r.error)


async def part1(args: argparse.Namespace) -> None:
    print("bare vosk (this process, 30 s of audio) ...", flush=True)
    bare = bare_vosk_cpu_per_audio_s()
    print(f"bare vosk: {bare:.4f} CPU-s per audio second")
    node = Node("solo").start()
    await node.ready()
    best = 0
    print(f"\n{'K':>4} {'p95 ms':>8} {'answers':>8} {'failed':>6} {'cores':>6} "
          f"{'%core/call':>10} {'CPU-s/audio-s':>13} {'non-recog':>9} {'x vosk':>7}")  # fmt: skip
    try:
        for k in args.ks:
            cpu0, t0 = node.cpu_s(), time.monotonic()
            p95_s, answers, failed = await load_step([node.url], k, args.step_s, f"k{k}")
            cpu, wall = node.cpu_s() - cpu0, time.monotonic() - t0
            per_audio = cpu / (k * args.step_s)
            non_recog = per_audio - bare
            print(f"{k:>4} {p95_s * 1000:>8.0f} {answers:>8} {failed:>6} {cpu / wall:>6.2f} "
                  f"{100 * cpu / wall / k:>9.1f}% {per_audio:>13.4f} {non_recog:>9.4f} "
                  f"{per_audio / bare:>7.2f}", flush=True)  # fmt: skip
            if p95_s < TARGET_P95_S and not failed:
                best = k
            else:
                break
    finally:
        node.stop()
    print(f"largest K with answers under {TARGET_P95_S * 1000:.0f} ms p95: {best} "
          f"(goal for the non-recognition part: <= 0.005 CPU-s per audio second)")  # fmt: skip
    if args.profile:
        await profile(args.profile, args.step_s)


async def profile(k: int, step_s: float) -> None:
    with tempfile.TemporaryDirectory(prefix="cluster-prof-") as folder:
        out = Path(folder) / "serve.prof"
        node = Node("profiled", profile_to=out).start()
        await node.ready()
        try:
            await load_step([node.url], k, step_s, "prof")
        finally:
            node.stop()
        if not out.exists():
            print("profile: the node wrote no profile")
            return
        print(f"\nwhere a node's time goes at K={k} (cProfile, top by own time):")
        stats = pstats.Stats(str(out))
        stats.sort_stats("tottime").print_stats(15)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster")
    parser.add_argument("--ks", type=int, nargs="+", default=[8, 16, 32, 48, 64])
    parser.add_argument("--step-s", type=float, default=12.0, help="seconds streamed per step")
    parser.add_argument("--profile", type=int, default=0, metavar="K", help="profile at K calls")
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--part", choices=("1", "2", "both"), default="both")
    args = parser.parse_args(argv if argv is not None else [])
    if args.part in ("1", "both"):
        asyncio.run(part1(args))
    if args.part in ("2", "both"):
        from bench._cluster_broker import part2

        asyncio.run(part2(args))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
