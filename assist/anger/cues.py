"""How the customer sounds now, against how they sounded when calm.

:class:`VoiceWindow` keeps the customer's recent voiced frames and measures the
cues on the last ``window_voiced_s`` of them: median pitch (semitones),
pitch range (10th..90th percentile), median loudness of voiced frames,
brightness (energy 1-3.4 kHz over 0.3-1 kHz) and syllable rate.

:class:`CallerBaseline` learns the same cues from the calm start of the call.
Speech is learnt only if the score stayed below ``accept_below`` from the
moment it was spoken until ``commit_delay_s`` later, so the first second of an
outburst does not become "normal". Once ``learn_voiced_s`` is learnt the
baseline only drifts slowly (``adapt_half_life_s`` of calm voiced speech).

:func:`cue_evidence` turns a cue and its baseline into evidence 0..1 and a
reason text; with a population ``default`` in the config an extreme value
also counts before (and besides) the caller's own baseline.
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
    """Ring of the customer's recent voiced frames."""

    def __init__(self, config: ProsodyConfig, hop_s: float) -> None:
        self.config = config
        self.hop_s = hop_s
        self._n = max(1, round(config.window_voiced_s / hop_s))
        self._min_n = max(1, round(config.min_window_voiced_s / hop_s))
        cap = 4 * self._n + 64
        self._t = np.zeros(cap)
        self._st = np.zeros(cap)
        self._db = np.zeros(cap)
        self._lo = np.zeros(cap)
        self._hi = np.zeros(cap)
        self._size = 0
        self.rate_sps: float | None = None

    def add(self, block: Block) -> None:
        if block.rate_sps is not None:
            self.rate_sps = block.rate_sps
        voiced = block.voiced
        k = int(voiced.sum())
        if k == 0:
            return
        cap = self._t.size
        if self._size + k > cap:  # keep the newest, drop the oldest half
            keep = cap // 2
            for arr in (self._t, self._st, self._db, self._lo, self._hi):
                arr[:keep] = arr[self._size - keep : self._size]
            self._size = keep
        end = self._size + k
        self._t[self._size : end] = block.times_s[voiced]
        self._st[self._size : end] = hz_to_st(block.f0_hz[voiced])
        self._db[self._size : end] = block.power_db[voiced]
        self._lo[self._size : end] = block.low_energy[voiced]
        self._hi[self._size : end] = block.high_energy[voiced]
        self._size = end

    def measure(self, now_s: float) -> CueValues:
        start = max(0, self._size - self._n)
        ages_ok = self._t[start : self._size] >= now_s - self.config.max_age_s
        first = start + int(np.argmax(ages_ok)) if ages_ok.any() else self._size
        n = self._size - first
        if n < self._min_n:
            return NO_CUES
        sl = slice(first, self._size)
        st = self._st[sl]
        p50 = float(np.median(st))
        # Range without stray octave jumps (a real excursion this far from the
        # median within a second of voiced speech is rare; tracker errors are not).
        core = st[np.abs(st - p50) < _RANGE_OUTLIER_ST]
        p10, p90 = np.percentile(core, (10, 90)) if core.size else (p50, p50)
        return CueValues(
            pitch=p50,
            pitch_range=float(p90 - p10),
            loudness=float(np.median(self._db[sl])),
            brightness=float(
                10.0 * np.log10((self._hi[sl].sum() + 1e-9) / (self._lo[sl].sum() + 1e-9))
            ),
            rate=self.rate_sps,
            voiced_s=n * self.hop_s,
        )


class CallerBaseline:
    def __init__(self, config: BaselineConfig, cues: ProsodyConfig, hop_s: float) -> None:
        self.config = config
        self.cues = cues
        self.hop_s = hop_s
        self._pending: deque[tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = deque()
        self._pending_windows: deque[tuple[float, CueValues]] = deque()
        self._st: list[np.ndarray] = []
        self._db: list[np.ndarray] = []
        self._lo = 0.0
        self._hi = 0.0
        self._ranges: list[float] = []
        self._rates: list[float] = []
        self.voiced_s = 0.0
        self._values: CueValues | None = None  # frozen summary once full
        self._cached: CueValues | None = None

    @property
    def ready(self) -> bool:
        return self.voiced_s >= self.config.min_voiced_s

    @property
    def full(self) -> bool:
        return self._values is not None

    def offer(self, block: Block) -> None:
        """Speech of one customer block, to be learnt if the voice stays calm
        for ``commit_delay_s``."""
        voiced = block.voiced
        if voiced.sum() >= 3 and self._plausibly_calm(block, voiced):
            self._pending.append(
                (
                    float(block.end_s),
                    hz_to_st(block.f0_hz[voiced]),
                    block.power_db[voiced],
                    block.low_energy[voiced],
                    block.high_energy[voiced],
                )
            )

    def offer_window(self, t_s: float, window: CueValues) -> None:
        """Window-level cues (pitch range, rate) measured at ``t_s``, learnt likewise."""
        if window.voiced_s > 0:
            self._pending_windows.append((t_s, window))

    def _plausibly_calm(self, block: Block, voiced: np.ndarray) -> bool:
        """Whether a block sounds like the caller's calm voice learnt so far:
        not half-way to a full cue above it in pitch, loudness or brightness."""
        if self.voiced_s < _GATE_AFTER_S:
            return True
        base = self.values()
        gates = {
            name: (c.start + c.full) / 2
            for name in ("pitch", "loudness", "brightness")
            if (c := getattr(self.cues, name))
        }
        st = float(np.median(hz_to_st(block.f0_hz[voiced])))
        db = float(np.median(block.power_db[voiced]))
        hi, lo = float(block.high_energy[voiced].sum()), float(block.low_energy[voiced].sum())
        bright = 10.0 * math.log10((hi + 1e-9) / (lo + 1e-9))
        return not (
            (base.pitch is not None and st - base.pitch > gates["pitch"])
            or (base.loudness is not None and db - base.loudness > gates["loudness"])
            or (base.brightness is not None and bright - base.brightness > gates["brightness"])
        )

    def settle(self, now_s: float, voice_score: float) -> None:
        """Commit pending speech old enough, or drop it all if the voice sounds
        heated (the prosodic share of the score is at or above ``accept_below``)."""
        if voice_score >= self.config.accept_below:
            self._pending.clear()
            self._pending_windows.clear()
            return
        horizon = now_s - self.config.commit_delay_s
        while self._pending and self._pending[0][0] <= horizon:
            self._learn_frames(*self._pending.popleft()[1:])
        while self._pending_windows and self._pending_windows[0][0] <= horizon:
            self._learn_window(self._pending_windows.popleft()[1])

    def _learn_frames(self, st: np.ndarray, db: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        seconds = st.size * self.hop_s
        if self._values is None:
            self._st.append(st)
            self._db.append(db)
            self._lo += float(lo.sum())
            self._hi += float(hi.sum())
            self.voiced_s += seconds
            self._cached = None
            if self.voiced_s >= self.config.learn_voiced_s:
                self._values = self.values()
            return
        # Full: drift slowly towards the new calm speech.
        self.voiced_s += seconds
        a = 1.0 - 0.5 ** (seconds / self.config.adapt_half_life_s)
        v = self._values
        bright = 10.0 * math.log10((float(hi.sum()) + 1e-9) / (float(lo.sum()) + 1e-9))
        self._values = CueValues(
            pitch=_drift(v.pitch, float(np.median(st)), a),
            pitch_range=v.pitch_range,
            loudness=_drift(v.loudness, float(np.median(db)), a),
            brightness=_drift(v.brightness, bright, a),
            rate=v.rate,
            voiced_s=self.voiced_s,
        )

    def _learn_window(self, window: CueValues) -> None:
        if self._values is None:
            if window.pitch_range is not None:
                self._ranges.append(window.pitch_range)
            if window.rate is not None:
                self._rates.append(window.rate)
            self._cached = None
            return
        a = 1.0 - 0.5 ** (_WINDOW_STEP_VOICED_S / self.config.adapt_half_life_s)
        v = self._values
        self._values = CueValues(
            pitch=v.pitch,
            pitch_range=_drift(v.pitch_range, window.pitch_range, a),
            loudness=v.loudness,
            brightness=v.brightness,
            rate=_drift(v.rate, window.rate, a),
            voiced_s=v.voiced_s,
        )

    def values(self) -> CueValues:
        if self._values is not None:
            return self._values
        if self._cached is None:
            if not self._st:
                self._cached = NO_CUES
            else:
                st = np.concatenate(self._st)
                db = np.concatenate(self._db)
                self._cached = CueValues(
                    pitch=float(np.median(st)),
                    pitch_range=float(np.median(self._ranges)) if self._ranges else None,
                    loudness=float(np.median(db)),
                    brightness=10.0 * math.log10((self._hi + 1e-9) / (self._lo + 1e-9)),
                    rate=float(np.median(self._rates)) if self._rates else None,
                    voiced_s=self.voiced_s,
                )
        return self._cached


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
    text: str
    relative: bool = True  # against the caller's baseline (else the population default)


def cue_evidence(
    name: str, cfg: CueConfig, now: CueValues, base: CueValues | None, use_default: bool = True
) -> Evidence | None:
    """Evidence of one cue against the caller's baseline (if ready) and, with
    ``use_default``, the population default (if configured); the stronger one
    is reported. The core stops using the default once the caller's baseline
    is full: a caller whose calm voice is high should not carry a constant
    "high pitch" share."""
    x = now.get(name)
    if x is None:
        return None
    best: Evidence | None = None
    b = base.get(name) if base is not None else None
    if name == "rate" and not b:
        b = None  # a baseline with no syllable rhythm cannot scale a rate
    if b is not None:
        delta = x / b - 1.0 if name == "rate" else x - b
        e = _ramp(delta, cfg.start, cfg.full)
        if e > 0:
            best = Evidence(e, _relative_text(name, delta, x, b))
    if use_default and cfg.default is not None:
        default = float(hz_to_st(cfg.default)) if name == "pitch" else cfg.default
        delta = (x / default - 1.0 if name == "rate" else x - default) - cfg.default_margin
        e = _ramp(delta, cfg.start, cfg.full)
        if e > 0 and (best is None or e > best.value):
            best = Evidence(e, _absolute_text(name, x, default), relative=False)
    return best


def _relative_text(name: str, delta: float, x: float, b: float) -> str:
    if name == "pitch":
        return f"pitch {100 * (2 ** (delta / 12) - 1):+.0f} % above this caller's baseline"
    if name == "pitch_range":
        return f"pitch range {x:.0f} semitones (this caller's baseline {b:.0f})"
    if name == "loudness":
        return f"loudness {delta:+.0f} dB above this caller's baseline"
    if name == "brightness":
        return f"sharper voice: high-frequency energy {delta:+.0f} dB above this caller's baseline"
    return f"speaking rate {100 * delta:+.0f} % above this caller's baseline"


def _absolute_text(name: str, x: float, default: float) -> str:
    if name == "pitch":
        return f"high pitch ({st_to_hz(x):.0f} Hz)"
    if name == "pitch_range":
        return f"wide pitch range ({x:.0f} semitones)"
    if name == "loudness":
        return f"loudness {x - default:+.0f} dB above a typical voice"
    if name == "brightness":
        return (
            f"sharp voice: high-frequency energy {x - default:+.0f} dB above a typical calm voice"
        )
    return f"fast speech ({x:.1f} syllables/s)"
