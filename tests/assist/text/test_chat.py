"""The chat channel through the real hub: a customer's messages reach the
supervisor's stream as a call without audio, with anger and suggestions."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from assist.chain.chain import EventChain
from assist.hub.access import Access, Principal, Role
from assist.hub.server import Hub


async def _collect(url: str, until: set[str], timeout_s: float = 20.0) -> list[dict]:
    seen: list[dict] = []
    async with connect(url) as ws:
        while not until <= {m.get("type") for m in seen}:
            seen.append(json.loads(await asyncio.wait_for(ws.recv(), timeout_s)))
    return seen


def test_a_chat_shows_on_the_supervisor_stream_with_anger_and_suggestions() -> None:
    async def scenario() -> tuple[list[dict], list[dict]]:
        bus = EventChain()
        hub = Hub(bus)
        await hub.start("127.0.0.1", 0)
        base = f"ws://127.0.0.1:{hub.port}"
        try:
            watcher = asyncio.create_task(
                _collect(f"{base}/ws/supervisor", {"CallStarted", "AngerUpdate", "CallEnded"})
            )
            await asyncio.sleep(0.2)
            replies = []
            async with connect(f"{base}/ws/chat?conversation=c-1&role=customer&lang=en") as ws:
                for text in ("hi, my internet is down for three days", "this is ridiculous!!"):
                    await ws.send(json.dumps({"text": text}))
                    replies.append(json.loads(await ws.recv()))
                await ws.send("not json")
                replies.append(json.loads(await ws.recv()))
            return replies, await watcher
        finally:
            await hub.stop()

    replies, seen = asyncio.run(scenario())
    assert replies[0]["flagged"] and replies[1]["level"] == "angry"
    assert "error" in replies[2]
    types = [m.get("type") for m in seen]
    assert types.index("CallStarted") < types.index("AngerUpdate") < types.index("CallEnded")


def test_an_agent_token_may_not_speak_for_the_customer() -> None:
    access = Access({"agent-token-00000001": Principal(Role.AGENT, "a1")})

    async def scenario() -> int:
        hub = Hub(EventChain(), access=access)
        await hub.start("127.0.0.1", 0)
        try:
            url = f"ws://127.0.0.1:{hub.port}/ws/chat?conversation=c-2&role=customer&seat=a1"
            async with connect(url) as ws:
                await ws.send(json.dumps({"token": "agent-token-00000001"}))
                try:
                    await asyncio.wait_for(ws.recv(), 10)
                except ConnectionClosed as closed:
                    assert closed.rcvd is not None
                    return closed.rcvd.code
            return 0
        finally:
            await hub.stop()

    assert asyncio.run(scenario()) == 4403
