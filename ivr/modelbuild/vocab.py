"""Vocabulary rules: normalisation and reading one-word-per-line files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

UNK_WORD = "[unk]"
_RESERVED = {"<eps>", "<s>", "</s>", "#0", UNK_WORD}


def normalise_word(word: str) -> str:
    """Lowercase, trim, and fold Russian ``ё`` into ``е`` (recognisers and
    lexicons rarely agree on ``ё``, so the model never outputs it)."""
    return word.strip().lower().replace("ё", "е")


def check_word(word: str) -> None:
    if not word:
        raise ValueError("empty word")
    if any(ch.isspace() for ch in word):
        raise ValueError(f"word {word!r} contains whitespace; one word per entry")
    if word in _RESERVED or word.startswith("#"):
        raise ValueError(f"word {word!r} is reserved")


def normalise_vocabulary(words: Iterable[str]) -> list[str]:
    """Normalised, validated, de-duplicated words in first-seen order."""
    seen: dict[str, None] = {}
    for raw in words:
        word = normalise_word(raw)
        check_word(word)
        seen.setdefault(word, None)
    if not seen:
        raise ValueError("the vocabulary is empty")
    return list(seen)


def read_vocabulary_file(path: Path) -> list[str]:
    """One word per line; ``#`` starts a comment; blank lines ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: vocabulary file not found") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: vocabulary file is not UTF-8 text") from None
    words: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if len(line.split()) != 1:
            raise ValueError(f"{path}:{number}: one word per line, got {line!r}")
        try:
            check_word(normalise_word(line))
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
        words.append(line)
    if not words:
        raise ValueError(f"{path}: vocabulary file has no words")
    return normalise_vocabulary(words)
