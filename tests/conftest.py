"""Shared fixtures: a random-weight vosk model the suite writes itself, and
espeak-ng speech at a chosen rate."""

import subprocess
import wave
from pathlib import Path

import pytest

from ivr.modelbuild import write_random_model

WORDS = ["internet", "down", "three", "days", "calling", "third", "time", "yes", "no"]


@pytest.fixture(scope="session")
def random_model_words() -> list[str]:
    return list(WORDS)


@pytest.fixture(scope="session")
def random_model(tmp_path_factory) -> Path:
    return write_random_model(tmp_path_factory.mktemp("model") / "m", WORDS, seed=1)


def speak(path: Path, text: str, rate_hz: int) -> bytes:
    """espeak-ng speech at ``rate_hz`` (sox sets the rate), as PCM16 bytes."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "en", "-w", str(raw), text], check=True)
    subprocess.run(
        ["sox", str(raw), "-r", str(rate_hz), "-b", "16", "-c", "1", str(path)], check=True
    )
    with wave.open(str(path)) as w:
        assert w.getframerate() == rate_hz
        return w.readframes(w.getnframes())


@pytest.fixture(scope="session")
def speech_16k(tmp_path_factory) -> bytes:
    return speak(
        tmp_path_factory.mktemp("audio") / "s16.wav",
        "internet down three days. calling third time",
        16000,
    )


@pytest.fixture(scope="session")
def speech_8k(tmp_path_factory) -> bytes:
    return speak(
        tmp_path_factory.mktemp("audio") / "s8.wav",
        "internet down three days. calling third time",
        8000,
    )
