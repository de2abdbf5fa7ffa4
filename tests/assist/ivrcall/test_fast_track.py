"""A caller who speaks calmly at the first prompt and shouts at the second is
taken out of the menu and put at the front of the senior queue; the seat's
screen receives why (the anger core's prosody reasons)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ivr import events as ev
from ivr.menu.reasons import load_reason_texts
from ivr.telephony.clients import AudioSocketCaller

from .harness import Screen, key, running_ivr, silence, spoken

SCRIPT = {
    # (listener index, voice, calm words, shouted words)
    "ru": (0, "ru", "у меня не работает интернет", "да сколько можно это терпеть, вы издеваетесь"),
    "en": (1, "en-us", "my internet is not working", "how long do I have to put up with this"),
}
CALM = ["-s", "150", "-p", "40"]
SHOUT = ["-s", "230", "-p", "85", "-a", "200"]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_caller_who_shouts_at_the_second_prompt_is_fast_tracked(
    random_model: Path, tmp_path: Path, lang: str
) -> None:
    listener, voice, calm_text, shout_text = SCRIPT[lang]
    calm = spoken(tmp_path / "calm.wav", calm_text, voice, CALM, -6)
    shout = spoken(tmp_path / "shout.wav", shout_text, voice, SHOUT, 0)

    async def scenario() -> tuple[ev.IvrAction, list[ev.Event]]:
        async with running_ivr(random_model, tmp_path / "prompts") as servers:
            async with Screen(servers.hub_port, "a1") as screen:
                caller = await AudioSocketCaller(
                    "127.0.0.1", servers.audiosocket_ports[listener]
                ).connect()
                audio = silence(0.5) + calm + silence(0.5) + key("1") + silence(0.8)
                await caller.send_audio(audio + shout + silence(0.5))
                sending = asyncio.create_task(caller.send_audio(silence(4.0)))
                handoff = await screen.wait_for_handoff(10)
                sending.cancel()
                await caller.hangup()
                return handoff, screen.events

    handoff, events = asyncio.run(scenario())
    assert handoff.detail["fast_tracked"] == "yes"
    assert (handoff.detail["queue"], handoff.detail["priority"]) == ("senior", "10")
    assert handoff.detail["path"].startswith("main > internet")
    # The reason is written for the agent in the caller's language; the kinds stay in "anger".
    levels = load_reason_texts(lang).levels
    assert handoff.detail["reason"].startswith((levels["tense"], levels["angry"]))
    assert any(kind in handoff.detail["anger"] for kind in ("pitch", "loudness", "brightness"))
    # The screen has the anger that caused it, not only the verdict.
    assert any(isinstance(e, ev.AngerUpdate) and e.level is not ev.AngerLevel.CALM for e in events)
