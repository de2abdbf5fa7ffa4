import os
import subprocess
import sys
from pathlib import Path

import pytest
import vosk

from ivr.asr import models
from ivr.asr.models import MODEL_ENV, ModelNotFound, resolve_model


@pytest.fixture
def vosk_dirs(tmp_path, monkeypatch):
    cache = tmp_path / "vosk-cache"
    cache.mkdir()
    monkeypatch.setattr(vosk, "MODEL_DIRS", [None, str(cache)])
    monkeypatch.delenv(MODEL_ENV, raising=False)
    return cache


def test_explicit_path_wins(tmp_path, vosk_dirs, monkeypatch):
    monkeypatch.setenv(MODEL_ENV, str(tmp_path))
    assert resolve_model(vosk_dirs, "ru") == models.ResolvedModel(vosk_dirs, "explicit")


def test_environment_then_vosk_cache_then_build(tmp_path, vosk_dirs, monkeypatch):
    published = vosk_dirs / "vosk-model-small-ru-0.22"
    published.mkdir()
    assert resolve_model(None, "ru") == models.ResolvedModel(published, "vosk-cache")
    assert (
        resolve_model(None, "en", build=lambda lang: tmp_path / f"built-{lang}").origin == "built"
    )
    monkeypatch.setenv(MODEL_ENV, str(tmp_path))
    assert resolve_model(None, "ru").origin == "environment"


def test_language_pattern_does_not_confuse_languages(vosk_dirs):
    (vosk_dirs / "vosk-model-small-en-us-0.15").mkdir()
    assert models.find_cached_published_model("en") is not None
    assert models.find_cached_published_model("e") is None
    assert models.find_cached_published_model("ru") is None


@pytest.mark.parametrize(
    ("model", "lang", "expected"),
    [
        ("/no/such/model", "ru", "does not exist"),
        (None, None, "--lang"),
        (None, "en", "no vosk model"),
    ],
)
def test_nothing_usable_says_what_to_do(vosk_dirs, model, lang, expected):
    with pytest.raises(ModelNotFound) as info:
        resolve_model(model, lang)
    assert expected in str(info.value)
    assert "ivr-assist build-model" in str(info.value) and "--model PATH" in str(info.value)


def test_offline_download_through_vosk_gives_a_message(vosk_dirs, monkeypatch):
    # vosk's own downloader, pointed at a closed local port: the offline path, for real.
    monkeypatch.setattr(vosk, "MODEL_LIST_URL", "http://127.0.0.1:9/model-list.json")
    with pytest.raises(ModelNotFound, match="could not download the vosk model for 'ru'"):
        resolve_model(None, "ru", allow_download=True)


def test_command_line_prints_the_advice_not_a_traceback(tmp_path):
    from ivr.sources import write_wav

    # a real recording: analyze checks its files before it looks for a model
    write_wav(tmp_path / "x.wav", bytes(3200), 8000)
    env = {**os.environ, MODEL_ENV: ""}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "assist",
            "analyze",
            str(tmp_path / "x.wav"),
            "--model",
            str(tmp_path / "none"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parents[3],
        timeout=120,
    )
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "To use a real speech model" in result.stderr
    assert "Traceback" not in result.stderr
