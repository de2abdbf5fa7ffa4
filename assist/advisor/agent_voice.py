"""The agent's own voice, from the prosody frames of both channels.

Two things are watched, each against settings in ``advisor.toml``:

- **talk-over by the agent**: the agent starts talking while the customer is
  talking and both go on for ``talk_over_s``. Frames of the two channels
  arrive separately, so they are put on one grid (``hop_s``) and a grid step
  is judged once both channels have reached it. A speaker counts as talking
  up to ``hangover_s`` after their last voiced frame.
- **the agent's voice rising**: the median loudness and pitch of the agent's
  last ``window_voiced_s`` of voiced speech against the agent's own calm
  baseline (medians of their first ``baseline_voiced_s`` of voiced speech).

Sans-I/O and deterministic: audio time only (frame ``at_s``).
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass

from assist.advisor.settings import AgentVoiceSettings
from ivr import events as ev

_MAX_PENDING = 600  # grid steps kept for one channel while the other lags or is absent


@dataclass(frozen=True)
class VoiceAlert:
    what: str  # "agent_talk_over" | "agent_voice"
    at_s: float
    detail: str  # e.g. "2.1 s over the customer", "+7 dB, +1.0 semitones"


def semitones(f0_hz: float) -> float:
    return 12.0 * math.log2(f0_hz / 100.0)


class AgentVoiceWatch:
    def __init__(self, settings: AgentVoiceSettings) -> None:
        self.s = settings
        self._hang = round(settings.hangover_s / settings.hop_s)
        # talk-over
        self._talking: dict[ev.ChannelRole, set[int]] = {r: set() for r in ev.ChannelRole}
        self._last_voiced: dict[ev.ChannelRole, int | None] = {r: None for r in ev.ChannelRole}
        self._first: dict[ev.ChannelRole, int] = {}
        self._reached: dict[ev.ChannelRole, int] = {}
        self._next: int | None = None
        self._prev = {r: False for r in ev.ChannelRole}
        self._start = {r: -1 for r in ev.ChannelRole}
        self._run = 0
        self._run_alerted = False
        self._last_talk_alert_s: float | None = None
        # voice rising
        self._base_loud: list[float] = []
        self._base_st: list[float] = []
        self._baseline: tuple[float, float | None] | None = None
        self._recent: deque[tuple[float, float, float | None]] = deque()
        self._voice_armed = True
        self._last_voice_alert_s: float | None = None

    @property
    def baseline(self) -> tuple[float, float | None] | None:
        """The agent's calm (loudness dB, pitch semitones re 100 Hz), once learnt."""
        return self._baseline

    def feed(self, frame: ev.ProsodyFrame) -> list[VoiceAlert]:
        alerts = self._feed_talk(frame)
        if frame.role is ev.ChannelRole.AGENT and frame.voiced:
            alert = self._feed_voice(frame)
            if alert is not None:
                alerts.append(alert)
        return alerts

    # ------------------------------------------------------------ talk-over

    def _feed_talk(self, frame: ev.ProsodyFrame) -> list[VoiceAlert]:
        role = frame.role
        index = round(frame.at_s / self.s.hop_s)
        if frame.voiced:
            self._last_voiced[role] = index
        last = self._last_voiced[role]
        if last is not None and 0 <= index - last <= self._hang:
            self._talking[role].add(index)
        self._first.setdefault(role, index)
        self._reached[role] = max(self._reached.get(role, index + 1), index + 1)
        if len(self._reached) < 2:
            self._prune(role, self._reached[role] - _MAX_PENDING)
            return []
        upto = min(self._reached.values())
        if self._next is None:
            self._next = max(self._first.values())
        for other in ev.ChannelRole:
            self._prune(other, self._reached[other] - _MAX_PENDING)
        return self._resolve(upto)

    def _prune(self, role: ev.ChannelRole, below: int) -> None:
        talking = self._talking[role]
        if talking and min(talking) < below:
            self._talking[role] = {i for i in talking if i >= below}

    def _resolve(self, upto: int) -> list[VoiceAlert]:
        assert self._next is not None
        alerts: list[VoiceAlert] = []
        need = round(self.s.talk_over_s / self.s.hop_s)
        for index in range(self._next, upto):
            now = {r: index in self._talking[r] for r in ev.ChannelRole}
            for role in ev.ChannelRole:
                self._talking[role].discard(index)
                if now[role] and not self._prev[role]:
                    self._start[role] = index
            customer, agent = ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT
            if now[customer] and now[agent] and self._start[agent] > self._start[customer]:
                self._run += 1
            else:
                self._run, self._run_alerted = 0, False
            at_s = round(index * self.s.hop_s, 4)
            if (
                self._run >= need
                and not self._run_alerted
                and self._due(self._last_talk_alert_s, at_s, self.s.talk_over_repeat_s)
            ):
                self._run_alerted = True
                self._last_talk_alert_s = at_s
                seconds = self._run * self.s.hop_s
                alerts.append(
                    VoiceAlert("agent_talk_over", at_s, f"{seconds:.1f} s over the customer")
                )
            self._prev = now
        self._next = max(self._next, upto)
        return alerts

    # ------------------------------------------------------------ voice rising

    def _feed_voice(self, frame: ev.ProsodyFrame) -> VoiceAlert | None:
        st = None if frame.f0_hz is None or frame.f0_hz <= 0 else semitones(frame.f0_hz)
        if self._baseline is None:
            self._base_loud.append(frame.loudness_db)
            if st is not None:
                self._base_st.append(st)
            if len(self._base_loud) * self.s.hop_s >= self.s.baseline_voiced_s:
                pitch = statistics.median(self._base_st) if self._base_st else None
                self._baseline = (statistics.median(self._base_loud), pitch)
            return None
        window = self._recent
        window.append((frame.at_s, frame.loudness_db, st))
        keep = max(1, round(self.s.window_voiced_s / self.s.hop_s))
        while len(window) > keep or (
            window and frame.at_s - window[0][0] > self.s.window_max_age_s
        ):
            window.popleft()
        if len(window) * self.s.hop_s < self.s.min_window_voiced_s - 1e-9:
            return None
        base_loud, base_st = self._baseline
        rise_db = statistics.median(x for _, x, _ in window) - base_loud
        pitches = [p for _, _, p in window if p is not None]
        rise_st = statistics.median(pitches) - base_st if pitches and base_st is not None else 0.0
        over = rise_db >= self.s.loudness_rise_db or rise_st >= self.s.pitch_rise_st
        if not over:
            back = self.s.rearm_fraction
            if rise_db < back * self.s.loudness_rise_db and rise_st < back * self.s.pitch_rise_st:
                self._voice_armed = True
            return None
        if not self._voice_armed or not self._due(
            self._last_voice_alert_s, frame.at_s, self.s.voice_repeat_s
        ):
            return None
        self._voice_armed = False
        self._last_voice_alert_s = frame.at_s
        return VoiceAlert("agent_voice", frame.at_s, f"{rise_db:+.0f} dB, {rise_st:+.1f} semitones")

    @staticmethod
    def _due(last_s: float | None, now_s: float, repeat_s: float) -> bool:
        return last_s is None or now_s - last_s >= repeat_s
