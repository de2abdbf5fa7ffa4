"""What the dev sets hold: many clip-level cues, a classifier, sets held out.

The anger core's held-out figure can only be judged against what the data
allow. Here every two-clip call is reduced to the change of 15 cues from the
speaker's neutral clip to the clip under test, each over the whole clip
(pitch median, 90th percentile, range and movement; level and level range;
spectral balance, Hammarberg index, centroid and flux; H1-H2; cepstral peak
prominence; voiced share, onset steepness, syllable rate; pitch and cepstral
peak prominence per frame as the anger core's channel analysis measures
them), and a logistic
regression is fitted with each set left out and scored on it, each training
set counting once. It knows where the test clip starts and sees it whole,
which the live core cannot: an optimistic bound for a linear mix of such
cues, not a rival product. Printed beside the core's held-out figure.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import signal

from assist.anger.prosody import ChannelAnalyzer
from bench._fusion_fit import uar
from bench._voice_calls import PAUSE_S, VoiceCall, test_start_s

CUE_NAMES = (
    "pitch",
    "pitch_p90",
    "pitch_range",
    "pitch_movement",
    "level",
    "level_range",
    "balance",
    "hammarberg",
    "centroid",
    "flux",
    "h1_h2",
    "cpp",
    "voiced_share",
    "onset",
    "syllable_rate",
)
LEVEL_CUES = ("level",)
_SPEECH_BELOW_PEAK_DB = 35.0
_LEAD_S = 0.3


def call_cues(call: VoiceCall, pcm: np.ndarray, rate_hz: int) -> np.ndarray | None:
    """The test clip's cues less the baseline clip's (None without a baseline clip)."""
    if not call.own_baseline:
        return None
    t0 = round(test_start_s(call) * rate_hz)
    x = pcm.astype(np.float64)
    return clip_cues(x[t0:], rate_hz) - clip_cues(x[: t0 - round(PAUSE_S * rate_hz)], rate_hz)


def clip_cues(x: np.ndarray, rate_hz: int) -> np.ndarray:
    """The cues of one clip, in the order of :data:`CUE_NAMES`."""
    n, hop = int(0.032 * rate_hz), int(0.010 * rate_hz)
    if x.size < n + hop:
        x = np.concatenate((x, np.zeros(n + hop - x.size)))
    frames = np.lib.stride_tricks.sliding_window_view(x, n)[::hop] * np.hanning(n)
    power = np.abs(np.fft.rfft(frames, 2 * n)) ** 2 + 1e-6
    freqs = np.fft.rfftfreq(2 * n, 1 / rate_hz)
    frame_db = 10 * np.log10(power.sum(axis=1))
    speech = frame_db > frame_db.max() - _SPEECH_BELOW_PEAK_DB

    # Pitch and cepstral peak prominence per frame as the anger core measures
    # them; a lead of silence first, as a call has, so that its noise floor
    # (speech counts as voiced only well above it) starts below the speech.
    lead = np.zeros(round(_LEAD_S * rate_hz), dtype=np.int16)
    analyzer = ChannelAnalyzer(rate_hz)
    samples = np.clip(np.round(x), -32768, 32767).astype(np.int16)
    blocks = analyzer.feed(np.concatenate((lead, samples)), 0) + analyzer.flush()
    times_s = np.concatenate([b.times_s for b in blocks]) - _LEAD_S
    f0_all = np.nan_to_num(np.concatenate([b.f0_hz for b in blocks]))
    cpp_voiced = np.concatenate([b.cpp_db[b.voiced] for b in blocks])
    centres_s = np.arange(len(frames)) * hop / rate_hz + n / rate_hz / 2
    f0 = f0_all[np.clip(np.searchsorted(times_s, centres_s), 0, max(len(f0_all) - 1, 0))]
    voiced = (f0 > 0) & speech
    chosen = voiced if voiced.sum() >= 5 else speech

    def band(lo_hz: float, hi_hz: float) -> np.ndarray:
        return power[:, (freqs >= lo_hz) & (freqs < hi_hz)]

    st = 12 * np.log2(f0_all[f0_all > 0] / 100.0) if (f0_all > 0).any() else np.zeros(1)
    steps = np.abs(np.diff(12 * np.log2(np.maximum(f0_all, 1.0) / 100.0)))
    both = (f0_all[1:] > 0) & (f0_all[:-1] > 0)
    phone = (freqs >= 300) & (freqs < 3400)
    log_phone = np.log(power[:, phone])
    low_max = 10 * np.log10(band(300, 2000).max(axis=1))
    high_max = 10 * np.log10(band(2000, 3400).max(axis=1))
    centroid = (power[:, phone] * freqs[phone]).sum(axis=1) / power[:, phone].sum(axis=1)
    flux = np.maximum(np.diff(log_phone, axis=0), 0).mean(axis=1)
    rises = np.diff(frame_db)[speech[1:]]
    syllable_db = np.convolve(10 * np.log10(band(300, 2000).sum(axis=1)), np.ones(5) / 5, "same")
    peaks, _ = signal.find_peaks(syllable_db, prominence=3, distance=8)
    speech_s = max(speech.sum() * hop / rate_hz, 0.3)
    return np.array(
        [
            np.median(st),
            np.percentile(st, 90),
            np.percentile(st, 90) - np.percentile(st, 10),
            np.median(steps[both]) if both.sum() > 3 else 0.0,
            10 * np.log10(power[chosen].sum(axis=1).mean()),
            np.percentile(frame_db[speech], 95) - np.percentile(frame_db[speech], 20),
            10 * np.log10(band(1000, 3400)[chosen].sum() / band(300, 1000)[chosen].sum()),
            np.median((low_max - high_max)[chosen]),
            np.median(centroid[chosen]),
            np.mean(flux[speech[1:]]) if speech[1:].any() else 0.0,
            _h1_h2(power, freqs, f0, voiced),
            float(np.median(cpp_voiced)) if cpp_voiced.size else 0.0,
            voiced.sum() / max(speech.sum(), 1),
            np.percentile(rises, 95) if rises.size else 0.0,
            np.count_nonzero(speech[peaks]) / speech_s,
        ]
    )


def _h1_h2(power: np.ndarray, freqs: np.ndarray, f0: np.ndarray, voiced: np.ndarray) -> float:
    """Median level of the first harmonic over the second, voiced frames (dB)."""
    rows = np.flatnonzero(voiced & (2 * f0 < freqs[-1] - 100))
    if rows.size == 0:
        return 0.0
    bin_hz = freqs[1]

    def harmonic_db(k: int) -> np.ndarray:
        centre = np.round(k * f0[rows] / bin_hz).astype(int)
        near = np.clip(centre[:, None] + np.arange(-2, 3), 0, len(freqs) - 1)
        return 10 * np.log10(power[rows[:, None], near].max(axis=1))

    return float(np.median(harmonic_db(1) - harmonic_db(2)))


def _logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Weighted L2-regularised logistic regression by Newton steps; last entry the intercept."""
    xb = np.c_[x, np.ones(len(x))]
    beta = np.zeros(xb.shape[1])
    penalty = l2 * np.r_[np.ones(x.shape[1]), 0.0]
    for _ in range(30):
        p = 1 / (1 + np.exp(-xb @ beta))
        grad = xb.T @ (weight * (p - y)) + penalty * beta
        hess = (xb * (weight * p * (1 - p))[:, None]).T @ xb + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def held_out_flags(x: np.ndarray, angry: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Each call flagged by a model fitted on the other groups (each group,
    and each class within it, weighing the same in the fit)."""
    flags = np.zeros(len(angry), dtype=bool)
    for held in np.unique(group):
        train = group != held
        xt, yt, gt = x[train], angry[train], group[train]
        mean, sd = xt.mean(axis=0), xt.std(axis=0) + 1e-9
        weight = np.zeros(len(yt))
        for g in np.unique(gt):
            for cls in (False, True):
                m = (gt == g) & (yt == cls)
                weight[m] = 1.0 / max(int(m.sum()), 1)
        weight *= len(weight) / weight.sum()
        beta = _logistic((xt - mean) / sd, yt.astype(float), weight)
        z = ((x[~train] - mean) / sd) @ beta[:-1] + beta[-1]
        flags[~train] = z > 0
    return flags


def print_ceiling(
    results: dict[str, list], corpora: list[str], line: Callable[[str, list[str]], str]
) -> None:
    """``results``: per variant, scored calls with ``clip_cues`` (None without a baseline)."""
    print(
        f"\nCEILING: logistic regression over {len(CUE_NAMES)} clip-level cues (test clip vs "
        "the speaker's neutral clip), each set held out; strict UAR to compare with HELD OUT"
    )
    level_free = [i for i, name in enumerate(CUE_NAMES) if name not in LEVEL_CUES]
    two = [CUE_NAMES.index("pitch"), CUE_NAMES.index("balance")]
    for v, scored in results.items():
        own = [s for s in scored if s.clip_cues is not None]
        x = np.nan_to_num(np.array([s.clip_cues for s in own]))
        y = np.array([s.angry for s in own])
        g = np.array([s.corpus for s in own])
        columns = {
            "all cues": list(range(len(CUE_NAMES))),
            "no level": level_free,
            "pitch+bal": two,
        }
        flags = {name: held_out_flags(x[:, cols], y, g) for name, cols in columns.items()}
        print(f" {v}:")
        print(line("set", list(columns)))
        for name in [*corpora, "POOLED"]:
            m = np.ones(len(y), bool) if name == "POOLED" else g == name
            if m.any():
                print(line(name, [f"{uar(y[m], f[m]):.3f}" for f in flags.values()]))
