from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ivr.modelbuild import validate_model_dir, write_random_model
from ivr.modelbuild.evaluate import Decoded, load_model, stream_decode
from ivr.modelbuild.synth import SpeechStyle, synthesize

WORDS = ["one", "two", "three", "yes", "no", "hello", "operator"]
UTTERANCE = "hello operator, one two three. yes no"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_random_model(tmp_path_factory.mktemp("random") / "model", WORDS, seed=3)


def _check_words(result: Decoded, duration_s: float) -> None:
    words = result.words
    assert words, "expected at least one recognised word"
    last_end = 0.0
    for w in words:
        assert w["word"] in WORDS
        assert 0.0 <= w["start"] < w["end"] <= duration_s + 0.05
        assert w["start"] >= last_end - 1e-6
        assert 0.0 <= w["conf"] <= 1.0
        last_end = w["end"]


def test_writes_complete_valid_directory(model_dir: Path) -> None:
    for rel in (
        "am/final.mdl",
        "conf/model.conf",
        "conf/mfcc.conf",
        "graph/HCLG.fst",
        "graph/words.txt",
        "graph/phones/word_boundary.int",
        "README.md",
    ):
        assert (model_dir / rel).is_file(), rel
    mfcc = (model_dir / "conf" / "mfcc.conf").read_text().split()
    assert "--allow-upsample=true" in mfcc and "--dither=0" in mfcc
    assert "--frame-subsampling-factor=3" in (model_dir / "conf" / "model.conf").read_text()
    assert (model_dir / "graph" / "words.txt").read_text().startswith("<eps> 0\n")
    assert "random" in (model_dir / "README.md").read_text().lower()
    validate_model_dir(model_dir)


@pytest.mark.usefixtures("espeak")
@pytest.mark.parametrize("rate_hz", [16000, 8000])
def test_streams_partial_and_final_with_word_times(model_dir: Path, rate_hz: int) -> None:
    audio = synthesize(UTTERANCE, SpeechStyle("en-us"), rate_hz=rate_hz)
    audio = np.concatenate([audio, np.zeros(rate_hz // 2, dtype=np.float32)])
    result = stream_decode(load_model(model_dir), audio, rate_hz)
    assert any(p.get("partial") for p in result.partials), "no partial text while streaming"
    assert any(p.get("partial_result") for p in result.partials), "no partial word timings"
    _check_words(result, len(audio) / rate_hz)


def test_same_seed_same_model_other_seed_differs(tmp_path: Path) -> None:
    a = write_random_model(tmp_path / "a", WORDS, seed=1)
    b = write_random_model(tmp_path / "b", WORDS, seed=1)
    c = write_random_model(tmp_path / "c", WORDS, seed=2)
    mdl = "am/final.mdl"
    assert (a / mdl).read_bytes() == (b / mdl).read_bytes()
    assert (a / mdl).read_bytes() != (c / mdl).read_bytes()


def test_8k_model_rate(tmp_path: Path) -> None:
    path = write_random_model(tmp_path / "m8", WORDS, rate_hz=8000)
    assert "--sample-frequency=8000" in (path / "conf" / "mfcc.conf").read_text()
    validate_model_dir(path)


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rate_hz"):
        write_random_model(tmp_path / "x", WORDS, rate_hz=44100)
    with pytest.raises(ValueError, match="empty"):
        write_random_model(tmp_path / "y", [])
    with pytest.raises(ValueError, match="whitespace"):
        write_random_model(tmp_path / "z", ["two words"])
