"""``serve --record DIR --post-call whisper`` for real: a live call's two legs
arrive on two connections, the call's stereo recording is written when it
ends, and a low-priority worker transcribes it again into the store."""

import asyncio
import json
import socket
import time

from websockets.asyncio.client import connect

from assist.serve import ServeOptions, serve_forever
from assist.store import SqliteStore
from bench.real_speech_corpus import load, prompts
from ivr.sources import read_audio

from .whisper_calls import require_whisper


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_for_port(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError("the hub never listened")


def test_a_recorded_call_is_transcribed_again_after_it_ends(tmp_path, random_model):
    require_whisper()
    by_name = {p.name: p for p in prompts("en")}
    customer, _ = load(by_name["agent-user"], "phone")
    agent, _ = load(by_name["auth-thankyou"], "phone")
    port, store_path, folder = free_port(), tmp_path / "calls.sqlite", tmp_path / "rec"
    options = ServeOptions(
        port=port,
        languages=("en",),
        model=random_model,
        store_path=store_path,
        log_events=False,
        record_dir=folder,
        post_call="whisper",
    )

    async def leg(role, audio):
        url = f"ws://127.0.0.1:{port}/ws/ingest?call=rec1&lang=en&role={role}"
        async with connect(url) as ws:
            await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
            pcm = audio.tobytes()
            for i in range(0, len(pcm), 3200):
                await ws.send(pcm[i : i + 3200])
                await ws.recv()
            await ws.send('{"eof": 1}')
            await ws.recv()

    async def transcribed(timeout_s):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if store_path.exists():
                with SqliteStore(store_path) as store:
                    found = store.transcripts("rec1")
                if found:
                    return found
            await asyncio.sleep(0.5)
        return []

    async def run():
        stop = asyncio.Event()
        server = asyncio.create_task(serve_forever(options, stop))
        await wait_for_port(port)
        try:
            await asyncio.gather(leg("customer", customer), leg("agent", agent))
            return await transcribed(240)
        finally:
            stop.set()
            await server

    kept = asyncio.run(run())
    samples, rate_hz = read_audio(folder / "rec1.wav")
    assert rate_hz == 8000 and samples.shape[1] == 2
    assert abs(samples.shape[0] - max(customer.size, agent.size)) <= 320
    assert [t.engine for t in kept] == ["whisper"]
    text = json.loads(kept[0].transcript)["channels"]
    said = " ".join(u["text"] for u in text["customer"])
    assert "agent number" in said, said
    assert "thank you" in " ".join(u["text"] for u in text["agent"])
