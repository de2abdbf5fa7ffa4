"""From score to level (with hysteresis) and trend (slope of the score)."""

from __future__ import annotations

from collections import deque

import numpy as np

from ivr.events import AngerLevel, Trend

from .config import LevelConfig, TrendConfig

_ORDER = (AngerLevel.CALM, AngerLevel.TENSE, AngerLevel.ANGRY)


class LevelTracker:
    """Enter a level as soon as the score reaches its ``*_enter`` threshold;
    step down one level only after the score stayed below ``*_exit`` for
    ``exit_hold_s`` (so a level does not flap around a threshold)."""

    def __init__(self, config: LevelConfig) -> None:
        self.config = config
        self.level = AngerLevel.CALM
        self._below_since: float | None = None

    def update(self, t_s: float, score: float) -> AngerLevel:
        cfg = self.config
        if score >= cfg.angry_enter:
            target = AngerLevel.ANGRY
        elif score >= cfg.tense_enter:
            target = AngerLevel.TENSE
        else:
            target = AngerLevel.CALM
        if _ORDER.index(target) > _ORDER.index(self.level):
            self.level = target
            self._below_since = None
            return self.level
        exit_at = cfg.angry_exit if self.level is AngerLevel.ANGRY else cfg.tense_exit
        if self.level is AngerLevel.CALM or score >= exit_at:
            self._below_since = None
            return self.level
        if self._below_since is None:
            self._below_since = t_s
        if t_s - self._below_since >= cfg.exit_hold_s:
            self.level = _ORDER[_ORDER.index(self.level) - 1]
            # Stepping down to tense: leaving tense needs its own quiet spell.
            self._below_since = (
                t_s if self.level is not AngerLevel.CALM and score < cfg.tense_exit else None
            )
        return self.level


class TrendTracker:
    """Least-squares slope of the score over the last ``window_s``; a new trend
    is kept at least ``hold_s``."""

    def __init__(self, config: TrendConfig) -> None:
        self.config = config
        self.trend = Trend.STEADY
        self._since = -1e9
        self._history: deque[tuple[float, float]] = deque()

    def update(self, t_s: float, score: float) -> Trend:
        cfg = self.config
        self._history.append((t_s, score))
        while self._history and self._history[0][0] < t_s - cfg.window_s:
            self._history.popleft()
        slope = self.slope()
        if slope >= cfg.rising_per_s:
            target = Trend.RISING
        elif slope <= -cfg.falling_per_s:
            target = Trend.FALLING
        else:
            target = Trend.STEADY
        if target is not self.trend and t_s - self._since >= cfg.hold_s:
            self.trend = target
            self._since = t_s
        return self.trend

    def slope(self) -> float:
        if len(self._history) < 2:
            return 0.0
        t = np.fromiter((h[0] for h in self._history), float, len(self._history))
        y = np.fromiter((h[1] for h in self._history), float, len(self._history))
        t = t - t.mean()
        denom = float((t * t).sum())
        if denom < 1e-6:
            return 0.0
        # Over a short history the slope is taken against the full window, so
        # that a single jump reads as a rise over window_s, not as infinity.
        span = max(float(t.max() - t.min()), self.config.window_s / 2)
        raw = float((t * (y - y.mean())).sum()) / denom
        return raw * min(1.0, float(t.max() - t.min()) / span)
