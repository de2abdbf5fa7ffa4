from __future__ import annotations

from pathlib import Path

import pytest

from assist.anger.reasons import KINDS, reason_texts
from ivr.datafile import DataFileError


def test_every_reason_kind_has_a_text_in_both_languages() -> None:
    for lang in ("ru", "en"):
        texts = reason_texts(lang)
        for kind in KINDS:
            text = texts.render(
                kind, pct=25.0, st=3.0, db=6.0, hz=250.0, seconds=5.0,
                words="w", label="l", times="",
            )  # fmt: skip
            assert text.strip()


def test_russian_calls_read_russian_reasons() -> None:
    text = reason_texts("ru").render("pitch", pct=41.0)
    assert "41" in text and "тон" in text
    assert reason_texts("en").render("pitch", pct=41.0).startswith("pitch +41 %")


def test_other_languages_fall_back_to_english() -> None:
    assert reason_texts("de").render("talk_over", seconds=4.0) == reason_texts("en").render(
        "talk_over", seconds=4.0
    )


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "reasons.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_bad_placeholder_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    lines = [f'{k} = "x"' for k in KINDS]
    lines[KINDS.index("loudness")] = 'loudness = "louder by {decibels} dB"'
    path = _write(tmp_path, "[en]\n" + "\n".join(lines) + "\n")
    with pytest.raises(DataFileError) as err:
        reason_texts("en", path)
    assert f"{path}:{KINDS.index('loudness') + 2}:" in str(err.value)
    assert "loudness" in str(err.value)


def test_a_missing_kind_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, '[en]\npitch = "p"\n')
    with pytest.raises(DataFileError, match="needs a text for"):
        reason_texts("en", path)
