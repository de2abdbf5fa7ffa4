"""Recordings as call-centre recorders leave them, made from a fixture call:
PCM WAV at 8/16/48 kHz, mono and stereo, mu-law WAV, raw A-law, and broken files."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np

from audio_fixtures import ensure_fixtures
from ivr.audio.g711 import alaw_encode, mulaw_encode
from ivr.sources import read_audio, write_wav


def write_mulaw_wav(path: Path, samples: np.ndarray, rate_hz: int) -> Path:
    frames = samples if samples.ndim == 2 else samples[:, None]
    channels = frames.shape[1]
    codes = mulaw_encode(np.ascontiguousarray(frames).reshape(-1)).tobytes()
    fmt = struct.pack("<HHIIHHH", 7, channels, rate_hz, rate_hz * channels, channels, 8, 0)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(codes)) + codes + b"\x00" * (len(codes) % 2)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def make_recordings(folder: Path, call: str = "en_escalating") -> dict[str, Path]:
    """Good recordings of one call in every supported shape, named by shape."""
    fixtures = ensure_fixtures()
    folder.mkdir(parents=True, exist_ok=True)
    stereo_8k, _ = read_audio(fixtures / f"{call}.8k.stereo.wav")
    mono_16k, _ = read_audio(fixtures / f"{call}.16k.wav")
    out = {
        "stereo8k": shutil.copy(fixtures / f"{call}.8k.stereo.wav", folder / "stereo8k.wav"),
        "mono16k": shutil.copy(fixtures / f"{call}.16k.wav", folder / "mono16k.wav"),
        "mono48k": write_wav(folder / "mono48k.wav", np.repeat(mono_16k[:, 0], 3), 48000),
        "mulaw": write_mulaw_wav(folder / "mulaw.wav", stereo_8k, 8000),
        "alaw": folder / "alaw.al",
    }
    out["alaw"].write_bytes(alaw_encode(np.ascontiguousarray(stereo_8k[:, 0])).tobytes())
    return {name: Path(path) for name, path in out.items()}


def make_broken(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    truncated = folder / "truncated.wav"
    good = (ensure_fixtures() / "en_calm.16k.wav").read_bytes()
    truncated.write_bytes(good[:30])
    text = folder / "not_audio.wav"
    text.write_text("this is not audio\n")
    return {"truncated": truncated, "not_audio": text}
