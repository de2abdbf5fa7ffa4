"""The vocabulary the project's own speech model is built for: digits and
yes/no, the anger lexicon's keywords (one form of each), the IVR menus' words
and every word the demo's calls say.

The demo's call texts come through a data path, not an import of the test
fixtures: a calls file in the fixture generator's format (``[[calls]]`` with
``language`` and ``turns`` of ``{ customer = "..." }`` / ``{ agent = "..." }``),
``$IVR_ASSIST_CALL_TEXTS`` or else the repository's ``audio_fixtures/calls.toml``
(skipped when the product is installed without it).
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from ivr.datafile import DataFileError, load_toml
from ivr.tomllines import KeyLines

CALL_TEXTS_ENV = "IVR_ASSIST_CALL_TEXTS"
REPO_CALL_TEXTS = Path(__file__).resolve().parents[1] / "audio_fixtures" / "calls.toml"
_WORD = re.compile(r"[^\W\d_]+")  # letters only: punctuation shapes intonation, not words
_ROLES = ("customer", "agent")


def base_words(lang: str) -> list[str]:
    path = Path(str(resources.files("assist") / "data" / "vocabulary_base.toml"))
    data, _ = load_toml(path)
    words = data.get(lang, {}).get("words")
    if not isinstance(words, list):
        raise DataFileError(path, None, f"no [{lang}] words list")
    return [str(w) for w in words]


def default_vocabulary(lang: str) -> list[str]:
    from assist.anger import lexicon_keywords

    words = set(base_words(lang)) | set(lexicon_keywords(lang)) | set(menu_words(lang))
    texts = call_texts_path()
    if texts is not None:
        words |= set(call_text_words(texts, lang))
    return sorted(w for w in words if w and " " not in w)


def menu_words(lang: str) -> list[str]:
    """Every word of the shipped example menu's spoken options in ``lang``."""
    from ivr.menu.loader import example_menu_path, load_menu

    menu = load_menu(example_menu_path())
    return sorted({w for phrase in menu.phrases(lang) for w in phrase.split()})


def call_texts_path() -> Path | None:
    """The calls file whose words the model must know: ``$IVR_ASSIST_CALL_TEXTS``
    (which must exist), else the repository's fixture calls if present."""
    from_env = os.environ.get(CALL_TEXTS_ENV)
    if from_env:
        return Path(from_env)
    return REPO_CALL_TEXTS if REPO_CALL_TEXTS.is_file() else None


def call_text_words(path: Path, lang: str) -> list[str]:
    """Sorted distinct words the ``lang`` calls of a calls file say (customer and
    agent); raises ``DataFileError`` naming the file and line of a bad entry."""
    data, lines = load_toml(path)
    where = KeyLines(lines)

    def fail(key: tuple[Any, ...], message: str) -> DataFileError:
        return DataFileError(path, where.line(key), message)

    calls = data.get("calls")
    if not isinstance(calls, list) or not all(isinstance(c, dict) for c in calls):
        raise fail(("calls",), "calls must be [[calls]] tables")
    words: set[str] = set()
    for index, call in enumerate(calls):
        if not isinstance(call.get("language"), str):
            raise fail(("calls", index), 'a call needs language = "ru" (or another code)')
        if call["language"] != lang:
            continue
        turns = call.get("turns")
        if not isinstance(turns, list):
            raise fail(("calls", index, "turns"), "turns must be a list of { customer = ... }")
        for turn in turns:
            texts = [turn.get(role) for role in _ROLES] if isinstance(turn, dict) else []
            said = [t for t in texts if isinstance(t, str)]
            if len(said) != 1:
                raise fail(
                    ("calls", index, "turns"),
                    f'a turn is {{ customer = "..." }} or {{ agent = "..." }}, not {turn!r}',
                )
            words.update(_WORD.findall(said[0]))
    return sorted(words)
