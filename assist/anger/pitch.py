"""A streaming F0 tracker: YIN-style cumulative-mean-normalised difference
function, evaluated on batches of frames with one FFT each, plus a light
octave-error repair from frame to frame.

All analysis runs at 8 kHz (other rates are resampled first by the caller or by
:class:`PitchTracker`): it is the telephone rate, it keeps the 16 kHz and the
8 kHz version of a call on the same measurement, and it halves the work.

Per frame (``window_s`` long, one every ``hop_s``) the tracker gives F0 in Hz
(NaN when unvoiced) and the aperiodicity, the normalised difference at the
chosen period (0 = perfectly periodic, about 1 = noise; 1 for frames under the
silence level, which are not searched).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import numpy as np

from ivr.audio.resample import Resampler

ANALYSIS_RATE_HZ = 8000
_STRAY_RATIO = 1.6
_STRAY_APERIODICITY = 0.15
_HISTORY_FRAMES = 60  # recent voiced frames that define "the speaker's pitch now"


@dataclass(frozen=True)
class PitchSettings:
    f0_min_hz: float = 60.0
    f0_max_hz: float = 500.0
    window_s: float = 0.03  # integration window of the difference function
    hop_s: float = 0.01
    dip_threshold: float = 0.15  # first dip of d' under this (or under the minimum + dip_margin)
    dip_margin: float = 0.08
    voicing_threshold: float = 0.35  # voiced when d' at the chosen lag is below this
    silence_db: float = -60.0  # frames quieter than this (dBFS) are unvoiced

    @property
    def window(self) -> int:
        return round(self.window_s * ANALYSIS_RATE_HZ)

    @property
    def hop(self) -> int:
        return round(self.hop_s * ANALYSIS_RATE_HZ)

    @property
    def lag_min(self) -> int:
        return int(np.floor(ANALYSIS_RATE_HZ / self.f0_max_hz))

    @property
    def lag_max(self) -> int:
        return int(np.ceil(ANALYSIS_RATE_HZ / self.f0_min_hz))

    @property
    def frame_length(self) -> int:
        """Samples one frame needs: the window plus the longest lag (+1 for interpolation)."""
        return self.window + self.lag_max + 2


@dataclass(frozen=True)
class PitchFrames:
    f0_hz: np.ndarray  # NaN where unvoiced
    aperiodicity: np.ndarray
    power_db: np.ndarray  # mean square of the window, dB re full scale (int16)

    @property
    def voiced(self) -> np.ndarray:
        return ~np.isnan(self.f0_hz)


class YinAnalyzer:
    """Stateless per-batch analysis (plus the previous F0 for continuity)."""

    def __init__(self, settings: PitchSettings | None = None) -> None:
        self.settings = s = settings or PitchSettings()
        self._w = s.window
        self._lmax = s.lag_max + 1
        self._lmin = max(2, s.lag_min)
        self._nfft = 1 << int(np.ceil(np.log2(s.frame_length)))
        self._lags = np.arange(self._lmax + 1, dtype=np.float64)
        self._history = np.zeros(0)

    def reset(self) -> None:
        self._history = np.zeros(0)

    def analyse(self, frames: np.ndarray) -> PitchFrames:
        """``frames``: (n, frame_length) float samples at 8 kHz (int16 scale)."""
        s, w, lmax, lmin = self.settings, self._w, self._lmax, self._lmin
        x = frames - frames[:, :w].mean(axis=1, keepdims=True)
        sq = np.zeros((x.shape[0], x.shape[1] + 1))
        np.cumsum(x * x, axis=1, out=sq[:, 1:])
        e0 = sq[:, w]
        power_db = 10.0 * np.log10(e0 / w / (32768.0**2) + 1e-12)
        # The period search runs on frames above the silence level only (the
        # others are unvoiced whatever it finds): a caller silent under a
        # prompt or while the agent talks costs little.
        loud = power_db > s.silence_db
        d = np.zeros((x.shape[0], lmax + 1))
        dn = np.ones_like(d)
        if loud.any():
            xs, sqs = (x, sq) if loud.all() else (x[loud], sq[loud])
            spec_all = np.fft.rfft(xs, self._nfft, axis=1)
            spec_win = np.fft.rfft(xs[:, :w], self._nfft, axis=1)
            r = np.fft.irfft(np.conj(spec_win) * spec_all, self._nfft, axis=1)[:, : lmax + 1]
            e_lag = sqs[:, w : w + lmax + 1] - sqs[:, : lmax + 1]
            dl = np.maximum(sqs[:, w, None] + e_lag - 2.0 * r, 0.0)
            dl[:, 0] = 0.0
            cum = np.cumsum(dl[:, 1:], axis=1)
            d[loud] = dl
            dn[loud, 1:] = dl[:, 1:] * self._lags[1:] / np.maximum(cum, 1e-12)
        inner = dn[:, lmin:lmax]  # lags lmin .. lmax-1 (neighbours exist on both sides)
        left = dn[:, lmin - 1 : lmax - 1]
        right = dn[:, lmin + 1 : lmax + 1]
        is_min = (inner <= left) & (inner <= right)
        global_min = np.where(is_min, inner, np.inf).min(axis=1)
        global_min = np.where(np.isfinite(global_min), global_min, inner.min(axis=1))
        limit = np.maximum(s.dip_threshold, global_min + s.dip_margin)
        cand = is_min & (inner <= limit[:, None])
        has = cand.any(axis=1)
        first = np.where(has, cand.argmax(axis=1), inner.argmin(axis=1))
        rows = np.arange(x.shape[0])
        lag = first + lmin
        ap = dn[rows, lag]

        # Parabolic interpolation on the raw difference function.
        y0, y1, y2 = d[rows, lag - 1], d[rows, lag], d[rows, lag + 1]
        denom = y0 - 2.0 * y1 + y2
        shift = np.where(
            np.abs(denom) > 1e-12, 0.5 * (y0 - y2) / np.where(denom == 0, 1, denom), 0.0
        )
        period = lag + np.clip(shift, -0.5, 0.5)
        f0 = ANALYSIS_RATE_HZ / period

        voiced = (ap < s.voicing_threshold) & loud
        f0 = np.where(voiced, f0, np.nan)
        f0 = self._repair_octaves(f0, dn, ap)
        return PitchFrames(_clean_runs(f0), ap, power_db)

    def _repair_octaves(self, f0: np.ndarray, dn: np.ndarray, ap: np.ndarray) -> np.ndarray:
        """Pull octave (and third) errors towards the speaker's recent pitch.

        In the telephone band the fundamental is often gone and a strong 2nd or
        3rd harmonic makes a dip at a fraction of the period. A frame whose F0
        is far from the median of the recent voiced frames is moved to the
        multiple or fraction nearest that median when the difference function
        has a comparably deep dip there.
        """
        voiced = ~np.isnan(f0)
        if not voiced.any():
            return f0
        history = self._history
        heard = f0[voiced]
        ref = median(history.tolist() + heard.tolist())
        out = f0.copy()
        ratio = ref / np.where(voiced, f0, ref)
        far = voiced & (np.abs(np.log2(ratio)) > 0.55)
        if far.any():
            rows = np.flatnonzero(far)
            factor = ratio[rows]
            # nearest of x2, x3, /2, /3 to the reference
            options = np.array([2.0, 3.0, 0.5, 1.0 / 3.0])
            distance = np.abs(np.log2(factor[:, None] / options[None, :]))
            pick = options[distance.argmin(axis=1)]
            lag = np.rint(ANALYSIS_RATE_HZ / (f0[rows] * pick)).astype(int)
            ok = (distance.min(axis=1) < 0.32) & (lag - 3 >= 1) & (lag + 3 <= self._lmax)
            offsets = np.clip(lag[:, None] + np.arange(-3, 4)[None, :], 1, self._lmax)
            vals = dn[rows[:, None], offsets]
            best = vals.argmin(axis=1)
            new_lag = offsets[np.arange(rows.size), best]
            new_ap = vals[np.arange(rows.size), best]
            take = ok & (new_ap < ap[rows] + 0.12) & (new_ap < self.settings.voicing_threshold)
            out[rows[take]] = ANALYSIS_RATE_HZ / new_lag[take]
        # Far above the recent pitch and only loosely periodic: voiced
        # consonants in the telephone band, not a real pitch excursion.
        stray = (out > _STRAY_RATIO * ref) & (ap > _STRAY_APERIODICITY)
        out[stray] = np.nan
        # The history keeps the raw values, so a real change of register moves
        # the reference within a fraction of a second instead of being "repaired".
        self._history = np.concatenate((history, heard))[-_HISTORY_FRAMES:]
        return out


def _clean_runs(f0: np.ndarray, min_run: int = 3, max_dev_oct: float = 0.6) -> np.ndarray:
    """Drop voiced runs shorter than ``min_run`` frames (voicing onsets and
    offsets in band-limited audio give stray values) and frames more than
    ``max_dev_oct`` octaves from their run's median."""
    voiced = ~np.isnan(f0)
    if not voiced.any():
        return f0
    out = f0.copy()
    edges = np.flatnonzero(np.diff(np.concatenate(([0], voiced.view(np.int8), [0]))))
    for start, stop in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        if stop - start < min_run:
            out[start:stop] = np.nan
        elif stop - start >= 4:
            run = out[start:stop]
            dev = np.abs(np.log2(run / median(run.tolist())))
            run[dev > max_dev_oct] = np.nan
    return out


class Decimator:
    """Integer-factor down-sampling to 8 kHz with a windowed-sinc low-pass
    (flat to about 3.4 kHz). Much cheaper than a general resampler; fine for
    analysis, which only looks below 3.4 kHz. Delay: half the filter (~2 ms)."""

    def __init__(self, factor: int) -> None:
        self.factor = factor
        taps = 32 * factor + 1
        n = np.arange(taps) - (taps - 1) / 2
        cutoff = 3750.0 / (ANALYSIS_RATE_HZ * factor)  # cycles per input sample
        h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.blackman(taps + 2)[1:-1]
        self._h = h / h.sum()
        self._tail = np.zeros(taps - 1)
        self._phase = 0

    def process(self, samples: np.ndarray) -> np.ndarray:
        buf = np.concatenate((self._tail, samples.astype(np.float64)))
        filtered = np.convolve(buf, self._h, mode="valid")
        self._tail = buf[buf.size - self._tail.size :]
        out = filtered[self._phase :: self.factor]
        self._phase = (self._phase - filtered.size) % self.factor
        return out

    def flush(self) -> np.ndarray:
        return np.zeros(0)


def downsampler(rate_hz: int) -> Decimator | Resampler:
    """A streaming converter of ``rate_hz`` audio to the 8 kHz analysis rate."""
    if rate_hz % ANALYSIS_RATE_HZ == 0:
        return Decimator(rate_hz // ANALYSIS_RATE_HZ)
    return Resampler(rate_hz, ANALYSIS_RATE_HZ)


class FrameBuffer:
    """Cuts a stream of samples into overlapping frames (hop apart)."""

    def __init__(self, frame_length: int, hop: int) -> None:
        self.frame_length = frame_length
        self.hop = hop
        self._buf = np.zeros(0, dtype=np.float64)
        self.frames_out = 0  # index of the next frame

    def push(self, samples: np.ndarray) -> None:
        self._buf = np.concatenate((self._buf, samples.astype(np.float64)))

    def available(self) -> int:
        if self._buf.size < self.frame_length:
            return 0
        return (self._buf.size - self.frame_length) // self.hop + 1

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` frames as a (n, frame_length) array (a copy)."""
        view = np.lib.stride_tricks.sliding_window_view(self._buf, self.frame_length)[:: self.hop][
            :n
        ]
        out = np.array(view)
        self._buf = self._buf[n * self.hop :]
        self.frames_out += n
        return out


_EMPTY = PitchFrames(np.zeros(0), np.zeros(0), np.zeros(0))


def _concat(parts: list[PitchFrames]) -> PitchFrames:
    if not parts:
        return _EMPTY
    if len(parts) == 1:
        return parts[0]
    return PitchFrames(
        np.concatenate([p.f0_hz for p in parts]),
        np.concatenate([p.aperiodicity for p in parts]),
        np.concatenate([p.power_db for p in parts]),
    )


class PitchTracker:
    """Convenience streaming tracker for whole signals or chunks at any rate.

    The anger core uses :class:`YinAnalyzer` through its prosody analyser; this
    class exists for benchmarks and for anyone who only wants F0.
    """

    def __init__(
        self, rate_hz: int, settings: PitchSettings | None = None, batch: int = 20
    ) -> None:
        self.analyzer = YinAnalyzer(settings)
        self.batch = batch
        s = self.analyzer.settings
        self._resampler = downsampler(rate_hz)
        self._frames = FrameBuffer(s.frame_length, s.hop)

    @property
    def hop_s(self) -> float:
        return self.analyzer.settings.hop_s

    def frame_times_s(self, first: int, n: int) -> np.ndarray:
        """Centre times of frames ``first .. first+n-1`` (seconds from stream start)."""
        s = self.analyzer.settings
        return (np.arange(first, first + n) * s.hop + s.window / 2) / ANALYSIS_RATE_HZ

    def process(self, samples: np.ndarray) -> PitchFrames:
        """F0 of the frames completed by these samples (int16 or float, int16
        scale). Frames are analysed in batches of ``batch`` for speed, so a
        call may return nothing; :meth:`flush` returns the rest."""
        self._frames.push(
            np.asarray(self._resampler.process(np.asarray(samples)), dtype=np.float64)
        )
        parts = []
        while self._frames.available() >= self.batch:  # fixed batches: chunking does not matter
            parts.append(self.analyzer.analyse(self._frames.take(self.batch)))
        return _concat(parts)

    def flush(self) -> PitchFrames:
        self._frames.push(np.asarray(self._resampler.flush(), dtype=np.float64))
        self._frames.push(np.zeros(self._frames.frame_length))
        parts = []
        while (n := min(self.batch, self._frames.available())) > 0:
            parts.append(self.analyzer.analyse(self._frames.take(n)))
        return _concat(parts)

    def track(self, samples: np.ndarray, block: int = 1600) -> tuple[np.ndarray, PitchFrames]:
        """Whole signal in ``block``-sample chunks: (frame centre times, frames)."""
        parts = [self.process(samples[i : i + block]) for i in range(0, len(samples), block)]
        frames = _concat([*parts, self.flush()])
        return self.frame_times_s(0, frames.f0_hz.size), frames
