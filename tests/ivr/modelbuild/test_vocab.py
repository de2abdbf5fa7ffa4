from __future__ import annotations

from pathlib import Path

import pytest

from ivr.modelbuild.vocab import normalise_vocabulary, normalise_word, read_vocabulary_file


def test_normalise_lowercases_and_folds_yo() -> None:
    assert normalise_word("  Ещё ") == "еще"
    assert normalise_word("YES") == "yes"


def test_vocabulary_deduplicates_in_order() -> None:
    assert normalise_vocabulary(["Да", "нет", "да", "ёлка", "елка"]) == ["да", "нет", "елка"]


def test_reserved_and_empty_words_rejected() -> None:
    for bad in (["<eps>"], ["[unk]"], ["#0"], []):
        with pytest.raises(ValueError):
            normalise_vocabulary(bad)


def test_read_file_with_comments(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_text("# digits\nОдин\nдва  # two\n\nтри\n", encoding="utf-8")
    assert read_vocabulary_file(path) == ["один", "два", "три"]


def test_read_file_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_text("yes\nnot one word\n")
    with pytest.raises(ValueError, match=r"v\.txt:2"):
        read_vocabulary_file(path)
    with pytest.raises(ValueError, match="not found"):
        read_vocabulary_file(tmp_path / "missing.txt")
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="UTF-8"):
        read_vocabulary_file(path)
