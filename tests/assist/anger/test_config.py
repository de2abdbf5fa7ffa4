from __future__ import annotations

from pathlib import Path

import pytest

from assist.anger.config import DEFAULT_CONFIG_PATH, load_anger_config
from ivr.datafile import DataFileError


def site(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "anger.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_defaults_load_and_are_cached() -> None:
    cfg = load_anger_config()
    assert cfg is load_anger_config()
    assert cfg.levels.tense_exit < cfg.levels.tense_enter < cfg.levels.angry_enter
    assert cfg.prosody.loudness.prior is None
    assert cfg.prosody.pitch.prior is not None


def test_only_pitch_or_sharpness_fully_raised_reach_angry_alone() -> None:
    """A louder line, a wider melody, a faster pace or clearer harmonics alone
    are not anger; a voice far higher or far sharper than the caller's calm
    voice may be (with the level equalised they are what is left)."""
    cfg = load_anger_config()
    for name in ("pitch_range", "loudness", "rate", "voice_quality"):
        assert getattr(cfg.prosody, name).weight < cfg.levels.angry_enter, name
    for name in ("pitch", "brightness"):
        assert getattr(cfg.prosody, name).weight <= cfg.levels.angry_enter + 0.05, name


def test_site_file_overrides_only_its_keys(tmp_path: Path) -> None:
    cfg = load_anger_config(
        site(tmp_path, "[levels]\nangry_enter = 0.7\n\n[prosody.pitch]\nweight = 0.2\n")
    )
    default = load_anger_config()
    assert cfg.levels.angry_enter == 0.7 and cfg.prosody.pitch.weight == 0.2
    assert cfg.levels.tense_enter == default.levels.tense_enter
    assert cfg.prosody.pitch.full == default.prosody.pitch.full
    assert str(DEFAULT_CONFIG_PATH) in cfg.source and "anger.toml" in cfg.source


def test_none_switches_a_population_prior_off(tmp_path: Path) -> None:
    cfg = load_anger_config(site(tmp_path, '[prosody.pitch]\nprior = "none"\n'))
    assert cfg.prosody.pitch.prior is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[levels]\ntense_enter = = 1\n", 2, "not valid TOML"),
        ("[levels]\n\ntense_entre = 0.3\n", 3, "unknown key 'tense_entre'"),
        ("[levels]\ntense_enter = 0.3\nangry_enter = 1.5\n", 3, "from 0 to 1"),
        ("[updates]\nmax_reasons = 2.5\n", 2, "whole number"),
        ("[keywords]\nmin_conf = true\n", 2, "number"),
        ("# comment\n[levels]\ntense_exit = 0.5\n", 3, "tense_exit must be below tense_enter"),
        ("[prosody.pitch]\nstart = 3.0\nfull = 2.0\n", 3, "full must be above start"),
        ('[prosody]\ncap = 0.5\n[prosody.rate]\nweight = "high"\n', 4, "'weight' must be a number"),
        ("[mystery]\nx = 1\n", 1, "unknown key 'mystery'"),
    ],
)
def test_bad_site_file_names_file_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = site(tmp_path, text)
    with pytest.raises(DataFileError) as info:
        load_anger_config(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}:")
    assert words in str(info.value)
