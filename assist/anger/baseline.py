"""The caller's calm voice: the cues of :mod:`assist.anger.cues` learnt from
the calm start of the call.

Speech is learnt only if the voice stayed below ``accept_below`` until the
phrase ended or ``commit_delay_s`` passed, so the first second of an outburst
does not become "normal". The baseline it reports shrinks towards the
population ``prior`` of each cue in proportion to the evidence: after the
cue's ``prior_voiced_s`` of calm speech the caller's own voice and the prior
weigh the same, and the more the caller speaks the less the prior counts. Once
``learn_voiced_s`` is learnt the baseline only drifts slowly
(``adapt_half_life_s`` of calm voiced speech).
"""

from __future__ import annotations

import math
from collections import deque
from statistics import median

import numpy as np

from .config import BaselineConfig, ProsodyConfig
from .cues import CUES, NO_CUES, WINDOW_STEP_VOICED_S, CueValues, hz_to_st, prior_value
from .prosody import Block

_GATE_AFTER_S = 0.5  # with this much learnt, speech far above the baseline is not learnt
_SPREAD_WINDOWS = 60  # calm window measurements kept for the caller's own spread


class CallerBaseline:
    def __init__(self, config: BaselineConfig, cues: ProsodyConfig, hop_s: float) -> None:
        self.config = config
        self.cues = cues
        self.hop_s = hop_s
        # (end_s, pitch st, power dB, CPP dB of voiced frames; low, high band energy of speech)
        self._pending: deque[tuple[float, *tuple[np.ndarray, ...]]] = deque()
        self._pending_windows: deque[tuple[float, CueValues, bool]] = deque()
        self._last_voiced_s = -1e9  # time of the newest voiced frame offered
        self._st: list[np.ndarray] = []
        self._db: list[np.ndarray] = []
        self._cpp: list[np.ndarray] = []
        self._lo = 0.0
        self._hi = 0.0
        self._ranges: list[float] = []
        self._rates: list[float] = []
        self._calm_windows: deque[CueValues] = deque(maxlen=_SPREAD_WINDOWS)
        self._spreads: dict[str, tuple[float, int]] = {}  # (spread, count) until the next window
        self.voiced_s = 0.0
        self._own: CueValues | None = None  # the caller's own summary, frozen once full
        self._cached: CueValues | None = None  # values(), until something is learnt
        self._own_cached: CueValues | None = None  # own_values(), likewise

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
                block.cpp_db[voiced],
                block.low_energy[speech],
                block.high_energy[speech],
            )
        )

    def offer_window(self, t_s: float, window: CueValues, spread: bool) -> None:
        """Window-level cues (pitch range, rate) measured at ``t_s``, learnt
        likewise; ``spread``: whether the window may count in the caller's
        calm spread."""
        if window.voiced_s > 0:
            self._pending_windows.append((t_s, window, spread))

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
            "pitch": median(hz_to_st(block.f0_hz[voiced]).tolist()),
            "loudness": median(block.power_db[voiced].tolist()),
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
            self._learn_window(*self._pending_windows.popleft()[1:])

    def _learn_frames(
        self, st: np.ndarray, db: np.ndarray, cpp: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> None:
        seconds = st.size * self.hop_s
        self._cached = self._own_cached = None
        if self._own is None:
            self._st.append(st)
            self._db.append(db)
            self._cpp.append(cpp)
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
            pitch=_drift(v.pitch, median(st.tolist()), a),
            pitch_range=v.pitch_range,
            loudness=_drift(v.loudness, median(db.tolist()), a),
            brightness=_drift(v.brightness, bright, a),
            rate=v.rate,
            voice_quality=_drift(v.voice_quality, median(cpp.tolist()), a),
            voiced_s=self.voiced_s,
        )

    def _learn_window(self, window: CueValues, spread: bool) -> None:
        self._cached = self._own_cached = None
        if spread:
            self._spreads.clear()
            self._calm_windows.append(window)
        if self._own is None:
            if window.pitch_range is not None:
                self._ranges.append(window.pitch_range)
            if window.rate is not None:
                self._rates.append(window.rate)
            return
        a = 1.0 - 0.5 ** (WINDOW_STEP_VOICED_S / self.config.adapt_half_life_s)
        v = self._own
        self._own = CueValues(
            pitch=v.pitch,
            pitch_range=_drift(v.pitch_range, window.pitch_range, a),
            loudness=v.loudness,
            brightness=v.brightness,
            rate=_drift(v.rate, window.rate, a),
            voice_quality=v.voice_quality,
            voiced_s=v.voiced_s,
        )

    def own_values(self) -> CueValues:
        """The caller's calm voice as learnt, without the priors."""
        if self._own is not None:
            return self._own
        if self.voiced_s == 0.0:
            return NO_CUES
        if self._own_cached is None:
            self._own_cached = self._summary()
        return self._own_cached

    def _summary(self) -> CueValues:
        return CueValues(
            pitch=float(np.median(np.concatenate(self._st))),
            pitch_range=float(np.median(self._ranges)) if self._ranges else None,
            loudness=float(np.median(np.concatenate(self._db))),
            brightness=10.0 * math.log10((self._hi + 1e-9) / (self._lo + 1e-9)),
            rate=float(np.median(self._rates)) if self._rates else None,
            voice_quality=float(np.median(np.concatenate(self._cpp))),
            voiced_s=self.voiced_s,
        )

    def spread_margin(self, name: str, start: float) -> float:
        """How much further a cue must rise for this caller than the ramp's
        ``start`` says: the caller's own calm phrase-to-phrase spread
        (standard deviation, ``spread_k`` times) where it lies
        beyond the start, counted once ``spread_after_windows`` calm
        measurements were learnt and as far as more were
        (``spread_prior_windows`` more weigh half). A long call by a lively
        but calm speaker then does not collect flags phrase by phrase; a short
        call keeps the ramps as fitted."""
        if name not in self._spreads:
            self._spreads[name] = self._spread(name)
        spread, count = self._spreads[name]
        beyond = max(0, count - self.config.spread_after_windows)
        known = beyond / (beyond + self.config.spread_prior_windows) if beyond else 0.0
        return known * max(0.0, self.config.spread_k * spread - start)

    def _spread(self, name: str) -> tuple[float, int]:
        """Standard deviation of the caller's calm measurements (rate as a
        fraction of their mean), and how many there are."""
        v = np.array([x for w in self._calm_windows if (x := w.get(name)) is not None])
        if v.size < 2:
            return 0.0, int(v.size)
        mean = float(v.mean())
        if name == "rate":
            if mean <= 0:
                return 0.0, 0
            v = v / mean
        return float(v.std()), int(v.size)

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
