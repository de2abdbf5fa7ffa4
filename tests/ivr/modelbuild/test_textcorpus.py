from __future__ import annotations

from pathlib import Path

import pytest

from ivr.datafile import DataFileError
from ivr.modelbuild.textcorpus import load_corpus, sentence_words


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_builders_corpus_loads(lang: str) -> None:
    sentences = load_corpus(lang)
    assert len(sentences) >= 100
    assert all(w == w.lower() and "ё" not in w for s in sentences for w in s)


def test_words_are_normalised_and_punctuation_dropped() -> None:
    assert sentence_words("Алло? Всё, ЁЛКИ!") == ["алло", "все", "елки"]
    assert sentence_words("i can't, okay.") == ["i", "can't", "okay"]


def test_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "corpus.toml"
    path.write_text('[en]\nsentences = """\nhello there\ncall me at 5 pm\n"""\n', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"corpus\.toml:4: .*'5'"):
        load_corpus("en", path)
    with pytest.raises(DataFileError, match=r"corpus\.toml:1: \[ru\]"):
        path.write_text("[ru]\nsentences = 3\n", encoding="utf-8")
        load_corpus("ru", path)
    with pytest.raises(ValueError, match="language"):
        load_corpus("xx", path)
