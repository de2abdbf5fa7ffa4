"""In headless Chromium: the seat's agent page opens a fast-tracked IVR call
with the menu path and why the caller skipped the queue, before hello."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from ivr.telephony.clients import AudioSocketCaller

from .harness import keypresses, running_ivr, silence


def test_seat_page_shows_why_a_frustrated_caller_was_fast_tracked(
    browser, random_model: Path, tmp_path: Path
) -> None:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    ports: asyncio.Queue = asyncio.Queue()
    stop = threading.Event()

    async def ivr() -> None:
        async with running_ivr(random_model, tmp_path / "prompts") as servers:
            await ports.put(servers)
            while not stop.is_set():
                await asyncio.sleep(0.05)

    running = asyncio.run_coroutine_threadsafe(ivr(), loop)
    servers = asyncio.run_coroutine_threadsafe(ports.get(), loop).result(120)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"http://127.0.0.1:{servers.hub_port}/agent?seat=a1")
        page.wait_for_function("document.getElementById('status').textContent !== 'connecting…'")

        async def caller() -> AudioSocketCaller:
            # Russian line; "internet", then two keys the menu does not have.
            call = await AudioSocketCaller("127.0.0.1", servers.audiosocket_ports[0]).connect()
            await call.send_audio(keypresses("188"))
            await call.send_audio(silence(2.0))
            return call

        call = asyncio.run_coroutine_threadsafe(caller(), loop).result(60)
        page.wait_for_selector("#ivr:not([hidden])", timeout=15000)
        fast = page.inner_text("#ivr-fast")
        path = page.inner_text("#ivr-path")
        queue = page.inner_text("#ivr-queue")
        heading = page.text_content("#h-ivr")
        page.screenshot(path=str(_screenshots() / "agent-ivr-fast-track.png"))
        board = browser.new_page()
        board.on("pageerror", lambda exc: errors.append(str(exc)))
        board.goto(f"http://127.0.0.1:{servers.hub_port}/supervisor")
        board.wait_for_selector(f'tr[data-call="{call.call_id}"] td.state')
        stage = board.inner_text(f'tr[data-call="{call.call_id}"] td.state')
        board.close()
        asyncio.run_coroutine_threadsafe(call.hangup(), loop).result(10)
    finally:
        page.close()
        stop.set()
        running.result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
    assert heading == "До вас: голосовое меню"  # the page speaks the call's language
    assert fast.startswith("Без очереди") and "2" in fast
    assert path.startswith("Главное меню > ")  # the nodes' titles in the caller's language
    assert queue == "senior (10)"
    assert stage == "agent a1"  # the dashboard says where the IVR call is
    assert errors == []


def _screenshots() -> Path:
    folder = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
