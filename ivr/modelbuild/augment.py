"""Channel effects for training audio: telephone band, gain, noise, padding.

All functions take and return float32 samples at PCM16 scale and are
deterministic given the numpy Generator passed in.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, resample_poly, sosfilt

from ivr.modelbuild.resample import kaldi_resample

TELEPHONE_RATE_HZ = 8000


def telephone_line(samples: np.ndarray, rate_hz: int, *, mulaw: bool = False) -> np.ndarray:
    """What a telephone line delivers: 300-3400 Hz, 8 kHz, PCM16 (or mu-law) samples."""
    sos = butter(4, [300.0, 3400.0], btype="bandpass", fs=rate_hz, output="sos")
    band = sosfilt(sos, samples)
    g = np.gcd(rate_hz, TELEPHONE_RATE_HZ)
    narrow = resample_poly(band, TELEPHONE_RATE_HZ // g, rate_hz // g)
    narrow = np.clip(np.round(narrow), -32768, 32767)
    if mulaw:
        narrow = _mulaw_round_trip(narrow)
    return narrow.astype(np.float32)


def _mulaw_round_trip(samples: np.ndarray, mu: float = 255.0) -> np.ndarray:
    """Continuous mu-law companding quantised to 8 bits (close to G.711)."""
    x = np.clip(samples / 32768.0, -1.0, 1.0)
    code = np.round(np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu) * 127.0)
    y = np.sign(code) * np.expm1(np.abs(code) / 127.0 * np.log1p(mu)) / mu
    return np.round(y * 32768.0)


def telephone_band(samples: np.ndarray, rate_hz: int, *, mulaw: bool = False) -> np.ndarray:
    """A telephone line heard by a ``rate_hz`` model: upsampled back as vosk does."""
    narrow = telephone_line(samples, rate_hz, mulaw=mulaw)
    return kaldi_resample(narrow, TELEPHONE_RATE_HZ, rate_hz)[: samples.size]


def coloured_noise(n: int, rng: np.random.Generator, colour: float) -> np.ndarray:
    """Unit-RMS noise whose power falls as 1/f**colour (0 white, 1 pink, 2 brown)."""
    spectrum = rng.normal(size=n // 2 + 1) + 1j * rng.normal(size=n // 2 + 1)
    freqs = np.arange(n // 2 + 1, dtype=np.float64)
    freqs[0] = 1.0
    noise = np.fft.irfft(spectrum / freqs ** (colour / 2.0), n)
    rms = float(np.sqrt(np.mean(noise**2))) or 1.0
    return (noise / rms).astype(np.float32)


def add_noise(
    samples: np.ndarray, rng: np.random.Generator, snr_db: float, colour: float
) -> np.ndarray:
    """Add noise at ``snr_db`` below the speech level (RMS over louder frames)."""
    if samples.size == 0:
        return samples
    frames = (
        samples[: samples.size // 160 * 160].reshape(-1, 160)
        if samples.size >= 160
        else (samples.reshape(1, -1))
    )
    energy = np.mean(frames.astype(np.float64) ** 2, axis=1)
    loud = energy[energy >= np.percentile(energy, 50)]
    speech_rms = float(np.sqrt(np.mean(loud))) if loud.size else 1.0
    noise_rms = speech_rms / (10.0 ** (snr_db / 20.0))
    return samples + coloured_noise(samples.size, rng, colour) * noise_rms


def treble_shelf(samples: np.ndarray, rate_hz: int, gain_db: float) -> np.ndarray:
    """Boost (or cut) everything above about 3 kHz: a flatter spectral tilt, as in hot anger."""
    if gain_db == 0.0:
        return samples
    sos = butter(2, 3000.0, btype="highpass", fs=rate_hz, output="sos")
    high = sosfilt(sos, samples)
    return (samples + (10.0 ** (gain_db / 20.0) - 1.0) * high).astype(np.float32)


def warp_speed(samples: np.ndarray, factor_num: int, factor_den: int) -> np.ndarray:
    """Play audio ``num/den`` times slower: longer, lower pitch and formants (as from a
    longer vocal tract); Kaldi-style speed perturbation."""
    if factor_num == factor_den:
        return samples
    return resample_poly(samples, factor_num, factor_den).astype(np.float32)


def apply_gain(samples: np.ndarray, gain_db: float) -> np.ndarray:
    """Scale and clip to the PCM16 range, as a real line would."""
    return np.clip(samples * 10.0 ** (gain_db / 20.0), -32768.0, 32767.0).astype(np.float32)


def pad_silence(samples: np.ndarray, rate_hz: int, lead_s: float, trail_s: float) -> np.ndarray:
    lead = np.zeros(int(lead_s * rate_hz), dtype=np.float32)
    trail = np.zeros(int(trail_s * rate_hz), dtype=np.float32)
    return np.concatenate([lead, samples.astype(np.float32), trail])
