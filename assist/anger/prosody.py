"""Per-channel prosody analysis: audio chunks in, per-frame features and a
:class:`~ivr.events.ProsodyFrame` per 100 ms block out.

Everything runs on the channel resampled to 8 kHz (the telephone band), so a
16 kHz recording and its 8 kHz telephone copy give the same measurements.
Per 10 ms frame: power (dBFS), F0 and voicing (:mod:`.pitch`), the energy in
0.3-1 kHz and 1-3.4 kHz (their ratio is the spectral balance that a raised,
pressed voice shifts upwards and that gain control leaves alone), the
cepstral peak prominence (how far the voice's harmonics stand out of the
spectrum: a forceful voice's rise, blind to the line's gain), syllable
nuclei (peaks of 0.3-2.5 kHz energy on voiced frames, separated by dips) and
whether the speaker is talking (voiced, with a short hang-over).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from statistics import median

import numpy as np

from .pitch import (
    ANALYSIS_RATE_HZ,
    FrameBuffer,
    PitchSettings,
    YinAnalyzer,
    downsampler,
)

BLOCK_FRAMES = 10  # frames per block (one ProsodyFrame per block: 100 ms)
BATCH_FRAMES = 40  # frames analysed together (0.4 s: fewer, larger numpy calls). Fixed,
# so that the results do not depend on how the audio was chunked.
MAX_GAP_S = 2.0  # a gap in the chunk sequence up to this is filled with silence
_SPEC_N = 256
_BAND_LOW_HZ = (300.0, 1000.0)
_BAND_HIGH_HZ = (1000.0, 3400.0)
_BAND_SYLLABLE_HZ = (300.0, 2500.0)
_NUCLEUS_DIP_DB = 2.0  # a nucleus needs a dip this deep on both sides
_NUCLEUS_ABOVE_FLOOR_DB = 12.0
_ACTIVE_ABOVE_FLOOR_DB = 10.0
_VOICED_ABOVE_FLOOR_DB = 10.0
_FLOOR_RISE_DB_PER_S = 1.0
_TALK_HANGOVER_S = 0.3
_RATE_WINDOW_BLOCKS = 50  # syllable rate over the last 5 s ...
_RATE_MIN_ACTIVE_S = 1.0  # ... of which at least this much speech


def _band_mask(lo_hz: float, hi_hz: float) -> np.ndarray:
    freqs = np.fft.rfftfreq(_SPEC_N, 1.0 / ANALYSIS_RATE_HZ)
    return ((freqs >= lo_hz) & (freqs < hi_hz)).astype(np.float64)


_BANDS = np.stack(
    [_band_mask(*_BAND_LOW_HZ), _band_mask(*_BAND_HIGH_HZ), _band_mask(*_BAND_SYLLABLE_HZ)], axis=1
)
_HANN = np.hanning(_SPEC_N + 2)[1:-1]
# Cepstral peak prominence: the cepstrum's peak over quefrencies of 60-400 Hz
# voices, above the straight line fitted to the cepstrum over that range.
_CEP_Q = np.arange(round(ANALYSIS_RATE_HZ / 400.0), round(ANALYSIS_RATE_HZ / 60.0) + 1)
_CEP_LINE = np.linalg.pinv(np.stack([_CEP_Q, np.ones(_CEP_Q.size)], axis=1))  # (2, q)


def cepstral_peak_prominence(power: np.ndarray) -> np.ndarray:
    """Per frame (rows of an ``rfft`` power spectrum of ``_SPEC_N`` samples), dB."""
    cep = np.fft.irfft(10.0 * np.log10(power + 1e-3), n=_SPEC_N, axis=1)[:, _CEP_Q]
    slope, offset = _CEP_LINE @ cep.T
    peak = np.argmax(cep, axis=1)
    rows = np.arange(cep.shape[0])
    return cep[rows, peak] - (slope * _CEP_Q[peak] + offset)


@dataclass(frozen=True)
class Block:
    """Features of ``BLOCK_FRAMES`` consecutive frames of one channel."""

    first_index: int  # global frame index (hop steps since the call started)
    times_s: np.ndarray  # frame centre times
    f0_hz: np.ndarray  # NaN when unvoiced
    power_db: np.ndarray
    low_energy: np.ndarray  # 0.3-1 kHz (linear, per frame)
    high_energy: np.ndarray  # 1-3.4 kHz
    cpp_db: np.ndarray  # cepstral peak prominence
    talking: np.ndarray  # bool: voiced within the last hang-over
    active: np.ndarray  # bool: clearly above the channel's noise floor
    nuclei: int  # syllable nuclei confirmed in this block
    end_s: float  # audio time up to which this block reports
    rate_sps: float | None  # syllables per second of speech over the last seconds
    voiced: np.ndarray  # bool: ``f0_hz`` is a number
    loudness_db: float  # power of the block's mean square, dBFS
    block_f0_hz: float | None  # median F0 of the voiced frames (three at least)


class ChannelAnalyzer:
    """Streaming prosody of one channel. Feed consecutive chunks with
    :meth:`feed`; it returns the blocks completed so far."""

    def __init__(self, rate_hz: int, settings: PitchSettings | None = None) -> None:
        if not isinstance(rate_hz, int) or rate_hz < ANALYSIS_RATE_HZ:
            raise ValueError(f"sample rate {rate_hz!r} Hz is not supported (need 8000 Hz or more)")
        self.rate_hz = rate_hz
        self.yin = YinAnalyzer(settings)
        s = self.yin.settings
        self.hop_s = s.hop / ANALYSIS_RATE_HZ
        self._centre_s = s.window / 2 / ANALYSIS_RATE_HZ
        self._resampler = downsampler(rate_hz)
        self._frames = FrameBuffer(s.frame_length, s.hop)
        self._batch_samples = round(BATCH_FRAMES * self.hop_s * rate_hz)
        self._pending: list[np.ndarray] = []
        self._pending_n = 0
        self._real_samples = 0  # 8 kHz samples of real audio since the (re)start
        self._next_sample: int | None = None  # expected start_sample of the next chunk
        self._index_offset = 0  # global index of local frame 0
        self._floor_db: float | None = None
        self._since_voiced_s = 1e9
        # syllable nucleus peak picker
        self._rising = True
        self._peak_db = -1e9
        self._peak_ok = False
        self._valley_db = 1e9
        self._rate_hist: deque[tuple[int, int]] = deque(maxlen=_RATE_WINDOW_BLOCKS)
        self._rate_active = 0  # sums over ``_rate_hist``: active frames ...
        self._rate_nuclei = 0  # ... and nuclei

    def feed(self, samples: np.ndarray, start_sample: int) -> list[Block]:
        """Add one chunk (int16 samples at ``rate_hz``) starting at ``start_sample``."""
        if self._next_sample is None:
            self._index_offset = round(start_sample / self.rate_hz / self.hop_s)
            self._next_sample = start_sample
        count = samples.size
        gap = start_sample - self._next_sample
        before: list[Block] = []
        if gap > 0:
            if gap <= MAX_GAP_S * self.rate_hz:
                samples = np.concatenate((np.zeros(gap, dtype=np.int16), samples))
            else:  # a long hole: finish what came before, restart at the new position
                before = self.flush()
                self._restart(start_sample)
        elif gap < 0:
            samples = samples[min(-gap, count) :]  # audio already seen
        self._next_sample = max(self._next_sample, start_sample + count)
        self._pending.append(samples)
        self._pending_n += samples.size
        if self._pending_n < self._batch_samples:
            return before
        return before + self._run()

    def flush(self) -> list[Block]:
        """End of stream: pad the held-back audio with silence and return the last blocks."""
        blocks = self._run()
        tail = np.asarray(self._resampler.flush(), dtype=np.float64)
        self._real_samples += tail.size
        pad = np.zeros(self._frames.frame_length + BLOCK_FRAMES * self._frames.hop)
        self._frames.push(np.concatenate((tail, pad)))
        end_index = self._index_offset + -(-self._real_samples // self._frames.hop)
        return blocks + [b for b in self._blocks(final=True) if b.first_index < end_index]

    def _run(self) -> list[Block]:
        if self._pending:
            samples = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
            self._pending, self._pending_n = [], 0
            resampled = self._resampler.process(samples)
            self._real_samples += resampled.size
            self._frames.push(resampled)
        return self._blocks()

    def _blocks(self, final: bool = False) -> list[Block]:
        blocks: list[Block] = []
        while self._frames.available() >= BATCH_FRAMES:
            blocks.extend(self._analyse(self._frames.take(BATCH_FRAMES)))
        if final and self._frames.available() >= BLOCK_FRAMES:
            n = self._frames.available() // BLOCK_FRAMES * BLOCK_FRAMES
            blocks.extend(self._analyse(self._frames.take(n)))
        return blocks

    def _restart(self, start_sample: int) -> None:
        self._pending, self._pending_n = [], 0
        self._real_samples = 0
        self._since_voiced_s = 1e9
        self._resampler = downsampler(self.rate_hz)
        self._frames = FrameBuffer(self._frames.frame_length, self._frames.hop)
        self._index_offset = round(start_sample / self.rate_hz / self.hop_s)
        self.yin.reset()

    def _analyse(self, frames: np.ndarray) -> list[Block]:
        n = frames.shape[0]
        first = self._index_offset + self._frames.frames_out - n
        pitch = self.yin.analyse(frames)
        spec = np.fft.rfft(frames[:, :_SPEC_N] * _HANN, axis=1)
        power = spec.real**2 + spec.imag**2
        bands = power @ _BANDS
        cpp_db = cepstral_peak_prominence(power)
        power_db = pitch.power_db
        f0_hz = pitch.f0_hz
        syl_db = 10.0 * np.log10(bands[:, 2] + 1e-3)

        # Noise floor: follows drops at once, rises slowly. As a recurrence
        # floor[i] = min(p[i], floor[i-1] + rise), i.e. a running minimum of
        # p[j] + rise * (i - j): one cumulative minimum.
        rise = _FLOOR_RISE_DB_PER_S * self.hop_s
        ramp = rise * np.arange(1, n + 1)
        start = self._floor_db if self._floor_db is not None else float(power_db[0])
        floor = np.minimum(np.minimum.accumulate(power_db - ramp + rise), start) + ramp
        floor = np.minimum(floor, power_db)
        self._floor_db = float(floor[-1])
        active = power_db > floor + _ACTIVE_ABOVE_FLOOR_DB
        voiced = pitch.voiced & (
            power_db > floor + _VOICED_ABOVE_FLOOR_DB
        )  # faint: period untrustworthy
        # Talking: voiced within the hang-over.
        idx = np.arange(n)
        last_voiced = np.maximum.accumulate(np.where(voiced, idx, -(10**9)))
        since = np.where(
            last_voiced >= 0,
            (idx - last_voiced) * self.hop_s,
            self._since_voiced_s + (idx + 1) * self.hop_s,
        )
        talking = since <= _TALK_HANGOVER_S
        self._since_voiced_s = float(since[-1])
        # Syllable nuclei: a sequential peak picker (cheap per frame).
        eligible = (voiced & (power_db > floor + _NUCLEUS_ABOVE_FLOOR_DB)).tolist()
        nucleus = self._nuclei(syl_db.tolist(), eligible)

        # Per block, from whole-batch arrays: a block's arrays are views of them.
        nb = n // BLOCK_FRAMES
        times_s = np.arange(first, first + n) * self.hop_s + self._centre_s
        f0_voiced = np.where(voiced, f0_hz, np.nan)
        f0_list = f0_voiced.tolist()
        loudness = 10.0 * np.log10(
            np.mean((10.0 ** (power_db / 10.0)).reshape(nb, BLOCK_FRAMES), axis=1) + 1e-12
        )
        active_counts = active.reshape(nb, BLOCK_FRAMES).sum(axis=1).tolist()
        hist = self._rate_hist
        blocks: list[Block] = []
        for i, b in enumerate(range(0, n, BLOCK_FRAMES)):
            part = slice(b, b + BLOCK_FRAMES)
            nuclei = sum(nucleus[part])
            if len(hist) == hist.maxlen:
                gone_active, gone_nuclei = hist[0]
                self._rate_active -= gone_active
                self._rate_nuclei -= gone_nuclei
            hist.append((active_counts[i], nuclei))
            self._rate_active += active_counts[i]
            self._rate_nuclei += nuclei
            active_s = self._rate_active * self.hop_s
            rate = self._rate_nuclei / active_s if active_s >= _RATE_MIN_ACTIVE_S else None
            f0_block = [f for f in f0_list[part] if f == f]  # NaN is not equal to itself
            index = first + b
            blocks.append(
                Block(
                    first_index=index,
                    times_s=times_s[part],
                    f0_hz=f0_voiced[part],
                    power_db=power_db[part],
                    low_energy=bands[part, 0],
                    high_energy=bands[part, 1],
                    cpp_db=cpp_db[part],
                    talking=talking[part],
                    active=active[part],
                    nuclei=nuclei,
                    end_s=float((index + BLOCK_FRAMES) * self.hop_s),
                    rate_sps=rate,
                    voiced=voiced[part],
                    loudness_db=float(loudness[i]),
                    block_f0_hz=median(f0_block) if len(f0_block) >= 3 else None,
                )
            )
        return blocks

    def _nuclei(self, levels_db: list[float], eligible: list[bool]) -> list[bool]:
        """Hysteresis peak picking on the syllable-band level, frame by frame:
        a peak counts when it was voiced and loud enough and the level then
        fell by the dip. One loop over plain floats (the state is carried
        from batch to batch)."""
        rising, peak_db, peak_ok, valley_db = (
            self._rising, self._peak_db, self._peak_ok, self._valley_db
        )  # fmt: skip
        out = [False] * len(levels_db)
        for i, v in enumerate(levels_db):
            if rising:
                if v > peak_db:
                    peak_db, peak_ok = v, eligible[i]
                elif v < peak_db - _NUCLEUS_DIP_DB:
                    rising, valley_db = False, v
                    out[i] = peak_ok
            elif v < valley_db:
                valley_db = v
            elif v > valley_db + _NUCLEUS_DIP_DB:
                rising, peak_db, peak_ok = True, v, eligible[i]
        self._rising, self._peak_db, self._peak_ok, self._valley_db = (
            rising, peak_db, peak_ok, valley_db
        )  # fmt: skip
        return out
