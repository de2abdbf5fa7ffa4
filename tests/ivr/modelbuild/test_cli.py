from __future__ import annotations

from pathlib import Path

import pytest

from ivr.modelbuild import validate_model_dir
from ivr.modelbuild.cli import main
from ivr.modelbuild.synth import espeak_available


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng not installed")
def test_builds_from_vocabulary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vocab = tmp_path / "words.txt"
    vocab.write_text("# yes and no\nда\nнет\n", encoding="utf-8")
    out = tmp_path / "model"
    args = ["--lang", "ru", "--vocab", str(vocab), "--out", str(out), "--preset", "fast"]
    assert main([*args, "--quiet"]) == 0
    validate_model_dir(out)
    assert "wrote" in capsys.readouterr().out


def test_bad_vocabulary_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vocab = tmp_path / "words.txt"
    vocab.write_text("да\nдва слова\n", encoding="utf-8")
    code = main(["--lang", "ru", "--vocab", str(vocab), "--out", str(tmp_path / "m"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert str(vocab) in err and ":2:" in err
