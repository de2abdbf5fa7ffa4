"""End-to-end tests use the project's own speech models (built on first use
into the user's cache, reused after) and the generated fixture calls."""

import pytest

from audio_fixtures import ensure_fixtures


@pytest.fixture(scope="session")
def fixture_dir():
    return ensure_fixtures()


@pytest.fixture(scope="session")
def own_engine():
    from assist.engines import load_engine

    engines = {}

    def get(lang: str):
        if lang not in engines:
            engines[lang] = load_engine(lang, progress=False)
        return engines[lang]

    return get
