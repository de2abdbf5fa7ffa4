"""How the customer sounds now, against how they sounded when calm.

:class:`VoiceWindow` keeps the customer's recent voiced frames and measures the
cues on the current phrase (voiced speech since the last pause of
``phrase_gap_s``), at most its last ``window_voiced_s``: median pitch
(semitones), pitch range (10th..90th percentile), median loudness of voiced
frames, brightness (energy 1-3.4 kHz over 0.3-1 kHz) and syllable rate. A
phrase shorter than ``min_window_voiced_s`` is measured with the newest speech
before it up to that much, so an outburst after a calm phrase is measured on
itself as soon as it can be, not diluted by all of the calm phrase.

:class:`CallerBaseline` learns the same cues from the calm start of the call.
Speech is learnt only if the voice stayed below ``accept_below`` until the
phrase ended or ``commit_delay_s`` passed, so the first second of an outburst
does not become "normal". The baseline it reports shrinks towards the
population ``prior`` of each cue in proportion to the evidence: after the
cue's ``prior_voiced_s`` of calm speech the caller's own voice and the prior
weigh the same, and the more the caller speaks the less the prior counts. Once
``learn_voiced_s`` is learnt the baseline only drifts slowly
(``adapt_half_life_s`` of calm voiced speech).

:func:`cue_evidence` turns a cue and its baseline into evidence 0..1 and a
reason; while the baseline still rests mostly on the prior, the ramp starts
``prior_margin`` higher, so a naturally high or bright voice is not called
heated before the caller's own calm voice is known.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from .config import BaselineConfig, CueConfig, ProsodyConfig
from .prosody import Block

CUES = ("pitch", "pitch_range", "loudness", "brightness", "rate")
_REF_HZ = 100.0  # semitones are counted from this
_WINDOW_STEP_VOICED_S = 0.2  # voiced speech between two window measurements, roughly
_RANGE_OUTLIER_ST = 9.0
_GATE_AFTER_S = 0.5  # with this much learnt, speech far above the baseline is not learnt


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
    voiced_s: float  # voiced speech the values rest on

    def get(self, name: str) -> float | None:
        return getattr(self, name)


NO_CUES = CueValues(None, None, None, None, None, 0.0)


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
            for arr in (self._t, self._voiced, self._st, self._db, self._lo, self._hi):
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
        st = self._st[sl][voiced]
        p50 = float(np.median(st))
        # Range without stray octave jumps (a real excursion this far from the
        # median within a second of voiced speech is rare; tracker errors are not).
        core = st[np.abs(st - p50) < _RANGE_OUTLIER_ST]
        p10, p90 = np.percentile(core, (10, 90)) if core.size else (p50, p50)
        return CueValues(
            pitch=p50,
            pitch_range=float(p90 - p10),
            loudness=float(np.median(self._db[sl][voiced])),
            brightness=float(
                10.0 * np.log10((self._hi[sl].sum() + 1e-9) / (self._lo[sl].sum() + 1e-9))
            ),
            rate=self.rate_sps,
            voiced_s=st.size * self.hop_s,
        )


class CallerBaseline:
    def __init__(self, config: BaselineConfig, cues: ProsodyConfig, hop_s: float) -> None:
        self.config = config
        self.cues = cues
        self.hop_s = hop_s
        self._pending: deque[tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = deque()
        self._pending_windows: deque[tuple[float, CueValues]] = deque()
        self._last_voiced_s = -1e9  # time of the newest voiced frame offered
        self._st: list[np.ndarray] = []
        self._db: list[np.ndarray] = []
        self._lo = 0.0
        self._hi = 0.0
        self._ranges: list[float] = []
        self._rates: list[float] = []
        self.voiced_s = 0.0
        self._own: CueValues | None = None  # the caller's own summary, frozen once full
        self._cached: CueValues | None = None

    @property
    def ready(self) -> bool:
        """Whether the caller's own calm voice weighs at least as much as every prior."""
        return all(self.prior_share(name) <= 0.5 for name in CUES)

    @property
    def full(self) -> bool:
        return self.voiced_s >= self.config.learn_voiced_s

    def prior_share(self, name: str) -> float:
        """How much of a cue's baseline is still the population prior (1 = all of it)."""
        n0 = getattr(self.cues, name).prior_voiced_s
        return n0 / (n0 + self.voiced_s) if n0 > 0 else 0.0

    @property
    def known(self) -> float:
        """0..1: how well the caller's calm voice is known (the cues' mean)."""
        return 1.0 - sum(self.prior_share(name) for name in CUES) / len(CUES)

    def offer(self, block: Block) -> None:
        """Speech of one customer block, to be learnt if the voice stays calm
        until the phrase ends or ``commit_delay_s`` passes."""
        voiced = block.voiced
        if voiced.any():
            self._last_voiced_s = float(block.times_s[voiced][-1])
        speech = voiced | block.active  # brightness counts unvoiced speech too
        if not speech.any():
            return
        if voiced.sum() < 3:  # unvoiced speech: its spectrum only, as the window takes it
            voiced = np.zeros_like(voiced)
        elif not self._plausibly_calm(block, voiced, speech):
            return
        self._pending.append(
            (
                float(block.end_s),
                hz_to_st(block.f0_hz[voiced]),
                block.power_db[voiced],
                block.low_energy[speech],
                block.high_energy[speech],
            )
        )

    def offer_window(self, t_s: float, window: CueValues) -> None:
        """Window-level cues (pitch range, rate) measured at ``t_s``, learnt likewise."""
        if window.voiced_s > 0:
            self._pending_windows.append((t_s, window))

    def _plausibly_calm(self, block: Block, voiced: np.ndarray, speech: np.ndarray) -> bool:
        """Whether a block sounds like the caller's calm voice learnt so far:
        not a full cue above it in two of pitch, loudness and brightness at
        once (a tenth of a second of intonation moves the pitch alone; a
        heated voice moves several cues together)."""
        if self.voiced_s < _GATE_AFTER_S:
            return True
        base = self.own_values()
        hi, lo = float(block.high_energy[speech].sum()), float(block.low_energy[speech].sum())
        now = {
            "pitch": float(np.median(hz_to_st(block.f0_hz[voiced]))),
            "loudness": float(np.median(block.power_db[voiced])),
            "brightness": 10.0 * math.log10((hi + 1e-9) / (lo + 1e-9)),
        }
        above = sum(
            1
            for name, x in now.items()
            if (b := base.get(name)) is not None and x - b > getattr(self.cues, name).full
        )
        return above < 2

    def settle(self, now_s: float, voice_score: float) -> None:
        """Commit pending speech whose phrase has ended or that is old enough,
        or drop it all if the voice sounds heated (the prosodic share of the
        score is at or above ``accept_below``)."""
        if voice_score >= self.config.accept_below:
            self._pending.clear()
            self._pending_windows.clear()
            return
        horizon = now_s - self.config.commit_delay_s
        if now_s - self._last_voiced_s >= self.cues.phrase_gap_s:
            horizon = now_s  # the phrase ended calm: all of it is the caller's calm voice
        while self._pending and self._pending[0][0] <= horizon:
            self._learn_frames(*self._pending.popleft()[1:])
        while self._pending_windows and self._pending_windows[0][0] <= horizon:
            self._learn_window(self._pending_windows.popleft()[1])

    def _learn_frames(self, st: np.ndarray, db: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        seconds = st.size * self.hop_s
        self._cached = None
        if self._own is None:
            self._st.append(st)
            self._db.append(db)
            self._lo += float(lo.sum())
            self._hi += float(hi.sum())
            self.voiced_s += seconds
            if self.full:
                self._own = self.own_values()
            return
        # Full: drift slowly towards the new calm (voiced) speech.
        if st.size == 0:
            return
        self.voiced_s += seconds
        a = 1.0 - 0.5 ** (seconds / self.config.adapt_half_life_s)
        v = self._own
        bright = 10.0 * math.log10((float(hi.sum()) + 1e-9) / (float(lo.sum()) + 1e-9))
        self._own = CueValues(
            pitch=_drift(v.pitch, float(np.median(st)), a),
            pitch_range=v.pitch_range,
            loudness=_drift(v.loudness, float(np.median(db)), a),
            brightness=_drift(v.brightness, bright, a),
            rate=v.rate,
            voiced_s=self.voiced_s,
        )

    def _learn_window(self, window: CueValues) -> None:
        self._cached = None
        if self._own is None:
            if window.pitch_range is not None:
                self._ranges.append(window.pitch_range)
            if window.rate is not None:
                self._rates.append(window.rate)
            return
        a = 1.0 - 0.5 ** (_WINDOW_STEP_VOICED_S / self.config.adapt_half_life_s)
        v = self._own
        self._own = CueValues(
            pitch=v.pitch,
            pitch_range=_drift(v.pitch_range, window.pitch_range, a),
            loudness=v.loudness,
            brightness=v.brightness,
            rate=_drift(v.rate, window.rate, a),
            voiced_s=v.voiced_s,
        )

    def own_values(self) -> CueValues:
        """The caller's calm voice as learnt, without the priors."""
        if self._own is not None:
            return self._own
        if self.voiced_s == 0.0:
            return NO_CUES
        return CueValues(
            pitch=float(np.median(np.concatenate(self._st))),
            pitch_range=float(np.median(self._ranges)) if self._ranges else None,
            loudness=float(np.median(np.concatenate(self._db))),
            brightness=10.0 * math.log10((self._hi + 1e-9) / (self._lo + 1e-9)),
            rate=float(np.median(self._rates)) if self._rates else None,
            voiced_s=self.voiced_s,
        )

    def values(self) -> CueValues:
        """The baseline: the caller's own calm voice shrunk towards the priors."""
        if self._cached is None:
            own = self.own_values()
            shrunk = {
                name: _shrink(own.get(name), prior_value(self.cues, name), self.prior_share(name))
                for name in CUES
            }
            self._cached = CueValues(**shrunk, voiced_s=self.voiced_s)
        return self._cached


def prior_value(config: ProsodyConfig, name: str) -> float | None:
    """A cue's population prior in the cue's own unit (pitch: semitones)."""
    prior = getattr(config, name).prior
    if prior is None or name != "pitch":
        return prior
    return float(hz_to_st(prior))


def _shrink(own: float | None, prior: float | None, prior_share: float) -> float | None:
    if own is None:
        return prior
    if prior is None:
        return own
    return prior_share * prior + (1.0 - prior_share) * own


def _drift(old: float | None, new: float | None, a: float) -> float | None:
    if old is None:
        return new
    if new is None:
        return old
    return old + a * (new - old)


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
