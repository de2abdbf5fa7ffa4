"""No keys in speech (the fixture calls, espeak-ng sentences), and a key pressed
between two stretches of speech is found once, at the right time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio_fixtures import ensure_fixtures
from ivr.dtmf import DtmfDetector, dtmf_tone
from ivr.prompts import PromptRenderer
from ivr.sources.wav import read_audio

from .keypresses import detect, keys, silence

SENTENCES = {
    "ru": [
        "Здравствуйте! Я звоню уже третий раз, интернет не работает три дня.",
        "Один, два, три, четыре, пять, шесть, семь, восемь, девять, ноль. Решётка, звёздочка.",
        "Соедините меня с оператором, пожалуйста, это просто безобразие!",
    ],
    "en": [
        "Hello, I am calling for the third time, my internet has been down for three days.",
        "One, two, three, four, five, six, seven, eight, nine, zero. Star, hash, pound.",
        "Put me through to a person right now, this is ridiculous!",
    ],
}


@pytest.fixture(scope="module")
def renderer(tmp_path_factory) -> PromptRenderer:
    return PromptRenderer(tmp_path_factory.mktemp("prompts"))


def fixture_calls() -> list[Path]:
    folder = ensure_fixtures()
    calls = sorted(folder.glob("*.16k.wav")) + sorted(folder.glob("*.8k.stereo.wav"))
    assert len(calls) >= 6
    return calls


def test_no_keys_in_the_fixture_calls() -> None:
    checked_s = 0.0
    for path in fixture_calls():
        samples, rate_hz = read_audio(path)
        for channel in range(samples.shape[1]):
            voice = samples[:, channel]
            for gain in (1.0, 4.0):  # as recorded, and 12 dB hotter (clipping)
                loud = np.clip(voice.astype(np.int32) * gain, -32768, 32767).astype(np.int16)
                found = detect(loud, rate_hz)
                assert found == [], f"{path.name} channel {channel} gain {gain}: {found}"
                checked_s += loud.size / rate_hz
    assert checked_s > 400  # minutes of speech, not an empty folder


@pytest.mark.parametrize("rate_hz", [8000, 16000])
@pytest.mark.parametrize("language", ["ru", "en"])
def test_no_keys_in_espeak_sentences(renderer: PromptRenderer, language: str, rate_hz: int) -> None:
    for text in SENTENCES[language]:
        speech = np.frombuffer(renderer.render(text, language, rate_hz), dtype="<i2")
        assert speech.size > rate_hz  # a real sentence
        for gain in (1.0, 0.1):  # at -3 dBFS peak and 20 dB quieter
            quiet = np.rint(speech * gain).astype(np.int16)
            assert detect(quiet, rate_hz) == [], (text, gain)


@pytest.mark.parametrize("rate_hz", [8000, 16000])
def test_key_between_speech_is_found_once_at_its_time(
    renderer: PromptRenderer, rate_hz: int
) -> None:
    before = np.frombuffer(renderer.render(SENTENCES["en"][0], "en", rate_hz), dtype="<i2")
    after = np.frombuffer(renderer.render(SENTENCES["ru"][2], "ru", rate_hz), dtype="<i2")
    press_s = before.size / rate_hz + 0.05
    signal = np.concatenate(
        (before, silence(rate_hz, 0.05), dtmf_tone("5", rate_hz, 0.1, -12.0), after)
    )
    detector = DtmfDetector(rate_hz)
    found = []
    piece = rate_hz // 50  # 20 ms pieces, as a telephone line delivers them
    for start in range(0, signal.size, piece):
        found += detector.feed(signal[start : start + piece])
    found += detector.flush()
    assert keys(found) == "5"
    assert found[0].start_s == pytest.approx(press_s, abs=0.03)
    assert found[0].end_s == pytest.approx(press_s + 0.1, abs=0.03)
