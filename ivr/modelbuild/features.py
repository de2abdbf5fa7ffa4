"""MFCC features identical to what vosk computes, via kaldi-native-fbank.

Every option comes from the model's ``conf/mfcc.conf`` (read and checked by
``ivr.asr.kaldi_files``, as the recogniser reads it); options not in the
file take Kaldi's own defaults (not kaldi-native-fbank's: its dither
default differs), so the features match the decoder's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import kaldi_native_fbank as knf
import numpy as np

from ivr.asr.kaldi_files import conf_bool, mfcc_options, parse_conf
from ivr.modelbuild.resample import kaldi_resample


@dataclass(frozen=True)
class MfccConfig:
    """Parsed MFCC options plus the resampling policy vosk applies before them."""

    options: Mapping[str, str]

    @classmethod
    def from_options(cls, options: Mapping[str, str], source: str = "mfcc options") -> MfccConfig:
        return cls(mfcc_options(options, source))

    @classmethod
    def from_file(cls, path: Path) -> MfccConfig:
        return cls.from_options(parse_conf(path), str(path))

    @property
    def rate_hz(self) -> int:
        return int(float(self.options["sample-frequency"]))

    @property
    def num_ceps(self) -> int:
        return int(self.options["num-ceps"])

    @property
    def allow_upsample(self) -> bool:
        return conf_bool("allow-upsample", self.options["allow-upsample"])

    def knf_options(self) -> knf.MfccOptions:
        o = self.options
        opts = knf.MfccOptions()
        fr = opts.frame_opts
        fr.samp_freq = float(o["sample-frequency"])
        fr.frame_length_ms = float(o["frame-length"])
        fr.frame_shift_ms = float(o["frame-shift"])
        fr.dither = float(o["dither"])
        fr.preemph_coeff = float(o["preemphasis-coefficient"])
        fr.remove_dc_offset = conf_bool("remove-dc-offset", o["remove-dc-offset"])
        fr.window_type = o["window-type"]
        fr.round_to_power_of_two = conf_bool("round-to-power-of-two", o["round-to-power-of-two"])
        fr.blackman_coeff = float(o["blackman-coeff"])
        fr.snip_edges = conf_bool("snip-edges", o["snip-edges"])
        mel = opts.mel_opts
        mel.num_bins = int(o["num-mel-bins"])
        mel.low_freq = float(o["low-freq"])
        mel.high_freq = float(o["high-freq"])
        mel.vtln_low = float(o["vtln-low"])
        mel.vtln_high = float(o["vtln-high"])
        mel.debug_mel = conf_bool("debug-mel", o["debug-mel"])
        opts.num_ceps = int(o["num-ceps"])
        opts.use_energy = conf_bool("use-energy", o["use-energy"])
        opts.energy_floor = float(o["energy-floor"])
        opts.raw_energy = conf_bool("raw-energy", o["raw-energy"])
        opts.cepstral_lifter = float(o["cepstral-lifter"])
        opts.htk_compat = conf_bool("htk-compat", o["htk-compat"])
        return opts


def prepare_samples(samples: np.ndarray, rate_hz: int, cfg: MfccConfig) -> np.ndarray:
    """Bring audio to the model rate with Kaldi's resampler, as vosk does."""
    target = cfg.rate_hz
    if rate_hz == target:
        return samples
    if rate_hz < target and not cfg.allow_upsample:
        raise ValueError(f"audio at {rate_hz} Hz needs --allow-upsample for a {target} Hz model")
    if rate_hz > target and not conf_bool("allow-downsample", cfg.options["allow-downsample"]):
        raise ValueError(f"audio at {rate_hz} Hz needs --allow-downsample for a {target} Hz model")
    return kaldi_resample(samples, rate_hz, target)


def compute_mfcc(samples: np.ndarray, rate_hz: int, cfg: MfccConfig) -> np.ndarray:
    """MFCCs (frames x num_ceps) for PCM16-scale float samples."""
    wave = prepare_samples(np.asarray(samples, dtype=np.float32), rate_hz, cfg)
    mfcc = knf.OnlineMfcc(cfg.knf_options())
    mfcc.accept_waveform(float(cfg.rate_hz), wave)
    mfcc.input_finished()
    n = mfcc.num_frames_ready
    if n == 0:
        return np.zeros((0, cfg.num_ceps), dtype=np.float32)
    return np.asarray([mfcc.get_frame(i) for i in range(n)], dtype=np.float32)
