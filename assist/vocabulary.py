"""The vocabulary the project's own speech model is built for: digits and
yes/no, the anger lexicon's keywords (one form of each), the IVR menus' words and every word the
fixture calls say."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ivr.datafile import DataFileError, load_toml


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
    try:
        from audio_fixtures import fixture_vocabulary
    except ImportError:  # installed without the repository's fixtures
        pass
    else:
        words |= set(fixture_vocabulary(lang))
    return sorted(w for w in words if w and " " not in w)


def menu_words(lang: str) -> list[str]:
    """Every word of the shipped example menu's spoken options in ``lang``."""
    from ivr.menu.loader import example_menu_path, load_menu

    menu = load_menu(example_menu_path())
    return sorted({w for phrase in menu.phrases(lang) for w in phrase.split()})
