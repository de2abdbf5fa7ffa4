"""A simulated day through one ``serve`` process: thousands of short calls
streamed faster than real time over the vosk-protocol ingest, agent screens
that drop and resume with ``after=`` all along, supervisors that connect and
leave, and one SIGKILL and restart in the middle (calls in flight reconnect
and go on).

It prints the server's RSS and open file descriptors over time, events lost
(stored but never delivered to a screen that followed the call to its end,
and seen by a screen but missing from the store), events duplicated on
resume, and the largest backlog any screen had (the hub's ``/status``).

The recogniser is a random-weight vosk model written in milliseconds (as in
the tests): this measures the hub, the event log and the store, not
recognition. Everything talks to 127.0.0.1 and stops by itself.

    python -m bench.soak [--calls 2000] [--concurrent 16] [--audio-s 1.0]
                         [--follow-every 4] [--no-kill] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from assist.store import SqliteStore
from ivr import events as ev
from ivr.modelbuild import write_random_model

RATE_HZ = 8000
PIECE_BYTES = 3200  # 0.2 s at 8 kHz
SEATS = 50
WORDS = ["hello", "internet", "down", "third", "time", "angry", "manager", "yes", "no"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _audio(seconds: float, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE_HZ)
    t = np.arange(n) / RATE_HZ
    voice = np.sin(2 * np.pi * (140 + 40 * np.sin(2 * np.pi * 3 * t)) * t)
    envelope = (np.sin(2 * np.pi * 2.5 * t) > -0.2).astype(float)
    samples = 6000 * voice * envelope + rng.normal(0, 300, n)
    return samples.astype("<i2").tobytes()


@dataclass
class Server:
    port: int
    model: Path
    store: Path
    process: subprocess.Popen | None = None
    samples: list[tuple[int, float, int, int]] = field(default_factory=list)
    runs: int = 0  # (process number, t, RSS kB, fds)

    def start(self) -> None:
        self.runs += 1
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "assist", "serve", "--port", str(self.port),
                "--lang", "en", "--model", str(self.model), "--store", str(self.store),
                "--quiet", "--idle-timeout", "10", "--retain-ended", "15", "--recent-window", "5",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip

    async def ready(self) -> None:
        for _ in range(600):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.05)
        raise SystemExit("soak: serve never listened")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def sample(self, t_s: float) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pid = self.process.pid
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            rss_kb = int(
                next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]
            )
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except (OSError, StopIteration):
            return
        self.samples.append((self.runs, t_s, rss_kb, fds))

    def status(self) -> dict[str, int]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/status", timeout=5) as r:
            return json.loads(r.read())


@dataclass
class Tally:
    calls_done: int = 0
    calls_resumed: int = 0  # ingest connections re-made after the kill
    screen_reconnects: int = 0
    duplicates: int = 0
    received: dict[str, set[int]] = field(default_factory=dict)  # followed call -> seqs
    followed_to_end: set[str] = field(default_factory=set)
    supervisor_first_burst: int = 0  # the most events a new supervisor was sent at once
    too_slow: int = 0  # screens closed with 4008 (their queue overflowed)
    largest_backlog: int = 0


async def _connect(url: str, down: asyncio.Event, attempts: int = 400):
    """Connect, waiting out the restart (connection refused) if needed."""
    for _ in range(attempts):
        try:
            return await connect(url, open_timeout=5, max_queue=None)
        except (OSError, InvalidHandshake, TimeoutError):
            await asyncio.sleep(0.1)
    raise SystemExit(f"soak: cannot reach {url}")


async def _ingest(
    url: str,
    call_id: str,
    seat: str,
    audio: bytes,
    down: asyncio.Event,
    tally: Tally,
    started: asyncio.Event,
) -> None:
    sent = 0
    query = f"{url}/ws/ingest?call={call_id}&lang=en&seat={seat}"
    while True:
        ws = await _connect(query, down)
        try:
            await ws.send(json.dumps({"config": {"sample_rate": RATE_HZ}}))
            while sent < len(audio):
                await ws.send(audio[sent : sent + PIECE_BYTES])
                await ws.recv()
                sent += PIECE_BYTES
                started.set()
            await ws.send('{"eof": 1}')
            await ws.recv()
            await ws.close()
            tally.calls_done += 1
            return
        except (ConnectionClosed, OSError) as exc:
            if isinstance(exc, ConnectionClosed) and exc.rcvd is not None:
                if exc.rcvd.code == 4409:
                    await asyncio.sleep(0.2)  # the old leg is not yet released
            tally.calls_resumed += 1
            await asyncio.sleep(0.05)
        finally:
            await ws.close()


async def _agent(
    url: str, call_id: str, down: asyncio.Event, tally: Tally, rng: random.Random
) -> None:
    """Follow one call to its end, dropping and resuming with after= along the way."""
    seen = tally.received.setdefault(call_id, set())
    last = 0
    while True:
        ws = await _connect(f"{url}/ws/agent?call={call_id}&after={last}", down)
        budget = rng.randint(1, 12)  # events before this screen drops
        try:
            while budget:
                message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                seq = message["seq"]
                if seq in seen or seq <= last:
                    tally.duplicates += 1
                seen.add(seq)
                last = max(last, seq)
                budget -= 1
                if message["type"] == "CallEnded":
                    tally.followed_to_end.add(call_id)
                    return
        except ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code == 4008:
                tally.too_slow += 1
        except (OSError, TimeoutError):
            pass
        finally:
            await ws.close()
        tally.screen_reconnects += 1


async def _supervisors(url: str, down: asyncio.Event, stop: asyncio.Event, tally: Tally) -> None:
    while not stop.is_set():
        try:
            async with connect(f"{url}/ws/supervisor", open_timeout=5) as ws:
                burst = 0
                deadline = time.monotonic() + 0.5
                while time.monotonic() < deadline:
                    try:
                        await asyncio.wait_for(ws.recv(), 0.1)
                        burst += 1
                    except TimeoutError:
                        break
                tally.supervisor_first_burst = max(tally.supervisor_first_burst, burst)
        except ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code == 4008:
                tally.too_slow += 1
        except (OSError, InvalidHandshake, TimeoutError):
            pass
        await asyncio.sleep(1.0)


async def _run(args: argparse.Namespace, folder: Path) -> None:
    model = write_random_model(folder / "model", WORDS, seed=1)
    server = Server(_free_port(), model, folder / "soak.sqlite")
    server.start()
    await server.ready()
    url = f"ws://127.0.0.1:{server.port}"
    tally, rng = Tally(), random.Random(7)
    down, stop = asyncio.Event(), asyncio.Event()
    audio = [_audio(args.audio_s, seed) for seed in range(8)]
    start = time.monotonic()
    kill_at = args.calls // 2 if args.kill else -1
    statuses: list[dict[str, int]] = []

    async def sampler() -> None:
        while not stop.is_set():
            server.sample(time.monotonic() - start)
            try:
                statuses.append(await asyncio.to_thread(server.status))
            except OSError:
                pass
            await asyncio.sleep(args.sample_s)

    async def one_call(n: int, slots: asyncio.Semaphore) -> None:
        async with slots:
            call_id, seat = f"soak-{n:05d}", f"s{n % SEATS}"
            started = asyncio.Event()
            ingest = asyncio.create_task(
                _ingest(url, call_id, seat, audio[n % len(audio)], down, tally, started)
            )
            if n % args.follow_every == 0:
                await started.wait()
                await asyncio.gather(ingest, _agent(url, call_id, down, tally, rng))
            else:
                await ingest

    tasks = [
        asyncio.create_task(sampler()),
        asyncio.create_task(_supervisors(url, down, stop, tally)),
    ]
    slots = asyncio.Semaphore(args.concurrent)
    calls: list[asyncio.Task[None]] = []
    for n in range(args.calls):
        if n == kill_at:
            await asyncio.sleep(0.3)  # some calls in flight
            print(
                f"{time.monotonic() - start:6.1f} s  SIGKILL serve with {n} calls started",
                flush=True,
            )
            server.kill()
            server.start()
            await server.ready()
            print(f"{time.monotonic() - start:6.1f} s  serve restarted", flush=True)
        calls.append(asyncio.create_task(one_call(n, slots)))
        if n % 200 == 0:
            await asyncio.sleep(0)
        while len([c for c in calls if not c.done()]) > args.concurrent * 4:
            await asyncio.sleep(0.01)
        if n and n % 500 == 0:
            print(
                f"{time.monotonic() - start:6.1f} s  {n} calls started, {tally.calls_done} done",
                flush=True,
            )
    await asyncio.gather(*calls)
    await asyncio.sleep(2.0)  # let the writer commit the last calls
    server.sample(time.monotonic() - start)
    stop.set()
    for task in tasks:
        task.cancel()
    elapsed_s = time.monotonic() - start
    final_status = await asyncio.to_thread(server.status)
    server.stop()
    _report(args, server, tally, [*statuses, final_status], elapsed_s)


def _report(
    args, server: Server, tally: Tally, statuses: list[dict[str, int]], elapsed_s: float
) -> None:
    store = SqliteStore(server.store)
    lost_stored, lost_seen, events_checked = 0, 0, 0
    for call_id in sorted(tally.followed_to_end):
        stored = {e.seq for e in store.events_after(call_id) if not isinstance(e, ev.AudioChunk)}
        seen = tally.received[call_id]
        events_checked += len(stored)
        lost_stored += len(stored - seen)
        lost_seen += len(seen - stored)
    stored_calls = len(store.calls(limit=10**7))
    store.close()
    samples = server.samples
    print(
        f"\n{args.calls} calls of {args.audio_s:g} s audio in {elapsed_s:.0f} s "
        f"({args.calls / elapsed_s:.1f} calls/s, {args.concurrent} at a time); "
        f"{stored_calls} calls in the store"
    )
    print(
        f"calls completed {tally.calls_done}; "
        f"ingest reconnects after the kill {tally.calls_resumed}"
    )
    print("\n  process  time_s   RSS_MB   fds")
    step = max(1, len(samples) // 20)
    for run, t_s, rss_kb, fds in [*samples[::step], samples[-1]]:
        print(f"  {run:7d}  {t_s:6.0f}   {rss_kb / 1024:6.1f}   {fds:4d}")
    for run in sorted({s[0] for s in samples}):
        mine = [s for s in samples if s[0] == run]
        if len(mine) < 5:
            continue
        warm, tail = mine[len(mine) // 5], mine[-1]
        growth_mb = (tail[2] - warm[2]) / 1024
        fds = [s[3] for s in mine[len(mine) // 5 :]]
        print(
            f"process {run}: RSS after warm-up {warm[2] / 1024:.1f} MB at {warm[1]:.0f} s -> "
            f"{tail[2] / 1024:.1f} MB at {tail[1]:.0f} s (growth {growth_mb:+.1f} MB,"
            f" target <= 50); fds {min(fds)}..{max(fds)} (target: flat)"
        )
    print(
        f"screens followed {len(tally.followed_to_end)} calls to their end "
        f"({events_checked} stored events; {tally.screen_reconnects} drops and resumes)"
    )
    print(
        f"events lost: {lost_stored} stored but never delivered, {lost_seen} delivered but "
        "not in the store (target 0)"
    )
    print(f"events duplicated on resume: {tally.duplicates} (target 0)")
    largest = max((s.get("largest_screen_backlog", 0) for s in statuses), default=0)
    in_memory = statuses[-1] if statuses else {}
    print(
        f"largest backlog any screen had: {largest} events (per process; the limit is 1,000, "
        f"then 4008: {tally.too_slow} screens closed so, then resumed); "
        f"largest first burst to a new supervisor: {tally.supervisor_first_burst} events"
    )
    print(
        f"in memory at the end: {in_memory.get('calls_in_memory')} calls, "
        f"{in_memory.get('events_in_memory')} events (here ended calls leave memory after "
        "15 s, and a new supervisor is shown those of the last 5 s)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument(
        "--calls", type=int, default=2000, help="short calls in the day (10000: the target run)"
    )
    parser.add_argument("--concurrent", type=int, default=16, help="calls streaming at once")
    parser.add_argument("--audio-s", type=float, default=1.0, help="audio per call")
    parser.add_argument(
        "--follow-every", type=int, default=4, help="an agent screen on every Nth call"
    )
    parser.add_argument("--sample-s", type=float, default=2.0, help="RSS / fd sampling period")
    parser.add_argument("--no-kill", dest="kill", action="store_false", help="no SIGKILL mid-run")
    parser.add_argument("--keep", type=Path, help="keep the store and model in DIR")
    args = parser.parse_args(argv if argv is not None else [])
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        asyncio.run(_run(args, args.keep))
        return
    with tempfile.TemporaryDirectory(prefix="soak-") as folder:
        asyncio.run(_run(args, Path(folder)))


if __name__ == "__main__":
    main(sys.argv[1:])
