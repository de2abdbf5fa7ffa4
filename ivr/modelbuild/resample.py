"""Kaldi's LinearResample (windowed-sinc), as vosk applies it to 8 kHz input.

When a 16 kHz model gets 8 kHz audio and ``--allow-upsample=true``, Kaldi
resamples with a Hann-windowed sinc: cutoff 0.99 x half the lower rate,
6 zeros. Its short window leaves a soft band edge, so training audio that
stands for telephone input is upsampled the same way here.
"""

from __future__ import annotations

import math

import numpy as np

NUM_ZEROS = 6


def _filter(t: np.ndarray, cutoff_hz: float) -> np.ndarray:
    half_width = NUM_ZEROS / (2.0 * cutoff_hz)
    window = np.where(
        np.abs(t) < half_width, 0.5 * (1.0 + np.cos(2.0 * np.pi * cutoff_hz / NUM_ZEROS * t)), 0.0
    )
    safe_t = np.where(t == 0.0, 1.0, t)
    sinc = np.where(
        t == 0.0, 2.0 * cutoff_hz, np.sin(2.0 * np.pi * cutoff_hz * t) / (np.pi * safe_t)
    )
    return sinc * window


def kaldi_resample(samples: np.ndarray, in_rate_hz: int, out_rate_hz: int) -> np.ndarray:
    """Resample a whole signal (input flushed at the end), Kaldi-style."""
    if in_rate_hz == out_rate_hz:
        return np.asarray(samples, dtype=np.float32)
    x = np.asarray(samples, dtype=np.float64)
    g = math.gcd(in_rate_hz, out_rate_hz)
    up, down = out_rate_hz // g, in_rate_hz // g  # output samples per period, inputs per period
    cutoff = 0.99 * 0.5 * min(in_rate_hz, out_rate_hz)
    half_width_s = NUM_ZEROS / (2.0 * cutoff)
    num_out = _num_output_samples(x.size, in_rate_hz, out_rate_hz)
    out = np.zeros(num_out)
    reach = math.ceil(half_width_s * in_rate_hz) + 1
    padded = np.concatenate([np.zeros(reach + down), x, np.zeros(reach + down + 1)])
    for phase in range(up):
        n = np.arange(phase, num_out, up)
        if n.size == 0:
            continue
        q = n // up
        centre = (phase * down) // up  # first input sample at or before the output time
        t_out = phase / out_rate_hz
        offsets = np.arange(-reach, reach + 1)
        k_rel = centre + offsets  # input index relative to q * down
        weights = _filter(t_out - k_rel / in_rate_hz, cutoff) / in_rate_hz
        keep = weights != 0.0
        acc = np.zeros(n.size)
        for k, w in zip(k_rel[keep], weights[keep], strict=True):
            acc += w * padded[q * down + k + reach + down]
        out[n] = acc
    return out.astype(np.float32)


def _num_output_samples(num_in: int, in_rate_hz: int, out_rate_hz: int) -> int:
    tick = in_rate_hz * out_rate_hz // math.gcd(in_rate_hz, out_rate_hz)
    ticks_in = tick // in_rate_hz
    ticks_out = tick // out_rate_hz
    interval = num_in * ticks_in
    last = interval // ticks_out
    if last * ticks_out == interval:
        last -= 1
    return last + 1
