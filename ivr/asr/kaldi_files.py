"""Reading the files a vosk model directory holds: Kaldi option files
(``--name=value`` per line), the MFCC options vosk computes features with
(Kaldi's defaults filled in, every value checked), and an OpenFst binary
header.

Both the recogniser (checking a model before Kaldi sees it) and the model
builder (which writes these files and computes the same features) read them
through this module, so the engine needs nothing from the builder.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

FST_MAGIC = 2125659606


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


def conf_bool(name: str, value: str) -> bool:
    """A Kaldi boolean option's value (true/false or 1/0)."""
    low = value.lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise ValueError(f"option --{name} needs true or false, got {value!r}")


def _number(kind: Callable[[str], object], what: str) -> Callable[[str, str], object]:
    def check(name: str, value: str) -> object:
        try:
            return kind(value)
        except ValueError:
            raise ValueError(f"option --{name} needs {what}, got {value!r}") from None

    return check


_FLOAT = _number(float, "a number")
_INT = _number(int, "a whole number")


def _text(name: str, value: str) -> str:
    return value


# Kaldi's defaults for MfccOptions (feat/feature-mfcc.h and friends), each
# with the check its value must pass.
KALDI_MFCC_DEFAULTS: dict[str, str] = {
    "sample-frequency": "16000",
    "frame-length": "25",
    "frame-shift": "10",
    "dither": "1",
    "preemphasis-coefficient": "0.97",
    "remove-dc-offset": "true",
    "window-type": "povey",
    "round-to-power-of-two": "true",
    "blackman-coeff": "0.42",
    "snip-edges": "true",
    "num-mel-bins": "23",
    "low-freq": "20",
    "high-freq": "0",
    "vtln-low": "100",
    "vtln-high": "-500",
    "debug-mel": "false",
    "htk-compat": "false",
    "num-ceps": "13",
    "use-energy": "true",
    "energy-floor": "0",
    "raw-energy": "true",
    "cepstral-lifter": "22",
    "allow-upsample": "false",
    "allow-downsample": "false",
}
_MFCC_CHECKS: dict[str, Callable[[str, str], object]] = {
    **dict.fromkeys(KALDI_MFCC_DEFAULTS, _FLOAT),
    **dict.fromkeys(("num-mel-bins", "num-ceps"), _INT),
    **dict.fromkeys(
        (
            "remove-dc-offset",
            "round-to-power-of-two",
            "snip-edges",
            "debug-mel",
            "htk-compat",
            "use-energy",
            "raw-energy",
            "allow-upsample",
            "allow-downsample",
        ),
        conf_bool,
    ),
    "window-type": _text,
}


def mfcc_options(options: Mapping[str, str], source: str = "mfcc options") -> dict[str, str]:
    """Every MFCC option, Kaldi's defaults under ``options``; raise ValueError
    naming ``source`` on an unknown option or a value of the wrong kind."""
    unknown = sorted(set(options) - set(KALDI_MFCC_DEFAULTS))
    if unknown:
        raise ValueError(f"{source}: unsupported MFCC option(s): {', '.join(unknown)}")
    merged = {**KALDI_MFCC_DEFAULTS, **options}
    for name, value in merged.items():
        try:
            _MFCC_CHECKS[name](name, value)
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None
    return merged


@dataclass(frozen=True)
class FstHeader:
    fst_type: str
    arc_type: str
    start: int
    num_states: int
    num_arcs: int


def read_fst_header(path: Path) -> FstHeader:
    """Parse an OpenFst binary header; raise ValueError saying what is wrong."""
    data = path.read_bytes()[:4096]
    try:
        (magic,) = struct.unpack_from("<i", data, 0)
        if magic != FST_MAGIC:
            raise ValueError("not an OpenFst binary file (bad magic number)")
        pos = 4
        names = []
        for _ in range(2):
            (n,) = struct.unpack_from("<i", data, pos)
            if not 0 < n < 64:
                raise ValueError("corrupt header (bad type string)")
            names.append(data[pos + 4 : pos + 4 + n].decode("ascii"))
            pos += 4 + n
        _version, _flags, _props, start, nstates, narcs = struct.unpack_from("<iiQqqq", data, pos)
    except (struct.error, UnicodeDecodeError) as exc:
        raise ValueError("truncated or corrupt FST header") from exc
    if nstates <= 0 or not 0 <= start < nstates or narcs < 0:
        raise ValueError("header describes an empty or inconsistent FST")
    return FstHeader(names[0], names[1], start, nstates, narcs)
