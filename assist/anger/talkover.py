"""Talk-over: the customer talking while the agent talks, after barging in.

Both channels report per-frame "talking" flags on the same frame grid (frame
index = hop steps since the call started). Frames are resolved once both
channels have reached them. An overlap counts against the customer only when
the customer's stretch of talk began after the agent's (the customer cut in),
and only runs of at least ``min_run_s`` count (back-channel "uh-huh" does not).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ivr.events import ChannelRole

from .config import TalkOverConfig

_MAX_PENDING = 500  # frames kept for one channel while the other has not started


class TalkOverTracker:
    def __init__(self, config: TalkOverConfig, hop_s: float) -> None:
        self.config = config
        self.hop_s = hop_s
        self._pending: dict[ChannelRole, dict[int, bool]] = {
            ChannelRole.CUSTOMER: {},
            ChannelRole.AGENT: {},
        }
        self._reached: dict[ChannelRole, int] = {}
        self._first: dict[ChannelRole, int] = {}
        self._next = 0  # first unresolved frame index
        self._started = False
        self._prev = (False, False)
        self._start = {ChannelRole.CUSTOMER: -1, ChannelRole.AGENT: -1}
        self._run = 0  # frames in the current overlap
        self._runs: deque[tuple[int, int]] = deque()  # (end index, frames) of finished overlaps

    def add(self, role: ChannelRole, first_index: int, talking: np.ndarray) -> None:
        self._first.setdefault(role, first_index)
        self._reached[role] = first_index + talking.size
        pending = self._pending[role]
        for offset in np.flatnonzero(talking).tolist():
            if first_index + offset >= self._next:
                pending[first_index + offset] = True
        if len(self._reached) < 2:
            # One channel so far (maybe a mono call): keep only a little.
            # Frames arrive in order, so the oldest are at the dict's front.
            horizon = self._reached[role] - _MAX_PENDING
            while pending and (oldest := next(iter(pending))) < horizon:
                del pending[oldest]
            return
        if not self._started:
            self._started = True
            self._next = max(self._first.values())
        self._resolve(min(self._reached.values()))

    def _resolve(self, upto: int) -> None:
        cust, agent = self._pending[ChannelRole.CUSTOMER], self._pending[ChannelRole.AGENT]
        min_run = round(self.config.min_run_s / self.hop_s)
        prev_c, prev_a = self._prev
        for index in range(self._next, upto):
            c, a = cust.pop(index, False), agent.pop(index, False)
            if c and not prev_c:
                self._start[ChannelRole.CUSTOMER] = index
            if a and not prev_a:
                self._start[ChannelRole.AGENT] = index
            if c and a and self._start[ChannelRole.CUSTOMER] > self._start[ChannelRole.AGENT]:
                self._run += 1
            else:
                if self._run >= min_run:
                    self._runs.append((index, self._run))
                self._run = 0
            prev_c, prev_a = c, a
        self._prev = (prev_c, prev_a)
        self._next = max(self._next, upto)

    def seconds(self, now_s: float) -> float:
        """Customer-over-agent time within the last ``window_s``."""
        horizon = round((now_s - self.config.window_s) / self.hop_s)
        while self._runs and self._runs[0][0] < horizon:
            self._runs.popleft()
        frames = sum(n for _, n in self._runs)
        if self._run >= round(self.config.min_run_s / self.hop_s):
            frames += self._run
        return frames * self.hop_s
