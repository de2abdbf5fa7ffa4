"""End-to-end tests: the real demo command and the real per-call pipeline
(vosk, anger core, advisor) over the generated fixture calls.

The speech model is one the suite writes itself in milliseconds: random
weights over the fixture calls' words *minus every anger-lexicon word*. Its
transcripts are noise, so no keyword can fire, and what these tests check
is the plumbing end to end and the voice (prosody) path of the anger core.
How well the project's trained model transcribes is measured by
``bench.model_quality``; building it takes minutes, too long for the suite.
"""

from pathlib import Path

import pytest

from assist.anger import lexicon_vocabulary
from audio_fixtures import ensure_fixtures, fixture_vocabulary
from ivr.modelbuild import write_random_model


@pytest.fixture(scope="session")
def fixture_dir() -> Path:
    return ensure_fixtures()


@pytest.fixture(scope="session")
def keywordless_model(tmp_path_factory) -> Path:
    words: set[str] = set()
    for lang in ("ru", "en"):
        words |= set(fixture_vocabulary(lang)) - set(lexicon_vocabulary(lang))
    return write_random_model(
        tmp_path_factory.mktemp("model") / "keywordless", sorted(words), seed=3
    )
