"""The hub over real sockets on 127.0.0.1."""

import asyncio
import json
import urllib.request

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from assist.chain.chain import EventChain
from assist.hub.server import CLOSE_BAD_REQUEST, Hub
from ivr import events as ev
from ivr import wire


async def started_hub(feedback=None) -> tuple[Hub, EventChain, str]:
    bus = EventChain()
    hub = Hub(bus, feedback=feedback)
    await hub.start("127.0.0.1", 0)
    return hub, bus, f"127.0.0.1:{hub.port}"


async def receive(ws, n: int) -> list:
    return [wire.decode(await asyncio.wait_for(ws.recv(), 5)) for _ in range(n)]


def test_pages_are_served_and_unknown_paths_are_404():
    async def scenario():
        hub, _, address = await started_hub()
        try:

            def get(path):
                try:
                    with urllib.request.urlopen(f"http://{address}{path}", timeout=5) as r:
                        return r.status, r.headers["Content-Type"], r.read().decode()
                except urllib.error.HTTPError as exc:
                    return exc.code, None, ""

            results = await asyncio.gather(
                *(
                    asyncio.to_thread(get, p)
                    for p in ("/agent", "/supervisor", "/static/agent.js", "/nope", "/static/../x")
                )
            )
        finally:
            await hub.stop()
        (s1, t1, b1), (s2, _, b2), (s3, t3, _), (s4, _, _), (s5, _, _) = results
        assert s1 == 200 and t1.startswith("text/html") and "agent.js" in b1
        assert s2 == 200 and "supervisor.js" in b2
        assert s3 == 200 and "javascript" in t3
        assert s4 == 404 and s5 == 404

    asyncio.run(scenario())


def test_agent_stream_sends_history_then_live_and_resumes_after_seq():
    async def scenario():
        hub, bus, address = await started_hub()
        try:
            bus.publish(ev.CallStarted("a", "ru"))
            bus.publish(ev.CallStarted("b", "en"))
            bus.publish(ev.TranscriptFinal("a", ev.ChannelRole.CUSTOMER, "раз"))
            async with connect(f"ws://{address}/ws/agent?call=a") as ws:
                first = await receive(ws, 2)
                bus.publish(ev.TranscriptFinal("b", ev.ChannelRole.CUSTOMER, "other call"))
                bus.publish(ev.TranscriptFinal("a", ev.ChannelRole.CUSTOMER, "два"))
                (live,) = await receive(ws, 1)
            bus.publish(ev.TranscriptFinal("a", ev.ChannelRole.CUSTOMER, "три"))
            async with connect(f"ws://{address}/ws/agent?call=a&after={live.seq}") as ws:
                (resumed,) = await receive(ws, 1)
        finally:
            await hub.stop()
        assert [type(e).__name__ for e in first] == ["CallStarted", "TranscriptFinal"]
        assert all(e.call_id == "a" for e in [*first, live, resumed])
        assert (live.text, live.seq) == ("два", 3)
        assert (resumed.text, resumed.seq) == ("три", 4)

    asyncio.run(scenario())


def test_supervisor_sees_every_call_but_no_partials():
    async def scenario():
        hub, bus, address = await started_hub()
        try:
            async with connect(f"ws://{address}/ws/supervisor") as ws:
                bus.publish(ev.CallStarted("a", "ru"))
                bus.publish(ev.TranscriptPartial("a", ev.ChannelRole.CUSTOMER, "ра"))
                bus.publish(ev.CallStarted("b", "en"))
                got = await receive(ws, 2)
        finally:
            await hub.stop()
        assert [(type(e).__name__, e.call_id) for e in got] == [
            ("CallStarted", "a"),
            ("CallStarted", "b"),
        ]

    asyncio.run(scenario())


def test_feedback_is_published_and_bad_messages_get_an_error_event():
    async def scenario():
        heard = []
        hub, bus, address = await started_hub(lambda fb: heard.append(bus.publish(fb)))
        try:
            bus.publish(ev.CallStarted("a", "en"))
            async with connect(f"ws://{address}/ws/agent?call=a") as ws:
                await receive(ws, 1)
                await ws.send(b"\x00\x01garbage")
                await ws.send("{nope")
                await ws.send(json.dumps({"type": "dance"}))
                await ws.send(
                    json.dumps(
                        {
                            "type": "feedback",
                            "call_id": "a",
                            "suggestion_id": "s#1",
                            "verdict": "meh",
                        }
                    )
                )
                await ws.send(
                    json.dumps(
                        {
                            "type": "feedback",
                            "call_id": "a",
                            "suggestion_id": "s#1",
                            "verdict": "used",
                        }
                    )
                )
                got = await receive(ws, 5)
        finally:
            await hub.stop()
        errors = [e for e in got if isinstance(e, ev.Error)]
        assert [e.code for e in errors] == ["bad-message"] * 4
        assert "binary" in errors[0].message and "unknown message type" in errors[2].message
        (feedback,) = [e for e in got if isinstance(e, ev.SuggestionFeedback)]
        assert feedback.verdict is ev.Verdict.USED and heard == [feedback]

    asyncio.run(scenario())


@pytest.mark.parametrize("query", ["/ws/agent", "/ws/agent?call=a&after=x", "/ws/elsewhere"])
def test_bad_stream_requests_are_closed_with_a_clear_code(query):
    async def scenario():
        hub, _, address = await started_hub()
        try:
            async with connect(f"ws://{address}{query}") as ws:
                with pytest.raises(ConnectionClosed) as info:
                    await asyncio.wait_for(ws.recv(), 5)
        finally:
            await hub.stop()
        assert info.value.rcvd.code == CLOSE_BAD_REQUEST

    asyncio.run(scenario())


def test_a_seat_that_takes_a_call_later_gets_what_happened_before():
    """An IVR call handed to a seat: the seat's screen gets the call's earlier
    events (the menu, what the caller said) before the hand-over itself."""

    async def scenario():
        hub, bus, address = await started_hub()
        try:
            async with connect(f"ws://{address}/ws/agent?seat=s1") as ws:
                await asyncio.sleep(0.1)
                bus.publish(ev.CallStarted("c", "ru", "", source="ivr:audiosocket"))
                bus.publish(ev.TranscriptFinal("c", ev.ChannelRole.CUSTOMER, "вы идиоты"))
                bus.publish(ev.CallStarted("c", "ru", "s1", source="ivr"))
                bus.publish(ev.TranscriptFinal("c", ev.ChannelRole.CUSTOMER, "алло"))
                return await receive(ws, 4)
        finally:
            await hub.stop()

    events = asyncio.run(scenario())
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert [type(e).__name__ for e in events] == ["CallStarted", "TranscriptFinal"] * 2
    assert (events[1].text, events[2].agent_id, events[3].text) == ("вы идиоты", "s1", "алло")
