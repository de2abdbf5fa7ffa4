"""QA replay: throughput and memory, with the project's own speech model.

Over the fixture calls (8 kHz stereo, customer and agent both recognised):

1. one core: each call replayed in this process (model loaded beforehand),
   x real time per call and in total (audio seconds / CPU seconds);
2. ``--jobs N`` (default 2) worker processes through the replay runner, as
   ``ivr-assist replay --jobs N`` runs them: x real time in total (wall clock,
   process start-up and model loading included) and the speed-up over one core;
3. with the recorder's transcript (recognition skipped): the audio analysis alone;
4. memory: resident memory of the model, and per concurrent call beyond the
   shared model (K calls replayed at once on threads of one process: peak RSS
   above the loaded model, divided by K; Python heap peak from tracemalloc);
5. the store: writing a replayed call, and EventChain.publish with and without
   a store behind it.

Targets (issue 6): >= 20x real time per core, near-linear in jobs.
Run: python -m bench.replay [--calls ID ...] [--jobs N] [--repeat R] [--concurrent K ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from assist.chain.chain import EventChain
from assist.engines import load_engine
from assist.offline import run_recording, through_chain
from assist.replay import ReplaySettings, discover, replay_all
from assist.replay.worker import Replayer
from audio_fixtures import call_ids, ensure_fixtures, load_labels, recorder_transcript

SHAPE = "8k.stereo"
ROOT = Path(__file__).resolve().parents[1]


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak_rss() -> None:
    """Start VmHWM (peak RSS) afresh from the current RSS (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def _by_language(calls: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for call in calls:
        out.setdefault(load_labels(call)["language"], []).append(call)
    return out


def _copy_calls(folder: Path, calls: list[str], repeat: int) -> list[Path]:
    fixtures = ensure_fixtures()
    out = []
    for r in range(repeat):
        for call in calls:
            target = folder / f"{call}-{r}.wav"
            target.write_bytes((fixtures / f"{call}.{SHAPE}.wav").read_bytes())
            out.append(target)
    return out


def _transcript_for(call: str) -> dict:
    """The call's labels as a recorder's transcript (conf 1.0, as a recorder without scores)."""
    return recorder_transcript(load_labels(call), conf=1.0)


# ------------------------------------------------------------------ throughput


def one_core(by_lang: dict[str, list[str]]) -> float:
    print("\n1. one core (in this process, the model loaded beforehand)")
    print(f"{'call':16s} {'audio s':>8s} {'cpu s':>7s} {'wall s':>7s} {'x RT/core':>10s}")
    fixtures = ensure_fixtures()
    total_audio = total_cpu = 0.0
    for lang, calls in by_lang.items():
        engine = load_engine(lang, progress=True)
        for call in calls:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            run = run_recording(fixtures / f"{call}.{SHAPE}.wav", engine)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            total_audio += run.duration_s
            total_cpu += cpu
            print(
                f"{call:16s} {run.duration_s:8.1f} {cpu:7.2f} {wall:7.2f} "
                f"{run.duration_s / cpu:10.1f}"
            )
    per_core = total_audio / total_cpu
    print(f"{'total':16s} {total_audio:8.1f} {total_cpu:7.2f} {'':7s} {per_core:10.1f}")
    return per_core


def in_workers(by_lang: dict[str, list[str]], jobs: int, repeat: int, per_core: float) -> None:
    print(f"\n2. --jobs {jobs}: worker processes (spawned; each loads the model once)")
    print(
        f"{'language':9s} {'calls':>5s} {'audio s':>8s} {'wall s':>7s} {'x RT total':>11s} "
        f"{'x RT/worker':>12s}"
    )
    all_audio = all_wall = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for lang, calls in by_lang.items():
            model_dir = load_engine(lang, progress=False).model_dir
            paths = _copy_calls(Path(tmp), calls, repeat)
            inputs = discover([str(p) for p in paths])
            wall0 = time.perf_counter()
            results = replay_all(
                inputs, ReplaySettings(lang, model_dir=model_dir), jobs=jobs, progress=False
            )
            wall = time.perf_counter() - wall0
            for r in results:
                if not r.ok:
                    print(f"  failed: {r.input.label}: {r.error}")
            audio = sum(r.run.duration_s for r in results if r.run is not None)
            busy = sum(r.wall_s for r in results)  # time spent inside the workers
            all_audio += audio
            all_wall += wall
            print(
                f"{lang:9s} {len(results):5d} {audio:8.1f} {wall:7.2f} {audio / wall:11.1f} "
                f"{audio / busy:12.1f}"
            )
    total = all_audio / all_wall
    print(
        f"{'total':9s} {'':5s} {all_audio:8.1f} {all_wall:7.2f} {total:11.1f}\n"
        f"speed-up over one core: {total / per_core:.2f}x with {jobs} jobs "
        f"(wall clock: process start-up and model loading included; "
        f"{os.cpu_count()} cores here, shared with whatever else runs)"
    )


def transcribed(calls: list[str]) -> None:
    print("\n3. with the recorder's transcript: audio analysis only, no recognition")
    print(f"{'call':16s} {'audio s':>8s} {'cpu s':>7s} {'x RT/core':>10s}")
    total_audio = total_cpu = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        paths = _copy_calls(Path(tmp), calls, 1)
        for call, path in zip(calls, paths, strict=True):
            path.with_name(path.stem + ".transcript.json").write_text(
                json.dumps(_transcript_for(call), ensure_ascii=False), encoding="utf-8"
            )
            (item,) = discover([str(path)])
            cpu0 = time.process_time()
            result = Replayer(ReplaySettings("en")).replay(item)
            cpu = time.process_time() - cpu0
            assert result.run is not None, result.error
            total_audio += result.run.duration_s
            total_cpu += cpu
            audio = result.run.duration_s
            print(f"{call:16s} {audio:8.1f} {cpu:7.2f} {audio / cpu:10.1f}")
    print(f"{'total':16s} {total_audio:8.1f} {total_cpu:7.2f} {total_audio / total_cpu:10.1f}")


# ---------------------------------------------------------------------- memory


def memory_probe(lang: str, calls: list[str], concurrent: int) -> dict[str, float]:
    """Run in a fresh process: RSS of the model, then of ``concurrent`` calls at once."""
    fixtures = ensure_fixtures()
    paths = [fixtures / f"{calls[i % len(calls)]}.{SHAPE}.wav" for i in range(concurrent)]
    before_kb = _status_kb("VmRSS")
    engine = load_engine(lang, progress=False)
    model_kb = _status_kb("VmRSS") - before_kb
    run_recording(paths[0], engine)  # warm the allocator and caches with one call
    base_kb = _status_kb("VmRSS")
    _reset_peak_rss()
    tracemalloc.start()
    threads = [threading.Thread(target=run_recording, args=(p, engine)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_kb = _status_kb("VmHWM")
    return {
        "model_mb": model_kb / 1024,
        "per_call_mb": (peak_kb - base_kb) / 1024 / concurrent,
        "heap_per_call_mb": heap_peak / 2**20 / concurrent,
    }


def memory(by_lang: dict[str, list[str]], levels: tuple[int, ...]) -> None:
    print("\n4. memory (fresh process per row; threads replay K calls at once on one model)")
    print(
        f"{'language':9s} {'K calls':>7s} {'model MB':>9s} {'per call MB (RSS)':>18s} "
        f"{'per call MB (Python heap)':>26s}"
    )
    for lang, calls in by_lang.items():
        for k in levels:
            out = subprocess.run(
                [sys.executable, "-m", "bench.replay", "--memory-probe", lang, str(k), *calls],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            m = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{lang:9s} {k:7d} {m['model_mb']:9.1f} {m['per_call_mb']:18.1f} "
                f"{m['heap_per_call_mb']:26.1f}"
            )
    print("with --jobs N each worker holds its own model: N x (model + one call)")


# ----------------------------------------------------------------------- store


def store_figures(calls: list[str]) -> None:
    from assist.store import SqliteStore
    from ivr import events as ev

    print("\n5. the store (SQLite, WAL, synchronous=FULL)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = _copy_calls(folder, calls[:1], 1)
        paths[0].with_name(paths[0].stem + ".transcript.json").write_text(
            json.dumps(_transcript_for(calls[0]), ensure_ascii=False), encoding="utf-8"
        )
        (item,) = discover([str(paths[0])])
        run = Replayer(ReplaySettings("en")).replay(item).run
        assert run is not None
        with SqliteStore(folder / "calls.sqlite") as store:
            t0 = time.perf_counter()
            for n in range(20):
                call_id = f"c{n}"
                events = [dataclasses.replace(e, call_id=call_id) for e in run.events]
                chained = through_chain(dataclasses.replace(run, events=events), EventChain())
                store.replace_call(call_id, [e for e in chained.events if e.seq])
            per_call_ms = (time.perf_counter() - t0) / 20 * 1000
        print(f"replace_call: {per_call_ms:.1f} ms for a call of {len(run.events)} events")

        def publish(bus: EventChain, n: int = 20000) -> tuple[float, float, float]:
            """(us per publish call, CPU us per event incl. the store's writer, drain ms)."""
            events = [
                ev.AngerUpdate(f"call{i % 50}", i * 0.01, 0.5, ev.AngerLevel.TENSE, ev.Trend.STEADY)
                for i in range(n)
            ]
            cpu0, t0 = time.process_time(), time.perf_counter()
            for e in events:
                bus.publish(e)
            wall = time.perf_counter() - t0
            t1 = time.perf_counter()
            bus.flush_store()
            drain = time.perf_counter() - t1
            cpu = time.process_time() - cpu0
            return 1e6 * wall / n, 1e6 * cpu / n, 1000 * drain

        plain = publish(EventChain())
        store = SqliteStore(folder / "bus.sqlite")
        bus = EventChain(store)
        stored = publish(bus)
        bus.close_store()
        store.close()
        print(f"{'EventChain.publish':28s} {'us per call':>12s} {'CPU us per event':>17s}")
        print(f"{'in memory':28s} {plain[0]:12.1f} {plain[1]:17.1f}")
        print(f"{'with a store (writer thread)':28s} {stored[0]:12.1f} {stored[1]:17.1f}")
        print(
            f"20,000 events published back to back: the writer was done {stored[2]:.0f} ms "
            "after the last publish (acknowledged = committed)"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replay")
    parser.add_argument("--calls", nargs="+", default=None, help="fixture call ids (default all)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="each call this many times in 2.")
    parser.add_argument(
        "--concurrent",
        type=int,
        nargs="+",
        default=[1, 4],
        metavar="K",
        help="memory: calls replayed at once (default 1 4)",
    )
    parser.add_argument("--memory-probe", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv or [])  # `python -m bench` calls main() with no options
    if args.memory_probe:
        lang, k, *calls = args.memory_probe
        print(json.dumps(memory_probe(lang, calls, int(k))))
        return
    calls = args.calls or call_ids()
    by_lang = _by_language(calls)
    print(f"replay benchmark: {len(calls)} fixture calls ({SHAPE}), languages {sorted(by_lang)}")
    per_core = one_core(by_lang)
    in_workers(by_lang, args.jobs, args.repeat, per_core)
    transcribed(calls)
    memory(by_lang, tuple(args.concurrent))
    store_figures(calls)
    print(
        f"\ntarget >= 20x real time per core: {'met' if per_core >= 20 else 'NOT met'} "
        f"({per_core:.1f}x)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
