import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from assist.chain.chain import EventChain
from assist.hub import server as hub_server
from assist.hub.access import Access, Role, load_access
from assist.hub.server import Hub
from ivr import events as ev
from ivr import wire
from ivr.datafile import DataFileError

TOKENS = """
[[agent]]
seat = "a1"
token = "agent-one-token-0001"

[[agent]]
seat = "a2"
token = "agent-two-token-0002"

[[supervisor]]
name = "floor"
token = "supervisor-token-0003"

[[ingest]]
name = "pbx"
token = "ingest-token-000004"
"""


@pytest.fixture
def access(tmp_path) -> Access:
    path = tmp_path / "access.toml"
    path.write_text(TOKENS, encoding="utf-8")
    return load_access(path)


def test_loading_maps_tokens_to_roles(access):
    assert access.identify("agent-one-token-0001").name == "a1"
    assert access.identify("supervisor-token-0003").role is Role.SUPERVISOR
    assert access.identify("ingest-token-000004").role is Role.INGEST
    assert access.identify("nope") is None and access.identify(None) is None


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (
            '[[agent]]\nseat = "a1"\ntoken = "short"\n',
            ":3: agent 'a1': 'token' must be at least 16",
        ),
        ('[[supervisor]]\ntoken = "0123456789abcdef"\n', ":1: supervisor #1: 'name' is required"),
        (
            '[[agent]]\nseat = "a"\ntoken = "0123456789abcdef"\n'
            '[[agent]]\nseat = "b"\ntoken = "0123456789abcdef"\n',
            ":6: agent 'b': token already used",
        ),
        ("[[admin]]\n", "unknown table"),
        ("", "no tokens"),
    ],
)
def test_bad_access_files_name_file_and_line(tmp_path, text, complaint):
    path = tmp_path / "access.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_access(path)
    assert str(path) in str(info.value) and complaint in str(info.value)


async def hub_with(access: Access) -> tuple[Hub, EventChain, str]:
    bus = EventChain()
    hub = Hub(bus, access=access)
    await hub.start("127.0.0.1", 0)
    bus.publish(ev.CallStarted("call-a1", "ru", agent_id="a1"))
    bus.publish(ev.CallStarted("call-a2", "en", agent_id="a2"))
    return hub, bus, f"ws://127.0.0.1:{hub.port}"


async def close_code(url: str, token: str | None) -> int:
    async with connect(url) as ws:
        if token is not None:
            await ws.send(json.dumps({"type": "auth", "token": token}))
        with pytest.raises(ConnectionClosed) as info:
            while True:
                await asyncio.wait_for(ws.recv(), 10)
        return info.value.rcvd.code


def test_each_principal_sees_only_what_it_may(access, monkeypatch):
    monkeypatch.setattr(hub_server.HubLimits, "auth_timeout_s", 0.3)

    async def scenario():
        hub, _, base = await hub_with(access)
        try:
            codes = await asyncio.gather(
                close_code(f"{base}/ws/agent?call=call-a1", None),  # never authenticates
                close_code(f"{base}/ws/agent?call=call-a1", "wrong-token-xxxxxxxx"),
                close_code(
                    f"{base}/ws/agent?call=call-a2", "agent-one-token-0001"
                ),  # another agent's call
                close_code(f"{base}/ws/agent?seat=a2", "agent-one-token-0001"),
                close_code(f"{base}/ws/supervisor", "agent-one-token-0001"),
                close_code(f"{base}/ws/agent?call=nope", "agent-one-token-0001"),
                close_code(f"{base}/ws/agent?call=call-a1", "ingest-token-000004"),
            )
            async with connect(f"{base}/ws/agent?call=call-a1") as ws:
                await ws.send(json.dumps({"type": "auth", "token": "agent-one-token-0001"}))
                own = wire.decode(await asyncio.wait_for(ws.recv(), 5))
            async with connect(f"{base}/ws/supervisor") as ws:
                await ws.send(json.dumps({"type": "auth", "token": "supervisor-token-0003"}))
                seen = {wire.decode(await asyncio.wait_for(ws.recv(), 5)).call_id for _ in range(2)}
        finally:
            await hub.stop()
        assert codes == [4401, 4401, 4403, 4403, 4403, 4404, 4401]
        assert own.call_id == "call-a1"
        assert seen == {"call-a1", "call-a2"}

    asyncio.run(scenario())


def test_a_seat_follows_its_next_call_and_a_second_claim_takes_it_over(access):
    async def scenario():
        hub, bus, base = await hub_with(access)
        try:
            first = await connect(f"{base}/ws/agent?seat=a1")
            await first.send(json.dumps({"type": "auth", "token": "agent-one-token-0001"}))
            assert wire.decode(await asyncio.wait_for(first.recv(), 5)).call_id == "call-a1"
            bus.publish(ev.CallEnded("call-a1", 10.0))
            bus.publish(ev.CallStarted("call-a1-next", "ru", agent_id="a1"))
            bus.publish(ev.CallStarted("call-other", "ru", agent_id="a2"))
            got = [wire.decode(await asyncio.wait_for(first.recv(), 5)) for _ in range(2)]
            second = await connect(f"{base}/ws/agent?seat=a1")
            await second.send(json.dumps({"type": "auth", "token": "agent-one-token-0001"}))
            resumed = wire.decode(await asyncio.wait_for(second.recv(), 5))
            with pytest.raises(ConnectionClosed) as info:
                await asyncio.wait_for(first.recv(), 5)
            await second.close()
        finally:
            await hub.stop()
        assert [(type(e).__name__, e.call_id) for e in got] == [
            ("CallEnded", "call-a1"),
            ("CallStarted", "call-a1-next"),
        ]
        assert resumed.call_id == "call-a1-next"
        assert info.value.rcvd.code == hub_server.CLOSE_SEAT_TAKEN

    asyncio.run(scenario())
