from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ivr.modelbuild.conf import DEFAULT_MFCC_OPTIONS, conf_text
from ivr.modelbuild.features import MfccConfig, compute_mfcc


def test_every_option_reaches_the_extractor(tmp_path: Path) -> None:
    path = tmp_path / "mfcc.conf"
    path.write_text(conf_text({"num-ceps": "11", "num-mel-bins": "17", "high-freq": "-400"}))
    cfg = MfccConfig.from_file(path)
    opts = cfg.knf_options()
    assert opts.num_ceps == 11 and opts.mel_opts.num_bins == 17
    assert opts.mel_opts.high_freq == -400
    # Options absent from the file take Kaldi's defaults, not the library's.
    assert opts.frame_opts.dither == 1.0 and opts.use_energy


def test_default_model_options_are_deterministic() -> None:
    cfg = MfccConfig.from_options(DEFAULT_MFCC_OPTIONS)
    assert cfg.knf_options().frame_opts.dither == 0.0
    rng = np.random.default_rng(1)
    audio = rng.normal(0, 1000, 16000).astype(np.float32)
    a = compute_mfcc(audio, 16000, cfg)
    assert a.shape == (98, cfg.num_ceps)
    assert np.array_equal(a, compute_mfcc(audio, 16000, cfg))


def test_upsampling_follows_the_conf() -> None:
    cfg = MfccConfig.from_options(DEFAULT_MFCC_OPTIONS)
    audio = np.random.default_rng(2).normal(0, 1000, 8000).astype(np.float32)
    assert compute_mfcc(audio, 8000, cfg).shape[0] == 98
    strict = MfccConfig.from_options({**DEFAULT_MFCC_OPTIONS, "allow-upsample": "false"})
    with pytest.raises(ValueError, match="allow-upsample"):
        compute_mfcc(audio, 8000, strict)


def test_bad_options_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mfcc.conf"
    path.write_text("--use-energy=maybe\n")
    with pytest.raises(ValueError, match=r"mfcc\.conf.*use-energy"):
        MfccConfig.from_file(path)
