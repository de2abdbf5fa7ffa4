"""A prompt the renderer already holds (the welcome every caller hears) is
played without a trip to the recognition pool, where it would queue behind
the callers' audio; the first render still runs there, off the event loop."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from ivr.prompts import PromptRenderer
from ivr.telephony.clients import AudioSocketCaller

from .harness import running_ivr, silence


def test_a_held_prompt_plays_without_a_trip_to_a_worker(
    random_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered_in: list[int] = []
    plain = PromptRenderer.render

    def render(self: PromptRenderer, text: str, language: str, rate_hz: int) -> bytes:
        rendered_in.append(threading.get_ident())
        return plain(self, text, language, rate_hz)

    monkeypatch.setattr(PromptRenderer, "render", render)

    async def one_call(port: int) -> bytes:
        caller = await AudioSocketCaller("127.0.0.1", port).connect()
        await caller.send_audio(silence(1.0))
        await caller.hangup()
        return bytes(caller.received)

    async def scenario() -> tuple[int, bytes, int, bytes]:
        loop_thread = threading.get_ident()
        async with running_ivr(random_model, tmp_path / "prompts") as servers:
            port = servers.audiosocket_ports[0]
            first = await one_call(port)
            renders = len(rendered_in)
            second = await one_call(port)
            await asyncio.sleep(0.1)
            return loop_thread, first, renders, second

    loop_thread, first, renders, second = asyncio.run(scenario())
    assert renders >= 1 and loop_thread not in rendered_in  # the first: in a worker
    assert len(rendered_in) == renders  # the second call's welcome: from memory
    assert len(first) > 8000 and second[:8000] == first[:8000]  # the same welcome
