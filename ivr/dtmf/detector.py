"""Keypad-tone (DTMF) detection: Goertzel filters over short overlapping blocks.

Pure computation (numpy only, no I/O). Time is audio time: sample counts from
the start of the stream.

**Blocks.** Each block of ``block_s`` (104 samples at 8 kHz, 208 at 16 kHz) is
measured at the eight keypad frequencies, and also 1.5 % below and above each
(``PROBE_OFFSET``: keypads may be that far off, and a plain 104-sample filter
would lose up to 1.5 dB on such a tone). A block starts every ``hop_s`` (a
quarter block), so durations and gaps are measured to about 3 ms. The power of
a Goertzel filter is ``|sum(x[n] * exp(-2j*pi*f*n/rate))|**2``: the recursion
in :func:`goertzel_power` computes it for one block and one frequency; the
detector computes it for all blocks and frequencies of a piece in one matrix
product, which gives the same numbers much faster in numpy.

**A block holds a key** when all of these hold (each a field of
:class:`DtmfSettings`):

- each of the two tones is at least ``min_level_dbm0`` (reference in
  :mod:`ivr.dtmf.levels`: a 0 dBm0 sine peaks at ``32768 * 10**(-3.17/20)``);
- the strongest row tone and the strongest column tone are each
  ``group_margin_db`` above every other tone of their group;
- the twist (high tone minus low tone) is within ``twist_min_db .. twist_max_db``;
- the two tones carry at least ``min_tone_energy_ratio`` of the block's energy.

**A key press** is a run of blocks holding the same key. It is reported, once,
when it has been released for ``min_gap_s`` (shorter drop-outs are bridged, so
a held key reports once; a different key ends it at once) and only if

- its valid blocks add up to ``min_tone_s`` (blocks only partly covered by a
  tone fail the checks, so this measure runs about 10 ms short of the tone:
  with the defaults a 40 ms press is always accepted and one of 23 ms or less
  never is, as ITU-T Q.24 asks), and
- in its best block the two tones carry ``min_peak_energy_ratio`` of the
  energy: a key's steady tones reach 0.9 or more unless noise comes within
  about 10 dB of them, while speech whose harmonics happen to fall on a row
  and a column frequency stayed below 0.83 in all the fixture calls.

A pause of 40 ms always separates two presses of the same key and a 10 ms
drop-out never does (Q.24 again). Not checked: Q.24's rejection of tones more
than 3.5 % off frequency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivr.dtmf.levels import DIGITS, HIGH_GROUP_HZ, LOW_GROUP_HZ, amplitude_of_dbm0

__all__ = ["PROBE_OFFSET", "DtmfDetector", "DtmfDigit", "DtmfSettings", "goertzel_power"]

_FREQUENCIES_HZ: tuple[float, ...] = LOW_GROUP_HZ + HIGH_GROUP_HZ

PROBE_OFFSET = 0.015
"""Relative offset of the extra filters below and above each keypad frequency."""

_SLICE_SAMPLES = 13312  # samples of blocks per matrix product (see DtmfDetector._measure)


@dataclass(frozen=True)
class DtmfDigit:
    """One key press; times are seconds of audio from the start of the stream."""

    digit: str
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class DtmfSettings:
    """The validity checks and timing rules (see the module docstring)."""

    block_s: float = 0.013
    hop_s: float = 0.00325
    min_level_dbm0: float = -33.0  # each tone
    twist_max_db: float = 4.0  # high tone at most 4 dB above the low tone
    twist_min_db: float = -8.0  # ... and at most 8 dB below it (lines lose the highs)
    group_margin_db: float = 8.0
    min_tone_energy_ratio: float = 0.6
    min_peak_energy_ratio: float = 0.88
    min_tone_s: float = 0.025
    min_gap_s: float = 0.035

    def __post_init__(self) -> None:
        if not 0 < self.hop_s <= self.block_s:
            raise ValueError(f"need 0 < hop_s <= block_s, got {self.hop_s} and {self.block_s}")
        if self.twist_min_db > self.twist_max_db:
            raise ValueError("twist_min_db must not exceed twist_max_db")
        for name in ("min_tone_energy_ratio", "min_peak_energy_ratio"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in (0, 1]")
        if self.group_margin_db < 0 or self.min_tone_s < 0 or self.min_gap_s < 0:
            raise ValueError("group_margin_db, min_tone_s and min_gap_s must not be negative")


def goertzel_power(samples: np.ndarray, freq_hz: float, rate_hz: int) -> float:
    """Power of one Goertzel filter at ``freq_hz`` over ``samples``: the plain
    recursion, sample by sample (the reference the detector is tested against)."""
    coeff = 2 * math.cos(2 * math.pi * freq_hz / rate_hz)
    s1 = s2 = 0.0
    for x in np.asarray(samples, dtype=np.float64).tolist():
        s1, s2 = x + coeff * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


class DtmfDetector:
    """Streaming detector for one mono PCM16 channel.

    :meth:`feed` takes pieces of any size (PCM16 little-endian bytes, even an
    odd number of them, or an int16 array) and returns the key presses that
    ended in them; :meth:`flush` ends the stream, reporting a key still held,
    and starts afresh at time 0.
    """

    skip_quiet_pieces = True  # tests turn it off to compare with the filters' own answer

    def __init__(self, rate_hz: int = 8000, settings: DtmfSettings | None = None) -> None:
        if not isinstance(rate_hz, int) or isinstance(rate_hz, bool) or rate_hz < 4000:
            raise ValueError(f"rate_hz must be an integer of at least 4000, got {rate_hz!r}")
        self.rate_hz = rate_hz
        self.settings = s = settings if settings is not None else DtmfSettings()
        self.block_samples = n = round(s.block_s * rate_hz)
        self.hop_samples = hop = max(1, round(s.hop_s * rate_hz))
        # Columns: cos then sin of the 8 nominal frequencies, 8 below, 8 above.
        probes = [f * (1 + d) for d in (0.0, -PROBE_OFFSET, PROBE_OFFSET) for f in _FREQUENCIES_HZ]
        phase = 2 * np.pi * np.outer(np.arange(n), probes) / rate_hz
        self._basis = np.ascontiguousarray(np.hstack((np.cos(phase), np.sin(phase))))
        # A sine of peak A filling a block gives a filter power of (A * n / 2) ** 2.
        self._min_power = (amplitude_of_dbm0(s.min_level_dbm0) * n / 2) ** 2
        self._margin = 10 ** (s.group_margin_db / 10)
        self._twist_lo = 10 ** (s.twist_min_db / 10)
        self._twist_hi = 10 ** (s.twist_max_db / 10)
        self._min_blocks = math.ceil(s.min_tone_s * rate_hz / hop - 1e-9)
        self._min_gap_blocks = math.ceil(s.min_gap_s * rate_hz / hop - 1e-9)
        self.reset()

    def reset(self) -> None:
        """Forget the stream: audio time starts again at 0."""
        self._buf = np.zeros(0, dtype=np.float64)
        self._buf_start = 0  # stream index of _buf[0]
        self._next_block = 0  # index of the next block to measure; block k starts at k * hop
        self._odd_byte = b""
        self._digit = -1  # the key being held (index into DIGITS), or -1
        self._first = self._last = 0  # its first and last valid block
        self._count = 0  # its valid blocks
        self._peak = 0.0  # its best tone energy ratio

    def tone_powers(self, block: np.ndarray) -> np.ndarray:
        """The Goertzel powers of one block of ``block_samples`` samples at the eight
        nominal keypad frequencies, rows then columns (as the detector measures them)."""
        samples = np.asarray(block, dtype=np.float64)
        if samples.shape != (self.block_samples,):
            raise ValueError(f"expected {self.block_samples} samples, got shape {samples.shape}")
        projections = samples @ self._basis
        width = projections.size // 2
        return projections[:8] ** 2 + projections[width : width + 8] ** 2

    def feed(self, pcm: bytes | bytearray | memoryview | np.ndarray) -> list[DtmfDigit]:
        """The next piece of the stream; returns the key presses completed by it."""
        samples = self._samples(pcm)
        if samples.size:
            self._buf = np.concatenate((self._buf, samples)) if self._buf.size else samples
        return self._measure()

    def flush(self) -> list[DtmfDigit]:
        """End of stream: measure the tail, report a key still held, then reset."""
        self._buf = np.concatenate((self._buf, np.zeros(self.block_samples)))
        out = self._measure()
        if self._digit >= 0:
            out.extend(self._finish())
        self.reset()
        return out

    def _samples(self, pcm: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
        if isinstance(pcm, np.ndarray):
            if pcm.ndim != 1 or pcm.dtype.kind not in "iu" or pcm.dtype.itemsize > 2:
                raise TypeError(f"expected 1-D int16 samples, got {pcm.dtype} {pcm.shape}")
            return pcm.astype(np.float64)
        data = self._odd_byte + bytes(pcm)
        whole = len(data) - len(data) % 2
        self._odd_byte = data[whole:]
        return np.frombuffer(data[:whole], dtype="<i2").astype(np.float64)

    def _measure(self) -> list[DtmfDigit]:
        """Classify every complete block in the buffer and track key presses."""
        n, hop = self.block_samples, self.hop_samples
        offset = self._next_block * hop - self._buf_start
        room = self._buf.size - offset - n
        if room < 0:
            return []
        count = room // hop + 1
        first_block = self._next_block
        if self.skip_quiet_pieces:
            region = self._buf[offset : offset + (count - 1) * hop + n]
            if float(region @ region) * n < self._min_power:
                # No block of the piece can hold a tone (a block's energy is at most
                # the piece's): what the filters would find, without them. Most of an
                # IVR call is such a piece (silence under the prompts).
                self._advance(count)
                return self._quiet(first_block + count - 1)
        blocks = np.lib.stride_tricks.as_strided(
            self._buf[offset:],
            shape=(count, n),
            strides=(hop * self._buf.itemsize, self._buf.itemsize),
            writeable=False,
        )
        # Contiguous slices of a few hundred blocks: BLAS multiplies them faster than the
        # overlapping view, and on one thread (bigger products start threads that cost more
        # CPU than they save).
        step = max(1, _SLICE_SAMPLES // n)
        parts = [
            self._classify(np.ascontiguousarray(blocks[i : i + step]))
            for i in range(0, count, step)
        ]
        codes = np.concatenate([c for c, _ in parts]) if len(parts) > 1 else parts[0][0]
        ratios = np.concatenate([r for _, r in parts]) if len(parts) > 1 else parts[0][1]
        self._advance(count)
        return self._track(codes, ratios, first_block)

    def _advance(self, count: int) -> None:
        """``count`` blocks measured: drop the samples no later block needs."""
        self._next_block += count
        keep_from = self._next_block * self.hop_samples - self._buf_start
        self._buf = self._buf[keep_from:].copy()
        self._buf_start += keep_from

    def _quiet(self, last: int) -> list[DtmfDigit]:
        """Blocks up to ``last`` hold no key (as :meth:`_track` treats a run of them)."""
        if self._digit >= 0 and last - self._last >= self._min_gap_blocks:
            return self._finish()
        return []

    def _classify(self, blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per block: the index of the key it holds (or -1), and its tone energy ratio."""
        energy = np.einsum("ij,ij->i", blocks, blocks)
        if energy.max(initial=0.0) * self.block_samples < self._min_power:
            # Too quiet for any tone to reach min_level_dbm0 (a filter's power is at most
            # n times the block's energy): skip the filters.
            return np.full(len(blocks), -1), np.zeros(len(blocks))
        projections = blocks @ self._basis
        width = projections.shape[1] // 2
        power = projections[:, :width] ** 2 + projections[:, width:] ** 2
        best = power.reshape(-1, 3, 8).max(axis=1)  # nominal or a probe, the stronger
        index = np.arange(len(blocks))
        row = np.argmax(best[:, :4], axis=1)
        col = np.argmax(best[:, 4:], axis=1)
        p_row, p_col = best[index, row], best[index, 4 + col]
        # The other tones of each group, at their nominal frequencies.
        others = power[:, :8].copy()
        others[index, row] = 0.0
        others[index, 4 + col] = 0.0
        # A sine filling the block has energy n * A**2 / 2 and power (A * n / 2) ** 2.
        ratio = 2 * (p_row + p_col) / (self.block_samples * np.maximum(energy, 1e-9))
        valid = (
            (p_row >= self._min_power)
            & (p_col >= self._min_power)
            & (p_row >= self._margin * others[:, :4].max(axis=1))
            & (p_col >= self._margin * others[:, 4:].max(axis=1))
            & (p_col >= self._twist_lo * p_row)
            & (p_col <= self._twist_hi * p_row)
            & (ratio >= self.settings.min_tone_energy_ratio)
        )
        return np.where(valid, row * 4 + col, -1), ratio

    def _track(self, codes: np.ndarray, ratios: np.ndarray, first_block: int) -> list[DtmfDigit]:
        out: list[DtmfDigit] = []
        if not codes.size:
            return out
        starts = np.concatenate(([0], np.flatnonzero(np.diff(codes)) + 1))
        lengths = np.diff(np.concatenate((starts, [codes.size])))
        for code, start, length in zip(
            codes[starts].tolist(), starts.tolist(), lengths.tolist(), strict=True
        ):
            k = first_block + start
            last = k + length - 1
            if code < 0:
                if self._digit >= 0 and last - self._last >= self._min_gap_blocks:
                    out.extend(self._finish())
                continue
            peak = float(ratios[start : start + length].max())
            if code == self._digit:
                self._last = last
                self._count += length
                self._peak = max(self._peak, peak)
            else:
                if self._digit >= 0:
                    out.extend(self._finish())
                self._digit, self._first, self._last = code, k, last
                self._count, self._peak = length, peak
        return out

    def _finish(self) -> list[DtmfDigit]:
        digit = self._digit
        self._digit = -1
        s = self.settings
        if self._count < self._min_blocks or self._peak < s.min_peak_energy_ratio:
            return []
        # A valid block stands for the hop around its centre.
        hop = self.hop_samples
        lead = (self.block_samples - hop) / 2
        start_s = max(0.0, (self._first * hop + lead) / self.rate_hz)
        end_s = (self._last * hop + lead + hop) / self.rate_hz
        return [DtmfDigit(DIGITS[digit], start_s, end_s)]
