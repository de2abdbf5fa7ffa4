"""Rational-ratio resampling with a polyphase Kaiser-windowed sinc filter.

For a rate change ``in_rate_hz -> out_rate_hz`` reduced to ``up / down``, the
prototype low-pass filter runs at ``in_rate_hz * up`` and is stored as ``up``
phases of ``taps`` coefficients each, designed once per rate pair and cached.
The pass band ends at ``PASSBAND_FRACTION`` of the lower Nyquist frequency and
the stop band starts exactly at it, so a tone above the new Nyquist frequency
is attenuated by at least ``STOPBAND_ATTENUATION_DB`` (designed) instead of
folding back into the band.

The filter is zero-phase: output sample ``j`` is centred on input time
``j * down / up``, so resampled audio stays aligned with the original. The
streaming :class:`Resampler` therefore holds back about ``taps / 2`` input
samples until more input (or :meth:`Resampler.flush`) arrives; fed in chunks it
produces the same samples as :func:`resample` on the whole signal.

Pure computation: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

__all__ = [
    "PASSBAND_FRACTION",
    "STOPBAND_ATTENUATION_DB",
    "SUPPORTED_RATES_HZ",
    "PolyphaseFilter",
    "Resampler",
    "design_filter",
    "resample",
]

SUPPORTED_RATES_HZ: tuple[int, ...] = (8000, 16000, 22050, 44100, 48000)
"""The rates the product uses; any pair of them works (other integer rates do too
as long as the reduced ratio stays small, see ``_MAX_FACTOR``)."""

STOPBAND_ATTENUATION_DB = 80.0
PASSBAND_FRACTION = 0.85  # 8 kHz telephone audio keeps its 3.4 kHz band
_MAX_FACTOR = 1000  # largest up or down factor after reduction (filter table size)
_SLICE_OUTPUTS = 4096  # outputs filtered per step of a long input


@dataclass(frozen=True)
class PolyphaseFilter:
    """Coefficients of one rate pair: ``phases[p, i]`` weights input sample
    ``floor(j * down / up) - half + i`` for an output ``j`` with
    ``(j * down) % up == p``."""

    in_rate_hz: int
    out_rate_hz: int
    up: int
    down: int
    half: int
    phases: np.ndarray  # shape (up, 2 * half + 1), float64, read-only

    @property
    def taps(self) -> int:
        return self.phases.shape[1]


def _kaiser_beta(attenuation_db: float) -> float:
    if attenuation_db > 50:
        return 0.1102 * (attenuation_db - 8.7)
    if attenuation_db >= 21:
        return 0.5842 * (attenuation_db - 21) ** 0.4 + 0.07886 * (attenuation_db - 21)
    return 0.0


@cache
def design_filter(in_rate_hz: int, out_rate_hz: int) -> PolyphaseFilter:
    """Design (once per rate pair, cached) the polyphase low-pass filter."""
    for name, rate in (("in_rate_hz", in_rate_hz), ("out_rate_hz", out_rate_hz)):
        if not isinstance(rate, int) or isinstance(rate, bool) or rate <= 0:
            raise ValueError(f"{name} must be a positive integer, got {rate!r}")
    g = math.gcd(in_rate_hz, out_rate_hz)
    up, down = out_rate_hz // g, in_rate_hz // g
    if max(up, down) > _MAX_FACTOR:
        raise ValueError(
            f"cannot resample {in_rate_hz} Hz -> {out_rate_hz} Hz: the ratio {up}/{down} "
            f"is too fine; supported rates are {', '.join(map(str, SUPPORTED_RATES_HZ))} Hz"
        )
    # Frequencies in cycles per sample at the upsampled rate (in_rate_hz * up).
    stop = 0.5 / max(up, down)
    passband = stop * PASSBAND_FRACTION
    transition = stop - passband
    cutoff = (stop + passband) / 2
    length = (STOPBAND_ATTENUATION_DB - 7.95) / (2.285 * 2 * math.pi * transition)
    half = max(1, math.ceil(length / 2 / up))
    # Offset (in upsampled samples) of each coefficient from the output instant.
    phase = np.arange(up)[:, None]
    index = np.arange(2 * half + 1)[None, :]
    offset = (phase + (half - index) * up).astype(np.float64)
    support = (half + 1) * up
    window = np.i0(
        _kaiser_beta(STOPBAND_ATTENUATION_DB) * np.sqrt(np.clip(1 - (offset / support) ** 2, 0, 1))
    )
    kernel = 2 * cutoff * np.sinc(2 * cutoff * offset) * window
    # Unit DC gain for every phase (removes the small per-phase gain ripple).
    kernel /= kernel.sum(axis=1, keepdims=True)
    kernel.flags.writeable = False
    return PolyphaseFilter(in_rate_hz, out_rate_hz, up, down, half, kernel)


def _to_int16(values: np.ndarray) -> np.ndarray:
    """Round and saturate float samples in place, then convert (ufuncs: cheap on small chunks)."""
    np.rint(values, out=values)
    np.minimum(values, 32767.0, out=values)
    np.maximum(values, -32768.0, out=values)
    return values.astype(np.int16)


def _windows(buf: np.ndarray, first: int, rows: int, row_step: int, taps: int) -> np.ndarray:
    """Read-only (rows, taps) view: row r is ``buf[first + r * row_step :][:taps]``.

    Built with the ndarray constructor because ``sliding_window_view`` costs more
    than the arithmetic on a 20 ms chunk.
    """
    item = buf.itemsize
    view = np.ndarray(
        (rows, taps),
        dtype=buf.dtype,
        buffer=buf,
        offset=first * item,
        strides=(row_step * item, item),
    )
    view.flags.writeable = False
    return view


class Resampler:
    """Streaming resampler for one channel: int16 in, int16 out (clipped).

    Call :meth:`process` with consecutive chunks of any length and
    :meth:`flush` once at the end; the concatenated outputs have
    ``ceil(n_in * out_rate_hz / in_rate_hz)`` samples and equal
    :func:`resample` of the whole input.
    """

    def __init__(self, in_rate_hz: int, out_rate_hz: int) -> None:
        self.in_rate_hz = in_rate_hz
        self.out_rate_hz = out_rate_hz
        self._identity = in_rate_hz == out_rate_hz
        self._filter = design_filter(in_rate_hz, out_rate_hz)
        f = self._filter
        self._up, self._down, self._half, self._taps = f.up, f.down, f.half, f.taps
        self._clear()

    def _clear(self) -> None:
        # Pending input, float64, contiguous; element 0 is input sample `_buf_start`
        # (negative indices are the silence before the stream starts).
        self._buf = np.zeros(self._half, dtype=np.float64)
        self._buf_start = -self._half
        self._n_in = 0
        self._n_out = 0
        self._flushed = False

    @property
    def taps(self) -> int:
        """Input samples weighted for each output sample (0 when the rates are equal)."""
        return 0 if self._identity else self._taps

    @property
    def delay_samples(self) -> int:
        """Input samples held back until more input arrives (the filter's look-ahead)."""
        return 0 if self._identity else self._half

    @property
    def samples_in(self) -> int:
        return self._n_in

    @property
    def samples_out(self) -> int:
        return self._n_out

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Resample the next chunk; returns the output samples that are now complete."""
        if self._flushed:
            raise RuntimeError("Resampler.process() after flush(); create a new Resampler")
        samples = np.asarray(samples)
        if samples.ndim != 1:
            raise ValueError(f"expected a 1-D array of samples, got shape {samples.shape}")
        self._n_in += samples.size
        if self._identity:
            self._n_out += samples.size
            return samples.astype(np.int16, copy=True)
        if samples.size:
            self._buf = np.concatenate((self._buf, samples))
        available = self._buf_start + self._buf.size - self._half
        end = -((-available * self._up) // self._down)  # ceil(available * up / down)
        return self._produce(end)

    def flush(self) -> np.ndarray:
        """Emit the held-back tail (the input is treated as followed by silence)."""
        if self._flushed:
            return np.zeros(0, dtype=np.int16)
        self._flushed = True
        if self._identity:
            return np.zeros(0, dtype=np.int16)
        total = -((-self._n_in * self._up) // self._down)
        self._buf = np.concatenate((self._buf, np.zeros(self._taps, dtype=np.float64)))
        return self._produce(total)

    def reset(self) -> None:
        """Forget all state, as if newly created."""
        self._clear()

    def _produce(self, end: int) -> np.ndarray:
        start = self._n_out
        if end <= start:
            return np.zeros(0, dtype=np.int16)
        # Long inputs are filtered in slices so the temporary window matrices stay small.
        step = _SLICE_OUTPUTS * self._up if self._down == 1 else _SLICE_OUTPUTS
        if end - start <= step:
            values = self._filter_range(start, end)
        else:
            values = np.concatenate(
                [self._filter_range(s, min(s + step, end)) for s in range(start, end, step)]
            )
        self._n_out = end
        # Drop input no later output needs.
        keep_from = (end * self._down) // self._up - self._half - self._buf_start
        if keep_from > 0:
            self._buf = self._buf[keep_from:]
            self._buf_start += keep_from
        return _to_int16(values)

    def _filter_range(self, start: int, end: int) -> np.ndarray:
        """Float outputs start..end (the input they need is in the buffer)."""
        up, down, half = self._up, self._down, self._half
        buf, taps = self._buf, self._taps
        if down == 1:
            # Outputs start..end are whole blocks of `up` (process/flush keep them aligned):
            # phase p of block j is buf[first + j:][:taps] . phases[p], one correlation per
            # phase (about half the CPU of a matmul on a strided window view).
            first = start // up - half - self._buf_start
            blocks = (end - start) // up
            span = buf[first : first + blocks + taps - 1]
            out = np.empty((blocks, up), dtype=np.float64)
            for p in range(up):
                out[:, p] = np.correlate(span, self._filter.phases[p], "valid")
            return out.ravel()
        if up == 1:
            first = start * down - half - self._buf_start
            return _windows(buf, first, end - start, down, taps) @ self._filter.phases[0]
        position = np.arange(start, end, dtype=np.int64) * down
        every = _windows(buf, 0, buf.size - taps + 1, 1, taps)
        rows = every[position // up - half - self._buf_start]
        return np.einsum("ij,ij->i", rows, self._filter.phases[position % up])


def resample(samples: np.ndarray, in_rate_hz: int, out_rate_hz: int) -> np.ndarray:
    """Resample a whole int16 signal (1-D) in one call."""
    resampler = Resampler(in_rate_hz, out_rate_hz)
    head = resampler.process(samples)
    tail = resampler.flush()
    return np.concatenate((head, tail))
