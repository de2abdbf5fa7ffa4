"""Live audio through /ws/ingest in the vosk-server protocol, for real:
real sockets on 127.0.0.1, real vosk on a model the suite writes."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from assist.calls.runner import CallRunner
from assist.chain.chain import EventChain
from assist.hub.access import Access, Principal, Role
from assist.hub.server import CLOSE_BAD_REQUEST, CLOSE_UNAUTHORIZED, Hub, HubLimits
from ivr import events as ev
from ivr.asr.vosk_engine import VoskEngine


async def start(random_model, access: Access | None = None):
    engine = VoskEngine(random_model, "en")
    bus = EventChain()
    registry = CallRunner(lambda lang: engine, bus.publish)
    hub = Hub(bus, access=access, registry=registry, limits=HubLimits(max_audio_bytes=16000))
    await hub.start("127.0.0.1", 0)
    return hub, bus, f"ws://127.0.0.1:{hub.port}/ws/ingest"


async def stream(ws, pcm: bytes, piece_bytes: int) -> list[dict]:
    replies = []
    for i in range(0, len(pcm), piece_bytes):
        await ws.send(pcm[i : i + piece_bytes])
        replies.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
    return replies


def test_a_vosk_client_gets_one_answer_per_message_and_the_screens_get_the_call(
    random_model, speech_8k
):
    async def scenario():
        hub, bus, url = await start(random_model)
        try:
            async with connect(f"{url}?call=c1&lang=en&seat=a1") as ws:
                await ws.send(json.dumps({"config": {"sample_rate": 8000, "words": 1}}))
                replies = await stream(ws, speech_8k, 3200)  # 0.2 s pieces
                await ws.send('{"eof" : 1}')
                final = json.loads(await asyncio.wait_for(ws.recv(), 10))
                with pytest.raises(ConnectionClosed):
                    await asyncio.wait_for(ws.recv(), 5)
            await asyncio.sleep(0.05)
        finally:
            await hub.stop()
        assert len(replies) == -(-len(speech_8k) // 3200)
        assert all(("partial" in r) != ("text" in r) for r in replies)
        texts = [r["text"] for r in replies if "text" in r] + [final["text"]]
        assert " ".join(texts).split(), "the recogniser said nothing at all"
        assert "result" in final and all(
            {"word", "start", "end", "conf"} <= set(w) for w in final["result"]
        )
        history = bus.history("c1")
        kinds = [type(e).__name__ for e in history]
        assert kinds[0] == "CallStarted" and kinds[-1] == "CallEnded" and "TranscriptFinal" in kinds
        assert bus.calls["c1"].agent_id == "a1" and not bus.calls["c1"].live
        assert all(e.seq == n for n, e in enumerate(history, start=1))

    asyncio.run(scenario())


def test_customer_and_agent_streams_of_one_call_share_it(random_model, speech_8k):
    async def scenario():
        hub, bus, url = await start(random_model)
        try:
            async with (
                connect(f"{url}?call=c2&lang=en&role=customer") as customer,
                connect(f"{url}?call=c2&lang=en&role=agent") as agent,
            ):
                for ws in (customer, agent):
                    await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
                await asyncio.gather(
                    stream(customer, speech_8k, 3200), stream(agent, speech_8k, 3200)
                )
                await customer.send('{"eof": 1}')
                await customer.recv()
                assert bus.calls["c2"].live  # the agent's stream still runs
                await agent.send('{"eof": 1}')
                await agent.recv()
            await asyncio.sleep(0.05)
        finally:
            await hub.stop()
        roles = {e.role for e in bus.history("c2") if isinstance(e, ev.TranscriptFinal)}
        assert roles == {ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT}
        assert [type(e).__name__ for e in bus.history("c2")].count("CallStarted") == 1
        assert not bus.calls["c2"].live

    asyncio.run(scenario())


def test_bad_audio_gets_errors_and_other_calls_carry_on(random_model, speech_8k):
    async def scenario():
        hub, _, url = await start(random_model)
        try:
            async with (
                connect(f"{url}?call=good&lang=en") as good,
                connect(f"{url}?call=bad&lang=en") as bad,
            ):
                await good.send(json.dumps({"config": {"sample_rate": 8000}}))
                errors = []
                for message in [
                    b"\x01\x02\x03",  # odd byte count
                    b"\x00" * 20000,  # over the per-message limit
                ]:
                    await bad.send(message)
                    errors.append(json.loads(await asyncio.wait_for(bad.recv(), 5)))
                await bad.send(b"\x00\x00" * 1600)
                after = json.loads(await asyncio.wait_for(bad.recv(), 5))
                await bad.send(json.dumps({"config": {"sample_rate": 16000}}))
                late = json.loads(await asyncio.wait_for(bad.recv(), 5))
                with pytest.raises(ConnectionClosed) as closed:
                    await asyncio.wait_for(bad.recv(), 5)
                good_replies = await stream(good, speech_8k, 3200)
        finally:
            await hub.stop()
        assert "even number" in errors[0]["error"] and "over the limit" in errors[1]["error"]
        assert "partial" in after or "text" in after  # the call went on
        assert "before the first audio" in late["error"]  # a late config ends the stream
        assert closed.value.rcvd.code == CLOSE_BAD_REQUEST
        assert len(good_replies) > 5 and not any("error" in r for r in good_replies)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?lang=en", CLOSE_BAD_REQUEST),
        ("?call=x&lang=de", CLOSE_BAD_REQUEST),
        ("?call=x&lang=en&role=boss", CLOSE_BAD_REQUEST),
    ],
)
def test_bad_ingest_requests_are_refused_with_a_code(random_model, query, code):
    async def scenario():
        hub, _, url = await start(random_model)
        try:
            async with connect(url + query) as ws:
                with pytest.raises(ConnectionClosed) as info:
                    await asyncio.wait_for(ws.recv(), 5)
        finally:
            await hub.stop()
        assert info.value.rcvd.code == code

    asyncio.run(scenario())


def test_ingest_needs_a_token_when_access_is_configured(random_model, speech_8k):
    access = Access(
        {
            "ingest-token-000004": Principal(Role.INGEST, "pbx"),
            "agent-one-token-0001": Principal(Role.AGENT, "a1"),
        }
    )

    async def scenario():
        hub, bus, url = await start(random_model, access)
        try:
            async with connect(f"{url}?call=x&lang=en") as ws:
                await ws.send(
                    json.dumps({"config": {"sample_rate": 8000, "token": "agent-one-token-0001"}})
                )
                with pytest.raises(ConnectionClosed) as refused:
                    await asyncio.wait_for(ws.recv(), 5)
            headers = {"Authorization": "Bearer ingest-token-000004"}
            async with connect(f"{url}?call=y&lang=en", additional_headers=headers) as ws:
                await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
                replies = await stream(ws, speech_8k[:6400], 3200)
            async with connect(f"{url}?call=z&lang=en") as ws:
                await ws.send(
                    json.dumps({"config": {"sample_rate": 8000, "token": "ingest-token-000004"}})
                )
                more = await stream(ws, speech_8k[:6400], 3200)
        finally:
            await hub.stop()
        assert refused.value.rcvd.code == CLOSE_UNAUTHORIZED
        assert len(replies) == 2 and len(more) == 2
        assert "x" not in bus.calls  # refused before any call existed

    asyncio.run(scenario())


def test_audio_is_not_deflated_but_screens_are(random_model):
    """The ingest route never negotiates permessage-deflate (PCM hardly
    compresses; inflating each message is wasted CPU), screens still do."""

    async def scenario():
        hub, _, url = await start(random_model)
        try:
            async with connect(f"{url}?call=c1&lang=en") as ingest:
                ingest_extensions = [e.name for e in ingest.protocol.extensions]
            screen_url = f"ws://127.0.0.1:{hub.port}/ws/supervisor"
            async with connect(screen_url) as screen:
                screen_extensions = [e.name for e in screen.protocol.extensions]
        finally:
            await hub.stop()
        assert ingest_extensions == []
        assert screen_extensions == ["permessage-deflate"]

    asyncio.run(scenario())
