"""How the customer sounds now, against how they sounded when calm.

:class:`VoiceWindow` keeps the customer's recent voiced frames and measures the
cues on the current phrase (voiced speech since the last pause of
``phrase_gap_s``), at most its last ``window_voiced_s``: median pitch
(semitones), pitch range (10th..90th percentile), median loudness of voiced
frames, brightness (energy 1-3.4 kHz over 0.3-1 kHz), syllable rate and
voice quality (median cepstral peak prominence of voiced frames). A
phrase shorter than ``min_window_voiced_s`` is measured with the newest speech
before it up to that much, so an outburst after a calm phrase is measured on
itself as soon as it can be, not diluted by all of the calm phrase.

:class:`~assist.anger.baseline.CallerBaseline` learns the same cues from the
calm start of the call.

:func:`cue_evidence` turns a cue and its baseline into evidence 0..1 and a
reason; while the baseline still rests mostly on the prior, the ramp starts
``prior_margin`` higher, so a naturally high or bright voice is not called
heated before the caller's own calm voice is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import numpy as np

from .config import CueConfig, ProsodyConfig
from .prosody import Block
from .smallstats import percentile_sorted

CUES = ("pitch", "pitch_range", "loudness", "brightness", "rate", "voice_quality")
_REF_HZ = 100.0  # semitones are counted from this
WINDOW_STEP_VOICED_S = 0.2  # voiced speech between two window measurements, roughly
_RANGE_OUTLIER_ST = 9.0


def hz_to_st(f0_hz: np.ndarray | float) -> np.ndarray | float:
    return 12.0 * np.log2(np.asarray(f0_hz) / _REF_HZ)


def st_to_hz(st: float) -> float:
    return _REF_HZ * 2.0 ** (st / 12.0)


@dataclass(frozen=True)
class CueValues:
    pitch: float | None  # semitones re 100 Hz
    pitch_range: float | None  # semitones
    loudness: float | None  # dBFS
    brightness: float | None  # dB
    rate: float | None  # syllables per second
    voice_quality: float | None  # cepstral peak prominence, dB
    voiced_s: float  # voiced speech the values rest on

    def get(self, name: str) -> float | None:
        return getattr(self, name)


NO_CUES = CueValues(None, None, None, None, None, None, 0.0)


class VoiceWindow:
    """Ring of the customer's recent speech frames (voiced, or active above
    the noise floor: the unvoiced, noisy parts of speech carry much of the
    high-frequency energy that a raised voice adds)."""

    def __init__(self, config: ProsodyConfig, hop_s: float) -> None:
        self.config = config
        self.hop_s = hop_s
        self._n = max(1, round(config.window_voiced_s / hop_s))
        self._min_n = max(1, round(config.min_window_voiced_s / hop_s))
        cap = 8 * self._n + 64
        self._t = np.zeros(cap)
        self._voiced = np.zeros(cap, dtype=bool)
        self._st = np.zeros(cap)
        self._db = np.zeros(cap)
        self._lo = np.zeros(cap)
        self._hi = np.zeros(cap)
        self._cpp = np.zeros(cap)
        self._size = 0
        self._last_voiced_t = -1e9
        self._phrase_t = -1e9  # time of the current phrase's first voiced frame
        self._last: CueValues = NO_CUES  # the last phrase measured
        self._last_t = -1e9  # time of its newest voiced frame
        self.rate_sps: float | None = None

    def add(self, block: Block) -> None:
        if block.rate_sps is not None:
            self.rate_sps = block.rate_sps
        voiced = block.voiced
        keep = voiced | block.active
        k = int(keep.sum())
        if k == 0:
            return
        vt = block.times_s[voiced]
        if vt.size:
            prev = np.concatenate(([self._last_voiced_t], vt[:-1]))
            gaps = np.flatnonzero(vt - prev > self.config.phrase_gap_s)
            if gaps.size:
                self._phrase_t = float(vt[gaps[-1]])
            self._last_voiced_t = float(vt[-1])
        cap = self._t.size
        if self._size + k > cap:  # keep the newest, drop the oldest half
            half = cap // 2
            for arr in (self._t, self._voiced, self._st, self._db, self._lo, self._hi, self._cpp):
                arr[:half] = arr[self._size - half : self._size]
            self._size = half
        end = self._size + k
        with np.errstate(invalid="ignore", divide="ignore"):
            st = hz_to_st(block.f0_hz[keep])
        self._t[self._size : end] = block.times_s[keep]
        self._voiced[self._size : end] = voiced[keep]
        self._st[self._size : end] = st
        self._db[self._size : end] = block.power_db[keep]
        self._lo[self._size : end] = block.low_energy[keep]
        self._hi[self._size : end] = block.high_energy[keep]
        self._cpp[self._size : end] = block.cpp_db[keep]
        self._size = end

    def measure(self, now_s: float) -> CueValues:
        """Cues of the current phrase (its last ``window_voiced_s`` at most), or
        of the newest ``min_window_voiced_s`` of speech while the phrase is
        shorter; nothing once the caller's speech is ``max_age_s`` old."""
        voiced_at = np.flatnonzero(self._voiced[: self._size])
        if voiced_at.size >= self._min_n:
            first = int(np.searchsorted(self._t[: self._size], self._phrase_t))
            in_phrase = int(np.count_nonzero(voiced_at >= first))
            count = min(self._n, max(in_phrase, self._min_n))
            self._last = self._cues(slice(int(voiced_at[-count]), self._size))
            self._last_t = self._last_voiced_t
        if now_s - self._last_t > self.config.max_age_s:
            return NO_CUES
        return self._last

    def _cues(self, sl: slice) -> CueValues:
        voiced = self._voiced[sl]
        st = sorted(self._st[sl][voiced].tolist())
        p50 = median(st)
        # Range without stray octave jumps (a real excursion this far from the
        # median within a second of voiced speech is rare; tracker errors are not).
        core = [v for v in st if abs(v - p50) < _RANGE_OUTLIER_ST]
        p10, p90 = (
            (p50, p50) if not core else (percentile_sorted(core, 10), percentile_sorted(core, 90))
        )
        return CueValues(
            pitch=p50,
            pitch_range=float(p90 - p10),
            loudness=median(self._db[sl][voiced].tolist()),
            brightness=float(
                10.0 * np.log10((self._hi[sl].sum() + 1e-9) / (self._lo[sl].sum() + 1e-9))
            ),
            rate=self.rate_sps,
            voice_quality=median(self._cpp[sl][voiced].tolist()),
            voiced_s=len(st) * self.hop_s,
        )


def prior_value(config: ProsodyConfig, name: str) -> float | None:
    """A cue's population prior in the cue's own unit (pitch: semitones)."""
    prior = getattr(config, name).prior
    if prior is None or name != "pitch":
        return prior
    return float(hz_to_st(prior))


def _ramp(x: float, start: float, full: float) -> float:
    return min(1.0, max(0.0, (x - start) / (full - start)))


@dataclass(frozen=True)
class Evidence:
    value: float  # 0..1
    delta: float  # the cue above the baseline (semitones, dB, or a fraction for rate)
    relative: bool  # against the caller's own voice (else mostly the population prior)


def _above_prior(
    own: float | None, prior: float | None, margin: float, prior_share: float
) -> float:
    """0..1: how far the caller's calm value may lie above the population
    prior: what is heard of it says so in proportion to how much is known,
    and the unknown rest may be anywhere, so it counts as above."""
    if own is None or prior is None or margin <= 0:
        return 1.0
    heard = min(1.0, max(0.0, (own - prior) / margin))
    return prior_share + (1.0 - prior_share) * heard


def cue_delta(name: str, now: CueValues, base: CueValues) -> float | None:
    """How far a cue is above the baseline: semitones or dB, a fraction for rate."""
    x = now.get(name)
    b = base.get(name)
    if x is None or b is None or (name == "rate" and b <= 0):
        return None
    return x / b - 1.0 if name == "rate" else x - b


def cue_excess(
    name: str,
    cfg: CueConfig,
    now: CueValues,
    base: CueValues,
    prior_share: float,
    own: float | None = None,
    prior: float | None = None,
) -> tuple[float, float] | None:
    """A cue's ``delta`` above the baseline and the ``excess`` its ramp reads
    (evidence = ramp(excess; start, full)). While the baseline still rests on
    the population prior (``prior_share`` near 1) the excess is up to
    ``prior_margin`` smaller, as far as the caller's ``own`` calm value heard
    so far lies above the ``prior`` (fully when nothing is known yet): a voice
    that is merely high or bright by nature is not yet heated, while a low
    voice rising is. A cue with no prior counts its difference in proportion
    to how much of the caller is known."""
    delta = cue_delta(name, now, base)
    if delta is None:
        return None
    if cfg.prior is None:
        # No population value: the baseline shrinks towards what is heard
        # now, so a difference counts as far as the caller's voice is known.
        return delta, delta * (1.0 - prior_share)
    above = _above_prior(own, prior, cfg.prior_margin, prior_share)
    return delta, delta - cfg.prior_margin * prior_share * above


def cue_evidence(
    cfg: CueConfig, found: tuple[float, float] | None, relative: bool = True
) -> Evidence | None:
    """Evidence 0..1 of one cue from what :func:`cue_excess` found."""
    if found is None:
        return None
    delta, excess = found
    e = _ramp(excess, cfg.start, cfg.full)
    if e <= 0:
        return None
    return Evidence(e, delta, relative)
