"""Kaldi-style option files (``--name=value`` per line) the builder writes
(reading them is ``ivr.asr.kaldi_files.parse_conf``)."""

from __future__ import annotations

from collections.abc import Mapping

# Feature options of every model this package writes. The band stops at
# 3800 Hz so 8 kHz telephone audio (upsampled by vosk) and 16 kHz audio give
# nearly the same features.
DEFAULT_MFCC_OPTIONS: dict[str, str] = {
    "sample-frequency": "16000",
    "frame-length": "25",
    "frame-shift": "10",
    "use-energy": "false",
    "num-mel-bins": "30",
    "num-ceps": "20",
    "low-freq": "60",
    "high-freq": "3800",
    "allow-upsample": "true",
    "dither": "0",
}

DEFAULT_MODEL_OPTIONS: dict[str, str] = {
    "min-active": "200",
    "max-active": "3000",
    "beam": "12.0",
    "lattice-beam": "5.0",
    "acoustic-scale": "1.0",
    "frame-subsampling-factor": "3",
    "endpoint.silence-phones": "1",
    "endpoint.rule2.min-trailing-silence": "0.5",
    "endpoint.rule3.min-trailing-silence": "0.8",
    "endpoint.rule4.min-trailing-silence": "1.5",
}


def conf_text(options: Mapping[str, str]) -> str:
    return "".join(f"--{name}={value}\n" for name, value in options.items())
