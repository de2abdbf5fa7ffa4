"""Kaldi-style option files (``--name=value`` per line): write and parse."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

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


def parse_conf(path: Path) -> dict[str, str]:
    """Read a conf file; raise ValueError naming the file and line on bad syntax."""
    options: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not line.startswith("--"):
            raise ValueError(f"{path}:{number}: expected --name=value, got {raw!r}")
        name, sep, value = line[2:].partition("=")
        if not name:
            raise ValueError(f"{path}:{number}: empty option name")
        options[name] = value if sep else "true"
    return options
