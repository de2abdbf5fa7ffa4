"""The speech models shipped with the project: current with today's builder
and vocabulary (else this fails: rebuild them), small, used on a first run
without building anything, and good enough to tell a call's language."""

from __future__ import annotations

import pytest

import ivr.asr.models
import ivr.modelbuild
from assist import shipped_models
from assist.cli import main
from assist.engines import load_engine
from assist.offline import run_recording
from audio_fixtures import FIXTURE_DIR, ensure_fixtures
from ivr import events as ev
from ivr.modelbuild.cache import read_manifest

LANGS = ["ru", "en"]
REBUILD = "python -m assist.shipped_models --lang {lang}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_shipped_model_is_current_and_small(lang):
    reason = shipped_models.stale_reason(lang)
    assert reason is None, f"the shipped {lang} model is stale ({reason}); rebuild: " + (
        REBUILD.format(lang=lang)
    )
    model = shipped_models.shipped_model_dir(lang)
    assert shipped_models.model_bytes(model) < shipped_models.MAX_MODEL_BYTES
    manifest = read_manifest(model)
    assert manifest is not None and len(manifest["builder_fingerprint"]) == 16


def test_a_changed_vocabulary_or_builder_makes_it_stale(monkeypatch):
    real = shipped_models.wanted_manifest
    monkeypatch.setattr(
        shipped_models,
        "wanted_manifest",
        lambda lang: {**real(lang), "words": [*real(lang)["words"], "новословие"]},
    )
    assert "another vocabulary" in (shipped_models.stale_reason("ru") or "")
    assert shipped_models.shipped_model("ru") is None
    monkeypatch.setattr(
        shipped_models, "wanted_manifest", lambda lang: {**real(lang), "builder_source": "0" * 16}
    )
    assert "another builder" in (shipped_models.stale_reason("ru") or "")


@pytest.fixture
def fresh_machine(monkeypatch, tmp_path):
    """No published vosk model, an empty cache, and no building allowed."""
    monkeypatch.delenv(ivr.asr.models.MODEL_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(ivr.asr.models, "vosk_model_dirs", lambda: [tmp_path / "vosk"])

    def no_build(*args, **kwargs):
        raise AssertionError("a first run must not build a model")

    monkeypatch.setattr(ivr.modelbuild, "ensure_built_model", no_build)


@pytest.mark.parametrize(("lang", "word"), [("ru", "интернет"), ("en", "internet")])
def test_a_first_run_uses_the_shipped_model_and_hears_the_call(fresh_machine, lang, word):
    engine = load_engine(lang, progress=False)
    assert engine.model_dir == shipped_models.shipped_model_dir(lang)
    ensure_fixtures()
    run = run_recording(FIXTURE_DIR / f"{lang}_escalating.16k.wav", engine)
    heard = " ".join(e.text for e in run.events if isinstance(e, ev.TranscriptFinal))
    assert word in heard.split(), heard


def test_a_call_analysed_in_the_wrong_language_gets_a_warning(fresh_machine, capsys):
    ensure_fixtures()
    english = FIXTURE_DIR / "en_angry.8k.stereo.wav"
    russian = FIXTURE_DIR / "ru_angry.8k.stereo.wav"
    assert main(["analyze", str(english), str(russian), "--lang", "ru"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "en_angry" in warnings[0] and "--lang" in warnings[0]
