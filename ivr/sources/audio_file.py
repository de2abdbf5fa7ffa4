"""Recorded audio files: WAV (8/16/24/32-bit PCM, 32/64-bit float, mu-law,
A-law) and raw G.711, probed, read in decoded 16-bit blocks, and written.

The RIFF chunks are parsed here rather than with the ``wave`` module because
``wave`` rejects the G.711 WAV formats (6 = A-law, 7 = mu-law) that telephony
recorders write. Every problem with a file raises :class:`AudioFileError`
naming the file and what is wrong with it.
"""

from __future__ import annotations

import os
import struct
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np

from ivr.audio.g711 import alaw_decode, mulaw_decode

__all__ = [
    "RAW_G711_EXTENSIONS",
    "AudioFileError",
    "AudioFileInfo",
    "Encoding",
    "iter_audio_blocks",
    "probe_audio_file",
    "read_audio",
    "write_wav",
]

Encoding = Literal["pcm8", "pcm16", "pcm24", "pcm32", "float32", "float64", "mulaw", "alaw"]
_PCM_ENCODINGS: dict[int, Encoding] = {8: "pcm8", 16: "pcm16", 24: "pcm24", 32: "pcm32"}
_FLOAT_ENCODINGS: dict[int, Encoding] = {32: "float32", 64: "float64"}
_SAMPLE_BYTES: dict[Encoding, int] = {
    "pcm8": 1,
    "pcm16": 2,
    "pcm24": 3,
    "pcm32": 4,
    "float32": 4,
    "float64": 8,
    "mulaw": 1,
    "alaw": 1,
}
_SUPPORTED = "supported: 8/16/24/32-bit PCM, 32/64-bit float, 8-bit mu-law and A-law"

RAW_G711_EXTENSIONS: dict[str, Encoding] = {
    ".ul": "mulaw",
    ".ulaw": "mulaw",
    ".mulaw": "mulaw",
    ".al": "alaw",
    ".alaw": "alaw",
}
"""Headerless G.711 files recognised by extension (always 8 kHz mono)."""

_RAW_G711_RATE_HZ = 8000

_FORMAT_PCM = 0x0001
_FORMAT_FLOAT = 0x0003
_FORMAT_ALAW = 0x0006
_FORMAT_MULAW = 0x0007
_FORMAT_EXTENSIBLE = 0xFFFE
_FORMAT_NAMES = {
    0x0002: "MS ADPCM",
    _FORMAT_FLOAT: "IEEE float",
    0x0011: "IMA ADPCM",
    0x0031: "GSM 6.10",
    0x0050: "MPEG",
    0x0055: "MP3",
}
_UNKNOWN_DATA_SIZE = 0xFFFFFFFF  # written by recorders that stream to a pipe


class AudioFileError(ValueError):
    """An audio file that cannot be used; the message names the file and the problem."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@dataclass(frozen=True)
class AudioFileInfo:
    """What :func:`probe_audio_file` found: where the samples are and how they are coded."""

    path: Path
    container: Literal["wav", "raw"]
    encoding: Encoding
    channels: int
    rate_hz: int
    n_frames: int  # samples per channel
    data_offset: int  # byte offset of the first sample in the file

    @property
    def bytes_per_sample(self) -> int:
        return _SAMPLE_BYTES[self.encoding]

    @property
    def block_bytes(self) -> int:
        """Bytes of one frame (one sample of every channel)."""
        return self.bytes_per_sample * self.channels

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.rate_hz


def probe_audio_file(path: str | os.PathLike[str]) -> AudioFileInfo:
    """Open and validate an audio file; raise :class:`AudioFileError` if unusable."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            encoding = RAW_G711_EXTENSIONS.get(path.suffix.lower())
            if encoding is not None:
                return _probe_raw(path, size, encoding)
            return _probe_wav(path, f, size)
    except FileNotFoundError:
        raise AudioFileError(path, "no such file") from None
    except IsADirectoryError:
        raise AudioFileError(path, "is a directory, not an audio file") from None
    except PermissionError:
        raise AudioFileError(path, "permission denied") from None
    except OSError as exc:
        raise AudioFileError(path, f"cannot be read ({exc.strerror or exc})") from None


def _probe_raw(path: Path, size: int, encoding: Encoding) -> AudioFileInfo:
    if size == 0:
        raise AudioFileError(path, "empty: no audio frames")
    return AudioFileInfo(path, "raw", encoding, 1, _RAW_G711_RATE_HZ, size, 0)


def _probe_wav(path: Path, f: BinaryIO, size: int) -> AudioFileInfo:
    header = f.read(12)
    if len(header) < 12:
        if not header:
            raise AudioFileError(path, "empty file (0 bytes), not a WAV file")
        if header[:4] == b"RIFF"[: len(header)]:
            raise AudioFileError(path, f"truncated: only {size} bytes, shorter than a WAV header")
        raise AudioFileError(path, "not a WAV file (no RIFF/WAVE header)")
    if header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        if header[:4] in (b"RIFX", b"RF64"):
            kind = header[:4].decode("ascii")
            raise AudioFileError(path, f"{kind} WAV files are not supported (only RIFF)")
        raise AudioFileError(path, "not a WAV file (no RIFF/WAVE header)")

    fmt: tuple[int, int, int, int, int] | None = None  # tag, channels, rate, block, bits
    pos = 12
    while True:
        chunk_header = f.read(8)
        if len(chunk_header) < 8:
            if fmt is None:
                raise AudioFileError(path, "truncated: the file ends before its 'fmt ' chunk")
            raise AudioFileError(path, "truncated: the file ends before its 'data' chunk")
        chunk_id, chunk_size = struct.unpack("<4sI", chunk_header)
        body = pos + 8
        if chunk_id == b"fmt ":
            if chunk_size < 16:
                raise AudioFileError(path, f"malformed 'fmt ' chunk ({chunk_size} bytes, need 16)")
            raw = f.read(chunk_size)
            if len(raw) < chunk_size:
                raise AudioFileError(path, "truncated inside the 'fmt ' chunk")
            fmt = _parse_fmt(path, raw)
        elif chunk_id == b"data":
            if fmt is None:
                raise AudioFileError(path, "malformed: 'data' chunk comes before the 'fmt ' chunk")
            return _data_info(path, fmt, body, chunk_size, size)
        pos = body + chunk_size + (chunk_size & 1)  # chunks are padded to even sizes
        if pos > size:
            raise AudioFileError(
                path, f"truncated: chunk {chunk_id!r} runs past the end of the file"
            )
        f.seek(pos)


def _parse_fmt(path: Path, raw: bytes) -> tuple[int, int, int, int, int]:
    tag, channels, rate_hz, _byte_rate, block_align, bits = struct.unpack("<HHIIHH", raw[:16])
    if tag == _FORMAT_EXTENSIBLE:
        if len(raw) < 40:
            raise AudioFileError(path, "malformed WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk")
        # The sub-format GUID starts with the classic format tag.
        tag = struct.unpack("<H", raw[24:26])[0]
    if tag == _FORMAT_PCM:
        if bits not in _PCM_ENCODINGS:
            raise AudioFileError(path, f"unsupported sample width: {bits}-bit PCM ({_SUPPORTED})")
    elif tag == _FORMAT_FLOAT:
        if bits not in _FLOAT_ENCODINGS:
            raise AudioFileError(path, f"unsupported sample width: {bits}-bit float ({_SUPPORTED})")
    elif tag in (_FORMAT_MULAW, _FORMAT_ALAW):
        if bits != 8:
            name = "mu-law" if tag == _FORMAT_MULAW else "A-law"
            raise AudioFileError(path, f"malformed {name} WAV: {bits} bits per sample, expected 8")
    else:
        name = _FORMAT_NAMES.get(tag, f"format tag 0x{tag:04X}")
        raise AudioFileError(path, f"unsupported encoding: {name} ({_SUPPORTED})")
    if channels == 0:
        raise AudioFileError(path, "malformed: 0 channels")
    if channels > 2:
        raise AudioFileError(
            path, f"{channels} channels; only mono or stereo (customer + agent) is supported"
        )
    if rate_hz == 0:
        raise AudioFileError(path, "malformed: sample rate 0 Hz")
    expected_block = channels * bits // 8
    if block_align != expected_block:
        raise AudioFileError(
            path, f"malformed: block align {block_align}, expected {expected_block}"
        )
    return tag, channels, rate_hz, block_align, bits


def _data_info(
    path: Path, fmt: tuple[int, int, int, int, int], offset: int, declared: int, size: int
) -> AudioFileInfo:
    tag, channels, rate_hz, block_align, bits = fmt
    present = size - offset
    if declared == _UNKNOWN_DATA_SIZE:
        declared = present - present % block_align
    elif declared > present:
        raise AudioFileError(
            path,
            f"truncated: the data chunk declares {declared} bytes but only {present} are present",
        )
    if declared % block_align:
        raise AudioFileError(
            path,
            f"truncated: {declared} data bytes is not a whole number of "
            f"{block_align}-byte sample frames",
        )
    n_frames = declared // block_align
    if n_frames == 0:
        if present >= block_align:
            raise AudioFileError(
                path,
                f"empty: the data chunk declares 0 bytes although {present} bytes follow it "
                "(a recording that was never finalised?)",
            )
        raise AudioFileError(path, "empty: the WAV file has no audio frames")
    encoding: Encoding = {
        _FORMAT_PCM: _PCM_ENCODINGS.get(bits, "pcm16"),
        _FORMAT_FLOAT: _FLOAT_ENCODINGS.get(bits, "float32"),
        _FORMAT_MULAW: "mulaw",
        _FORMAT_ALAW: "alaw",
    }[tag]
    return AudioFileInfo(path, "wav", encoding, channels, rate_hz, n_frames, offset)


def _decode(info: AudioFileInfo, raw: bytes) -> np.ndarray:
    """Samples as int16: wider PCM keeps its top 16 bits, float is scaled
    from [-1, 1] and clipped (a float file may hold louder samples)."""
    enc = info.encoding
    if enc == "pcm16":
        flat = np.frombuffer(raw, dtype="<i2").astype(np.int16, copy=False)
    elif enc == "pcm8":  # unsigned, centred on 128
        flat = ((np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    elif enc == "pcm24":  # little-endian; the top two bytes of each sample
        flat = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)[:, 1:].copy().view("<i2")[:, 0]
    elif enc == "pcm32":
        flat = (np.frombuffer(raw, dtype="<i4") >> 16).astype(np.int16)
    elif enc in ("float32", "float64"):
        x = np.frombuffer(raw, dtype="<f4" if enc == "float32" else "<f8")
        x = np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0)
        flat = np.clip(np.rint(x * 32767.0), -32768, 32767).astype(np.int16)
    elif enc == "mulaw":
        flat = mulaw_decode(raw)
    else:
        flat = alaw_decode(raw)
    return flat.reshape(-1, info.channels)


def iter_audio_blocks(
    source: AudioFileInfo | str | os.PathLike[str], block_frames: int = 8000
) -> Iterator[np.ndarray]:
    """Decoded int16 blocks of shape (n <= block_frames, channels), read lazily."""
    info = source if isinstance(source, AudioFileInfo) else probe_audio_file(source)
    if block_frames <= 0:
        raise ValueError(f"block_frames must be positive, got {block_frames}")
    remaining = info.n_frames
    try:
        with open(info.path, "rb") as f:
            f.seek(info.data_offset)
            while remaining:
                n = min(block_frames, remaining)
                raw = f.read(n * info.block_bytes)
                if len(raw) < n * info.block_bytes:
                    raise AudioFileError(info.path, "truncated: the file shrank while being read")
                remaining -= n
                yield _decode(info, raw)
    except OSError as exc:
        raise AudioFileError(info.path, f"cannot be read ({exc.strerror or exc})") from None


def write_wav(path: str | os.PathLike[str], samples: np.ndarray | bytes, rate_hz: int) -> Path:
    """Write 16-bit PCM (``samples``: int16 of shape (n,) or (n, channels), or
    mono PCM16 bytes) atomically: readers never see a half-written file."""
    frames = np.frombuffer(samples, dtype="<i2") if isinstance(samples, bytes) else samples
    frames = frames if frames.ndim == 2 else frames[:, None]
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, wave.open(raw, "wb") as out:
            out.setnchannels(frames.shape[1])
            out.setsampwidth(2)
            out.setframerate(rate_hz)
            out.writeframes(frames.astype("<i2").tobytes())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def read_audio(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """The whole file as int16 samples of shape (n_frames, channels), and its rate in Hz."""
    info = probe_audio_file(path)
    blocks = list(iter_audio_blocks(info, block_frames=info.n_frames))
    return blocks[0], info.rate_hz
