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


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium (never a downloaded one), driven by Playwright.

    Module-scoped and closed: Playwright's sync API keeps an event loop
    running on the main thread while it is open, which would break later
    asyncio.run() tests."""
    import shutil

    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
