"""Load pieces of ``bench.cluster``: serve processes measured from outside,
vosk-protocol callers at real-time pace, agent screens that follow calls.

Every process runs on 127.0.0.1 and is stopped by the bench itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

PIECE_S = 0.2
RATE_HZ = 8000
_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * _TICK_S


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20, method="inclusive")[18]  # never beyond the data


@dataclass
class Node:
    """One ``serve`` process (optionally behind the broker)."""

    name: str
    broker_url: str = ""
    port: int = 0
    profile_dir: Path | None = None  # every thread profiled (see bench._cluster_profile)
    module: str = "assist"  # or a launcher that runs it (bench._open_vocabulary_node)
    langs: tuple[str, ...] = ("en",)
    extra: list[str] = field(default_factory=list)
    cpus: frozenset[int] | None = None  # the cores the process may run on (all when None)
    proc: subprocess.Popen | None = None

    def start(self) -> Node:
        self.port = self.port or free_port()
        cmd = [sys.executable]
        if self.profile_dir is not None:
            cmd += ["-m", "bench._cluster_profile", str(self.profile_dir)]
        else:
            cmd += ["-m", self.module]
        cmd += ["serve", "--port", str(self.port), "--lang", *self.langs, "--no-store", "--quiet",
                "--idle-timeout", "30", *self.extra]  # fmt: skip
        if self.broker_url:
            cmd += ["--broker", self.broker_url]
        cpus = self.cpus
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            # Set before the node starts, so every thread it makes inherits it.
            preexec_fn=None if cpus is None else lambda: os.sched_setaffinity(0, cpus),
        )
        return self

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise SystemExit(f"bench: node {self.name} exited: {err[-2000:]}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise SystemExit(f"bench: node {self.name} never listened")

    def cpu_s(self) -> float:
        assert self.proc is not None
        return cpu_s(self.proc.pid)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)  # lets a profiled node write its files
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@dataclass
class CallResult:
    latencies_s: list[float] = field(default_factory=list)
    audio_s: float = 0.0
    error: str = ""


async def stream_call(
    url: str, call_id: str, pcm: bytes, duration_s: float, *, seat: str = "",
    start_delay_s: float = 0.0, sent: list[tuple[float, float]] | None = None,
    piece_s: float = PIECE_S, lang: str = "en",
) -> CallResult:  # fmt: skip
    """One caller at real-time pace: ``duration_s`` of ``pcm`` (looped) in
    pieces of ``piece_s``, each answer timed from its piece being sent."""
    result = CallResult()
    await asyncio.sleep(start_delay_s)
    piece = int(piece_s * RATE_HZ) * 2
    query = f"{url}/ws/ingest?call={call_id}&lang={lang}" + (f"&seat={seat}" if seat else "")
    try:
        async with connect(query, open_timeout=20, max_queue=None) as ws:
            await ws.send(json.dumps({"config": {"sample_rate": RATE_HZ}}))
            start = time.monotonic()
            n_pieces = int(duration_s / piece_s)
            for i in range(n_pieces):
                offset = (i * piece) % max(piece, len(pcm) - piece)
                await asyncio.sleep(max(0.0, start + i * piece_s - time.monotonic()))
                t0 = time.monotonic()
                await ws.send(pcm[offset : offset + piece])
                if sent is not None:
                    sent.append(((i + 1) * piece_s, t0))
                await ws.recv()
                result.latencies_s.append(time.monotonic() - t0)
                result.audio_s += piece_s
            await ws.send('{"eof": 1}')
            await ws.recv()
    except (ConnectionClosed, OSError, InvalidHandshake, TimeoutError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    return result


@dataclass
class Screen:
    """An agent screen that follows one call to its end, resuming with
    ``after=N`` on another node if its node goes away."""

    call_id: str
    seqs: list[int] = field(default_factory=list)
    log: list[tuple[float, dict]] = field(default_factory=list)
    reconnects: int = 0
    ended: bool = False

    async def follow(self, urls: list[str], deadline_s: float) -> None:
        index = 0
        while time.monotonic() < deadline_s and not self.ended:
            after = self.seqs[-1] if self.seqs else 0
            url = f"{urls[index % len(urls)]}/ws/agent?call={self.call_id}&after={after}"
            try:
                async with connect(url, open_timeout=5, max_queue=None) as ws:
                    while not self.ended:
                        left = deadline_s - time.monotonic()
                        message = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, left)))
                        self.log.append((time.monotonic(), message))
                        self.seqs.append(message["seq"])
                        self.ended = message["type"] == "CallEnded"
            except ConnectionClosed as exc:
                if exc.rcvd is None or exc.rcvd.code != 4404:  # 4404: not known there yet
                    index, self.reconnects = index + 1, self.reconnects + 1
                await asyncio.sleep(0.1)
            except (OSError, InvalidHandshake, TimeoutError):
                index, self.reconnects = index + 1, self.reconnects + 1
                await asyncio.sleep(0.1)
