"""``serve`` for real: ingest a call, stop, start again, and the call is
still there for a supervisor, from the store."""

import asyncio
import json
import socket

import pytest
from websockets.asyncio.client import connect

from assist.serve import ServeOptions, access_for, serve_forever
from ivr import wire


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


def test_calls_survive_a_restart_through_the_store(tmp_path, random_model, speech_8k):
    port = free_port()
    options = ServeOptions(
        port=port,
        languages=("en",),
        model=random_model,
        store_path=tmp_path / "calls.sqlite",
        log_events=False,
    )

    async def run_once(work):
        stop = asyncio.Event()
        server = asyncio.create_task(serve_forever(options, stop))
        await wait_for_port(port)
        try:
            return await work()
        finally:
            stop.set()
            await server

    async def ingest():
        async with connect(f"ws://127.0.0.1:{port}/ws/ingest?call=kept&lang=en&seat=a1") as ws:
            await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
            for i in range(0, len(speech_8k), 3200):
                await ws.send(speech_8k[i : i + 3200])
                await ws.recv()
            await ws.send('{"eof": 1}')
            return json.loads(await ws.recv())

    async def supervise():
        async with connect(f"ws://127.0.0.1:{port}/ws/supervisor") as ws:
            events = []
            while not events or type(events[-1]).__name__ != "CallEnded":
                events.append(wire.decode(await asyncio.wait_for(ws.recv(), 5)))
            return events

    final = asyncio.run(run_once(ingest))
    events = asyncio.run(run_once(supervise))
    assert "text" in final
    assert type(events[0]).__name__ == "CallStarted"
    assert all(e.call_id == "kept" for e in events)
    assert [e.seq for e in events] == sorted(e.seq for e in events)


def test_an_open_hub_is_refused_off_loopback():
    with pytest.raises(SystemExit, match="--access"):
        access_for(ServeOptions(host="0.0.0.0"))
