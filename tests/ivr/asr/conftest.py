"""Real recorded speech (Debian's Asterisk prompts) and the real Whisper base
model, for the Whisper engine's tests. Both are installed by
``scripts/setup.sh --test``; where they cannot be, the tests say why."""

import importlib.util

import pytest

from bench.real_speech_corpus import Prompt, missing_packages, prompts


@pytest.fixture(scope="session")
def whisper_engine():
    if importlib.util.find_spec("faster_whisper") is None:
        pytest.skip("faster-whisper is not installed (scripts/setup.sh --test installs it)")
    from ivr.asr.whisper_engine import WhisperEngine
    from ivr.asr.whisper_model import resolve_whisper_model

    return WhisperEngine(resolve_whisper_model().path, "", cpu_threads=2)


@pytest.fixture(scope="session")
def asterisk_prompt():
    missing = missing_packages()
    if missing:
        pytest.skip(f"Debian packages not installed: {' '.join(missing)}")

    def find(lang: str, name: str) -> Prompt:
        return next(p for p in prompts(lang) if p.name == name)

    return find
