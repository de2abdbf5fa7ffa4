"""The domain text the word bigram is estimated from (``lm_corpus.toml``)."""

from __future__ import annotations

import re
from pathlib import Path

from ivr.datafile import DataFileError, key_line, load_toml, table_line
from ivr.modelbuild.vocab import normalise_word

CORPUS_FILE = Path(__file__).with_name("lm_corpus.toml")

_LETTERS = {"en": "a-z", "ru": "а-яё"}
_PUNCTUATION = re.compile(r"[.,!?;:]")


def sentence_words(line: str) -> list[str]:
    """Normalised words of a sentence; punctuation . , ! ? ; : is dropped."""
    return [normalise_word(w) for w in _PUNCTUATION.sub(" ", line).split()]


def load_corpus(lang: str, path: Path = CORPUS_FILE) -> list[list[str]]:
    """The sentences of ``lang`` as lists of normalised words (blank lines skipped)."""
    data, lines = load_toml(path)
    if lang not in _LETTERS:
        raise ValueError(f"no corpus rules for language {lang!r}; known: {sorted(_LETTERS)}")
    table = data.get(lang)
    start = table_line(lines, lang, 0)
    if not isinstance(table, dict) or not isinstance(table.get("sentences"), str):
        raise DataFileError(path, start, f'[{lang}] needs a sentences = """...""" string')
    first = key_line(lines, start, "sentences")
    if first is not None and lines[first - 1].rstrip().endswith('"""'):
        first += 1  # TOML drops the newline right after the opening quotes
    word = re.compile(rf"^[{_LETTERS[lang]}]+(?:['-][{_LETTERS[lang]}]+)*$")
    out: list[list[str]] = []
    for offset, raw in enumerate(table["sentences"].splitlines()):
        words = sentence_words(raw)
        bad = [w for w in words if not word.match(w)]
        if bad:
            line = first + offset if first is not None else None
            raise DataFileError(path, line, f"[{lang}] not a word of the language: {bad[0]!r}")
        if words:
            out.append(words)
    if not out:
        raise DataFileError(path, start, f"[{lang}] has no sentences")
    return out
