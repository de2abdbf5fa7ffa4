"""Callers who speak to the menu, over AudioSocket, recognised by real vosk on a
small model the test builds (the project's builder, fast preset): a word
chooses a branch, "operator" always works, and a caller who swears at the
second prompt is fast-tracked with the word named as the reason."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from ivr import events as ev
from ivr.modelbuild import build_model
from ivr.modelbuild.synth import SpeechStyle, espeak_available, synthesize
from ivr.telephony.clients import AudioSocketCaller

from .harness import RATE_HZ, Screen, running_ivr, silence

WORDS = {
    "ru": ["интернет", "оператор", "идиоты", "да", "нет"],
    "en": ["internet", "mobile", "operator", "idiots", "yes", "no"],
}
# (a branch of the main menu, the operator word, an insult, the insult's keyword)
SAYS = {
    "ru": ("интернет", "оператор", "вы идиоты", "идиоты"),
    "en": ("internet", "operator", "you idiots", "idiots"),
}
VOICE = {"ru": "ru", "en": "en-us"}
LISTENER = {"ru": 0, "en": 1}


@pytest.fixture(scope="module", params=["ru", "en"])
def speech_model(request: pytest.FixtureRequest, tmp_path_factory) -> tuple[str, Path]:
    if not espeak_available():
        pytest.skip("espeak-ng not installed")
    lang = request.param
    out = tmp_path_factory.mktemp(f"ivr-model-{lang}") / "model"
    build_model(lang, WORDS[lang], out, seed=1, preset="fast", progress=False)
    return lang, out


def say(text: str, lang: str) -> bytes:
    audio = synthesize(text, SpeechStyle(VOICE[lang]), rate_hz=RATE_HZ)
    return np.clip(audio, -32768, 32767).astype("<i2").tobytes()


async def _call(
    model: Path, prompts: Path, lang: str, *utterances: str
) -> tuple[ev.IvrAction, list]:
    async with running_ivr(model, prompts) as servers:
        async with Screen(servers.hub_port, "a1") as screen:
            caller = await AudioSocketCaller(
                "127.0.0.1", servers.audiosocket_ports[LISTENER[lang]]
            ).connect()
            for text in utterances:
                await caller.send_audio(silence(0.6) + say(text, lang) + silence(1.2))
            sending = asyncio.create_task(caller.send_audio(silence(6.0)))
            handoff = await screen.wait_for_handoff(15)
            sending.cancel()
            await caller.hangup()
            return handoff, screen.events


def test_a_spoken_choice_then_operator(speech_model: tuple[str, Path], tmp_path: Path) -> None:
    lang, model = speech_model
    choice, operator, _, _ = SAYS[lang]
    handoff, _ = asyncio.run(_call(model, tmp_path / "prompts", lang, choice, operator))
    assert handoff.detail["queue"] == "general"  # the operator queue
    assert handoff.detail["path"].startswith("main > internet")
    assert choice in handoff.detail["heard"] and operator in handoff.detail["heard"]
    assert handoff.detail["fast_tracked"] == "no"


def test_a_caller_who_swears_at_the_second_prompt_is_fast_tracked(
    speech_model: tuple[str, Path], tmp_path: Path
) -> None:
    lang, model = speech_model
    choice, _, insult, keyword = SAYS[lang]
    handoff, events = asyncio.run(_call(model, tmp_path / "prompts", lang, choice, insult))
    assert handoff.detail["fast_tracked"] == "yes"
    assert (handoff.detail["queue"], handoff.detail["priority"]) == ("senior", "10")
    assert "keyword:" in handoff.detail["anger"] and keyword in handoff.detail["reason"]
    assert handoff.detail["path"].startswith("main > internet")
    assert choice in handoff.detail["heard"]  # the agent sees what the caller said
    assert any(isinstance(e, ev.AngerUpdate) and e.level is not ev.AngerLevel.CALM for e in events)
