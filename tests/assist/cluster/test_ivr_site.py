"""``ivr --broker``: a caller waiting in one IVR node's queue is taken by a
free seat of another node, exactly once, and that seat's screen (on its own
node) opens with the IVR context; the second caller gets the seat when the
first hangs up."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

from assist.ivrcall.command import IvrOptions, IvrServers, Listener, run_ivr
from assist.serve import ServeOptions
from ivr import events as ev
from ivr.menu.loader import example_menu_path
from ivr.telephony.clients import AudioSocketCaller

from ..ivrcall.harness import Screen, keypresses, silence

CALL_LIMIT_S = 40


@contextlib.asynccontextmanager
async def ivr_node(
    model: Path, cache: Path, broker: str, seats: tuple[str, ...]
) -> AsyncIterator[IvrServers]:
    stop = asyncio.Event()
    ready: asyncio.Future[IvrServers] = asyncio.get_running_loop().create_future()
    options = IvrOptions(
        menu_path=example_menu_path(),
        hub=ServeOptions(port=0, model=model, log_events=False, use_store=False, broker=broker),
        audiosocket=(Listener("127.0.0.1", 0, "en"),),
        media_ws=None,
        seats=seats,
        prompt_cache=cache,
    )
    task = asyncio.create_task(run_ivr(options, stop, ready.set_result))
    done, _ = await asyncio.wait({task, ready}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()
    try:
        yield ready.result()
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def _handoffs(screen: Screen) -> list[ev.IvrAction]:
    return [e for e in screen.events if isinstance(e, ev.IvrAction) and e.action == "handoff"]


def test_a_seat_on_one_node_takes_the_callers_of_another(random_model, tmp_path, nats_server):
    async def scenario():
        cache = tmp_path / "prompts"
        async with (
            ivr_node(random_model, cache, nats_server.url, ()) as front,
            ivr_node(random_model, cache, nats_server.url, ("b1",)) as back,
        ):
            await asyncio.sleep(1.0)  # both joined the site
            async with Screen(back.hub_port, "b1") as screen:
                port = front.audiosocket_ports[0]
                first = await AudioSocketCaller("127.0.0.1", port).connect()
                second = await AudioSocketCaller("127.0.0.1", port).connect()
                await asyncio.gather(
                    first.send_audio(keypresses("0")), second.send_audio(keypresses("0"))
                )
                await screen.wait_for_handoff(CALL_LIMIT_S)
                await asyncio.sleep(1.0)
                assert len(_handoffs(screen)) == 1  # one seat, one caller at a time
                talking = _handoffs(screen)[0].call_id
                hung_up, waiting = (first, second) if talking == first.call_id else (second, first)
                await hung_up.hangup()
                for _ in range(int(CALL_LIMIT_S / 0.5)):
                    if len(_handoffs(screen)) == 2:
                        break
                    await waiting.send_audio(silence(0.5))
                handoffs = _handoffs(screen)
                await waiting.hangup()
                return handoffs, talking, waiting.call_id

    handoffs, first, second = asyncio.run(scenario())
    assert [h.call_id for h in handoffs] == [first, second]  # each taken once, in turn
    assert all(h.detail["seat"] == "b1" for h in handoffs)
    assert all(dataclasses.asdict(h)["detail"].get("path") for h in handoffs)
