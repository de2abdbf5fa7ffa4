"""Scripted callers walk the example menu with keys pressed inside their audio,
over each real telephony protocol on 127.0.0.1, and reach the right queue;
the seat that takes the call gets the IVR context on its screen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ivr import events as ev
from ivr.telephony.clients import AudioForkCaller, AudioSocketCaller, TwilioCaller

from .harness import Screen, keypresses, running_ivr, silence

CALL_LIMIT_S = 30


def _stereo(customer: bytes) -> bytes:
    import numpy as np

    mono = np.frombuffer(customer, dtype="<i2")
    both = np.zeros((mono.size, 2), dtype="<i2")
    both[:, 0] = mono
    return both.tobytes()


@pytest.mark.parametrize(
    ("listener", "digits", "queue", "path", "priority"),
    [
        (0, "11", "internet_support", "main > internet", "2"),  # Russian listener
        (1, "24", "mobile_support", "main > mobile", "5"),  # English listener
    ],
)
def test_audiosocket_caller_walks_the_menu_by_keypad_tones(
    random_model: Path,
    tmp_path: Path,
    listener: int,
    digits: str,
    queue: str,
    path: str,
    priority: str,
) -> None:
    async def scenario() -> tuple[ev.IvrAction, AudioSocketCaller]:
        async with running_ivr(random_model, tmp_path / "prompts") as servers:
            async with Screen(servers.hub_port, "a1") as screen:
                caller = await AudioSocketCaller(
                    "127.0.0.1", servers.audiosocket_ports[listener]
                ).connect()
                await caller.send_audio(keypresses(digits))
                handoff = await screen.wait_for_handoff(CALL_LIMIT_S)
                await caller.send_audio(silence(0.5))
                await caller.hangup()
                return handoff, caller

    handoff, caller = asyncio.run(scenario())
    assert handoff.call_id == caller.call_id
    assert handoff.detail["queue"] == queue
    assert handoff.detail["priority"] == priority
    assert handoff.detail["path"].startswith(path)
    assert handoff.detail["fast_tracked"] == "no"
    assert handoff.detail["seat"] == "a1"
    assert len(caller.received) > 8000  # the caller heard prompts over the socket


def test_twilio_caller_walks_the_menu_and_chooses_its_language(
    random_model: Path, tmp_path: Path
) -> None:
    async def scenario() -> tuple[ev.IvrAction, Screen]:
        async with running_ivr(random_model, tmp_path / "prompts") as servers:
            async with Screen(servers.hub_port, "a1") as screen:
                url = f"ws://127.0.0.1:{servers.media_ws_port}/twilio"
                caller = await TwilioCaller(url, custom_parameters={"lang": "en"}).connect()
                await caller.send_audio(keypresses("43"))
                handoff = await screen.wait_for_handoff(CALL_LIMIT_S)
                await caller.stop()
                return handoff, screen

    handoff, screen = asyncio.run(scenario())
    assert handoff.detail["queue"] == "billing"
    assert handoff.detail["path"].startswith("main > billing")
    started = [e for e in screen.events if isinstance(e, ev.CallStarted)]
    assert started and started[-1].language == "en" and started[-1].agent_id == "a1"


def test_audio_fork_stereo_caller_reports_an_outage(random_model: Path, tmp_path: Path) -> None:
    async def scenario() -> ev.IvrAction:
        async with running_ivr(random_model, tmp_path / "prompts") as servers:
            async with Screen(servers.hub_port, "a1") as screen:
                url = f"ws://127.0.0.1:{servers.media_ws_port}/audio_fork?mix=stereo&rate=8k"
                caller = await AudioForkCaller(
                    url, metadata={"callId": "fs-1", "lang": "ru"}, channels=2
                ).connect()
                await caller.send_audio(_stereo(keypresses("61")))
                handoff = await screen.wait_for_handoff(CALL_LIMIT_S)
                await caller.close()
                return handoff

    handoff = asyncio.run(scenario())
    assert handoff.call_id == "fs-1"
    assert handoff.detail["queue"] == "outage"
    assert handoff.detail["path"].startswith("main > outage")


def test_a_waiting_call_gets_the_seat_when_the_first_caller_hangs_up(
    random_model: Path, tmp_path: Path
) -> None:
    async def scenario() -> tuple[list[ev.IvrAction], str, str]:
        async with running_ivr(random_model, tmp_path / "prompts") as servers:
            async with Screen(servers.hub_port, "a1") as screen:
                port = servers.audiosocket_ports[1]
                first = await AudioSocketCaller("127.0.0.1", port).connect()
                second = await AudioSocketCaller("127.0.0.1", port).connect()
                await asyncio.gather(
                    first.send_audio(keypresses("0")), second.send_audio(keypresses("0"))
                )
                seated = await screen.wait_for_handoff(CALL_LIMIT_S)
                # Both pressed at once: either may be heard first and take the seat.
                if seated.call_id == second.call_id:
                    first, second = second, first
                await first.hangup()
                await second.send_audio(silence(1.0))
                handoffs = [
                    e
                    for e in screen.events
                    if isinstance(e, ev.IvrAction) and e.action == "handoff"
                ]
                await second.hangup()
                return handoffs, first.call_id, second.call_id

    handoffs, first, second = asyncio.run(scenario())
    assert [h.call_id for h in handoffs] == [first, second]


def test_the_ivr_hangs_up_after_its_goodbye(random_model: Path, tmp_path: Path) -> None:
    async def scenario() -> AudioSocketCaller:
        async with running_ivr(random_model, tmp_path / "prompts") as servers:
            caller = await AudioSocketCaller("127.0.0.1", servers.audiosocket_ports[1]).connect()
            await caller.send_audio(keypresses("62"))  # outage > planned work: an answer, then bye
            sending = asyncio.create_task(caller.send_audio(silence(20.0)))
            await caller.wait_closed(CALL_LIMIT_S)
            sending.cancel()
            return caller

    caller = asyncio.run(scenario())
    assert caller.server_hung_up
    assert len(caller.received) > 2 * 8000  # the goodbye was played before the hang-up
