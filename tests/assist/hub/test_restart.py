"""A call that goes on across a SIGKILL of ``serve``: the restarted process
continues its sequence and its audio time with one ``CallStarted``, and a
screen that saw up to N and asks for ``after=N`` gets what came after N and
nothing before, from the store and from memory."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from websockets.asyncio.client import connect

from ivr import events as ev
from ivr import wire


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(port: int, model: Path, store: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable, "-m", "assist", "serve", "--port", str(port), "--lang", "en",
            "--model", str(model), "--store", str(store), "--quiet", "--idle-timeout", "30",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


async def wait_for_port(port: int, process: subprocess.Popen) -> None:
    for _ in range(400):
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError("serve never listened")


async def stream(ws, pcm: bytes) -> None:
    for i in range(0, len(pcm), 3200):
        await ws.send(pcm[i : i + 3200])
        await asyncio.wait_for(ws.recv(), 10)


async def collect(ws, events: list, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            events.append(wire.decode(await asyncio.wait_for(ws.recv(), 0.2)))
        except TimeoutError:
            continue


def test_a_call_goes_on_after_a_sigkill_with_one_start_and_exact_resume(
    tmp_path, random_model, speech_8k
):
    port, store = free_port(), tmp_path / "calls.sqlite"
    ingest_url = f"ws://127.0.0.1:{port}/ws/ingest?call=r1&lang=en&seat=a1"

    async def before_the_kill() -> list:
        seen: list = []
        done = asyncio.Event()
        async with (
            connect(ingest_url) as ingest,
            connect(f"ws://127.0.0.1:{port}/ws/agent?seat=a1") as agent,
        ):
            await ingest.send(json.dumps({"config": {"sample_rate": 8000}}))
            reader = asyncio.create_task(collect(agent, seen, done))
            await stream(ingest, speech_8k)
            await asyncio.sleep(1.0)  # the store's writer commits within milliseconds
            done.set()
            await reader
            os.kill(first.pid, signal.SIGKILL)
        return seen

    async def after_the_restart(last_seen: int) -> tuple[list, list]:
        resumed: list = []
        done = asyncio.Event()
        async with connect(f"ws://127.0.0.1:{port}/ws/agent?call=r1&after={last_seen}") as agent:
            reader = asyncio.create_task(collect(agent, resumed, done))
            async with connect(ingest_url) as ingest:
                await ingest.send(json.dumps({"config": {"sample_rate": 8000}}))
                await stream(ingest, speech_8k)
                await ingest.send('{"eof": 1}')
                await ingest.recv()
            while not any(isinstance(e, ev.CallEnded) for e in resumed):
                await asyncio.sleep(0.1)
            done.set()
            await reader
        async with connect(f"ws://127.0.0.1:{port}/ws/agent?call=r1") as agent:
            whole: list = []
            done = asyncio.Event()
            reader = asyncio.create_task(collect(agent, whole, done))
            await asyncio.sleep(1.0)
            done.set()
            await reader
        return resumed, whole

    first = start_serve(port, random_model, store)
    try:
        asyncio.run(wait_for_port(port, first))
        seen = asyncio.run(before_the_kill())
        assert first.wait(10) == -signal.SIGKILL
    finally:
        first.kill()
    second = start_serve(port, random_model, store)
    try:
        asyncio.run(wait_for_port(port, second))
        resumed, whole = asyncio.run(asyncio.wait_for(after_the_restart(seen[-1].seq), 60))
    finally:
        second.terminate()
        second.wait(10)

    last_seen, last_audio_s = seen[-1].seq, max(getattr(e, "at_s", 0.0) for e in seen)
    assert [type(e).__name__ for e in seen].count("CallStarted") == 1
    # After N: everything newer, nothing before, no duplicates, no second start.
    assert resumed and all(e.seq > last_seen for e in resumed)
    assert [e.seq for e in resumed] == sorted({e.seq for e in resumed})
    assert not any(isinstance(e, ev.CallStarted) for e in resumed)
    # The audio time goes on from where the first process left it.
    new_audio = [e for e in resumed if isinstance(e, ev.TranscriptFinal | ev.AngerUpdate)]
    assert new_audio and min(e.at_s for e in new_audio) >= last_audio_s - 0.5
    ended = [e for e in resumed if isinstance(e, ev.CallEnded)]
    assert len(ended) == 1 and ended[0].at_s >= last_audio_s + 1.5
    # The whole call, from the store and memory: one start, one end, each number once.
    kinds = [type(e).__name__ for e in whole]
    assert kinds.count("CallStarted") == 1 and kinds.count("CallEnded") == 1
    assert [e.seq for e in whole] == sorted({e.seq for e in whole})
    assert {e.seq for e in seen} <= {e.seq for e in whole}  # nothing a screen saw is lost
