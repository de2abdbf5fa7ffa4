"""Shared fixtures for the model-builder tests."""

from __future__ import annotations

import pytest

from ivr.modelbuild.synth import espeak_available


@pytest.fixture
def espeak() -> None:
    """Skip a test that needs espeak-ng speech when the program is missing."""
    if not espeak_available():
        pytest.skip("espeak-ng not installed")
