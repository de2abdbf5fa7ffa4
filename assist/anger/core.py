"""The per-call anger core: audio chunks and recognition results in, prosody
frames and anger updates out. Sans-I/O: no clock (audio time only), no files
after construction, no sockets; the same input always gives the same output.

Score = keyword share (capped) + prosodic share (capped), each share made of
readable reasons whose weights add up to the score.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ivr.events import (
    AngerLevel,
    AngerReason,
    AngerUpdate,
    AudioChunk,
    ChannelRole,
    Event,
    ProsodyFrame,
    TranscriptFinal,
    TranscriptPartial,
    Trend,
)

from .baseline import CallerBaseline
from .config import AngerConfig, load_anger_config
from .cues import (
    CUES,
    NO_CUES,
    CueValues,
    Evidence,
    VoiceWindow,
    cue_evidence,
    cue_excess,
    prior_value,
    st_to_hz,
)
from .fusion import LevelTracker, TrendTracker
from .keywords import KeywordTracker
from .lexicon import Lexicon, load_lexicon, normalize_language
from .pitch import PitchSettings
from .prosody import Block, ChannelAnalyzer
from .reasons import reason_texts
from .talkover import TalkOverTracker


@dataclass(frozen=True)
class CueTrace:
    """One measurement of the voice against the baseline (for calibration):
    each cue's excess, the amount its ramp reads (None when not measurable)."""

    at_s: float
    excesses: tuple[float | None, ...]  # in the order of CUES


@dataclass(frozen=True)
class Assessment:
    """The core's current view (what the last update said, or would say)."""

    at_s: float
    score: float
    level: AngerLevel
    trend: Trend
    reasons: tuple[AngerReason, ...]


class AngerCore:
    """One per call. Feed both channels' audio and the recogniser's results."""

    def __init__(
        self,
        call_id: str,
        language: str,
        config: AngerConfig | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        self.call_id = call_id
        self.language = normalize_language(language)
        self.config = config or load_anger_config()
        self.lexicon = lexicon or load_lexicon(self.language)
        cfg = self.config
        self._analyzers: dict[ChannelRole, ChannelAnalyzer] = {}
        self._texts = reason_texts(self.language)
        self._keywords = KeywordTracker(self.lexicon, cfg.keywords, self._texts)
        self._hop_s = PitchSettings().hop_s
        self._window = VoiceWindow(cfg.prosody, self._hop_s)
        self._baseline = CallerBaseline(cfg.baseline, cfg.prosody, self._hop_s)
        self._talk = TalkOverTracker(cfg.prosody.talk_over, self._hop_s)
        # Each cue's settings and population prior, looked up once per call.
        self._cue_settings = tuple(
            (name, getattr(cfg.prosody, name), prior_value(cfg.prosody, name)) for name in CUES
        )
        self._levels = LevelTracker(cfg.levels)
        self._trend = TrendTracker(cfg.trend)
        self._now_s = 0.0
        self._cues: CueValues = NO_CUES
        self._evidence: dict[str, Evidence] = {}
        self._evidence_at_s = 0.0  # when the cue evidence was last measured
        self._own_share = 0.0  # the voice share against the caller's own calm voice only
        self._own_share_fixed = 0.0  # ... by the fitted ramps alone (no spread margin)
        self._last: AngerUpdate | None = None
        self._keywords_told: set[str] = set()  # keyword reason texts sent so far
        self._current: Assessment | None = None
        self.trace: list[CueTrace] | None = None  # set to a list to record every measurement

    # ------------------------------------------------------------ inputs

    def hear_recogniser(self, vocabulary_words: int | None) -> None:
        """What the call's recogniser can say: with an open vocabulary its
        keywords are trusted from the caller's first words."""
        if vocabulary_words is not None and (
            vocabulary_words >= self.config.keywords.open_vocabulary_words
        ):
            self._keywords.open_vocabulary()

    def feed_audio(self, chunk: AudioChunk) -> list[Event]:
        """One chunk of either channel; returns prosody frames (one per 100 ms
        of that channel) and an anger update when one is due."""
        analyzer = self._analyzer(chunk)
        blocks = analyzer.feed(chunk.samples(), chunk.start_sample)
        return self._take_blocks(chunk.role, blocks)

    def feed_transcript(self, event: TranscriptPartial | TranscriptFinal) -> list[Event]:
        """A partial or final result. The customer's words drive the keyword
        share; the agent's are ignored here."""
        if event.role is not ChannelRole.CUSTOMER:
            return []
        reach_s = self._keywords.feed(event)
        self._now_s = max(self._now_s, reach_s)
        return self._assess(self._now_s)

    def flush(self) -> list[Event]:
        """End of the call's audio: analyse what is still buffered."""
        out: list[Event] = []
        for role in sorted(self._analyzers):
            out.extend(self._take_blocks(role, self._analyzers[role].flush()))
        return out

    @property
    def current(self) -> Assessment | None:
        """The latest assessment (also between updates)."""
        return self._current

    @property
    def baseline(self) -> CueValues:
        """The caller baseline learnt so far (values None until heard)."""
        return self._baseline.values()

    @property
    def baseline_ready(self) -> bool:
        return self._baseline.ready

    # ------------------------------------------------------------ internals

    def _analyzer(self, chunk: AudioChunk) -> ChannelAnalyzer:
        if chunk.call_id != self.call_id:
            raise ValueError(
                f"chunk of call {chunk.call_id!r} fed to the anger core of call {self.call_id!r}"
            )
        analyzer = self._analyzers.get(chunk.role)
        if analyzer is None:
            analyzer = ChannelAnalyzer(chunk.rate_hz)
            self._analyzers[chunk.role] = analyzer
        elif analyzer.rate_hz != chunk.rate_hz:
            raise ValueError(
                f"{chunk.role} channel of call {self.call_id!r} changed sample rate "
                f"from {analyzer.rate_hz} to {chunk.rate_hz} Hz"
            )
        return analyzer

    def _take_blocks(self, role: ChannelRole, blocks: list[Block]) -> list[Event]:
        if not blocks:
            return []
        out: list[Event] = []
        customer = role is ChannelRole.CUSTOMER
        for block in blocks:
            out.append(
                ProsodyFrame(
                    call_id=self.call_id,
                    role=role,
                    at_s=round(block.end_s, 4),
                    loudness_db=round(block.loudness_db, 2),
                    f0_hz=None if (f0 := block.block_f0_hz) is None else round(f0, 1),
                    voiced=f0 is not None,
                    speaking_rate_sps=None if block.rate_sps is None else round(block.rate_sps, 2),
                )
            )
            self._talk.add(role, block.first_index, block.talking)
            if customer:
                self._window.add(block)
        if customer:
            now = blocks[-1].end_s
            self._now_s = max(self._now_s, now)
            self._cues = self._window.measure(now)
            for block in blocks:
                self._baseline.offer(block)
            self._measure_evidence(now)
            # The caller's spread is learnt only from phrases that were calm
            # by the fitted ramps alone: what it lets through must not widen it.
            fixed_ok = self._own_share_fixed < self.config.baseline.accept_below
            self._baseline.offer_window(now, self._cues, spread=fixed_ok)
            out.extend(self._assess(self._now_s))
        return out

    def _measure_evidence(self, now_s: float) -> None:
        cues = self._cues
        if cues.voiced_s == 0.0:
            return  # nothing recent: the last evidence fades in _prosody_reasons
        base = self._baseline.values()
        own = self._baseline.own_values()
        evidence: dict[str, Evidence] = {}
        excesses: list[float | None] = []
        self._own_share = self._own_share_fixed = 0.0
        for name, cfg, prior in self._cue_settings:
            prior_share = self._baseline.prior_share(name)
            margin = self._baseline.spread_margin(name, cfg.start)
            found = cue_excess(name, cfg, cues, base, prior_share, own.get(name), prior)
            found = _less(found, margin)
            excesses.append(None if found is None else found[1])
            ev = cue_evidence(cfg, found, relative=prior_share < 0.5)
            if ev is not None:
                evidence[name] = ev
            own_found = cue_excess(name, cfg, cues, own, 0.0)
            against_own = cue_evidence(cfg, _less(own_found, margin))
            if against_own is not None:
                self._own_share += cfg.weight * against_own.value
            fixed = cue_evidence(cfg, own_found)
            if fixed is not None:
                self._own_share_fixed += cfg.weight * fixed.value
        if self.trace is not None:
            self.trace.append(CueTrace(now_s, tuple(excesses)))
        self._evidence = evidence
        self._evidence_at_s = now_s

    def _fade(self, now_s: float) -> float:
        """Cue evidence holds while the caller's recent speech is in the window,
        then fades."""
        if self._cues.voiced_s > 0.0:
            return 1.0
        return 0.5 ** (max(0.0, now_s - self._evidence_at_s) / self.config.prosody.half_life_s)

    def _prosody_reasons(self, now_s: float) -> list[AngerReason]:
        pc = self.config.prosody
        fade = self._fade(now_s)
        reasons = [
            AngerReason(
                kind=name,
                text=self._cue_text(name, ev),
                weight=getattr(pc, name).weight * ev.value * fade,
                value=round(ev.delta, 3),
            )
            for name, ev in self._evidence.items()
        ]
        seconds = self._talk.seconds(now_s)
        to = pc.talk_over
        if seconds > 0:
            e = min(1.0, max(0.0, (seconds - to.start_s) / (to.full_s - to.start_s)))
            if e > 0:
                reasons.append(
                    AngerReason(
                        kind="talk_over",
                        text=self._texts.render("talk_over", seconds=seconds),
                        weight=to.weight * e,
                        value=round(seconds, 1),
                    )
                )
        total = sum(r.weight for r in reasons)
        if total > pc.cap:
            reasons = [dataclasses.replace(r, weight=r.weight * pc.cap / total) for r in reasons]
        return reasons

    def _cue_text(self, name: str, ev: Evidence) -> str:
        kind = name if ev.relative else f"{name}_prior"
        pct = 100 * (2 ** (ev.delta / 12) - 1) if name == "pitch" else 100 * ev.delta
        now = self._cues.get(name)
        hz = st_to_hz(now) if name == "pitch" and now is not None else 0.0
        st = now if name == "pitch_range" and not ev.relative and now is not None else ev.delta
        return self._texts.render(kind, pct=pct, st=st, db=ev.delta, hz=hz)

    def _assess(self, now_s: float) -> list[Event]:
        cfg = self.config
        voice = self._prosody_reasons(now_s)
        reasons = self._keywords.contributions(now_s) + voice
        score = min(1.0, sum(r.weight for r in reasons))
        # The baseline describes the voice, so only the voice decides whether
        # speech was calm enough to learn (angry words in a calm voice are
        # still this caller's calm voice), and only as heard against the
        # caller's own voice learnt so far: a naturally high or bright voice
        # must be learnt, not held against the population prior forever.
        # That comparison counts as far as the caller's own voice is known
        # (a first tenth of a second learnt says little about the rest).
        known = self._baseline.known
        self._baseline.settle(now_s, self._own_share * known * self._fade(now_s))
        level = self._levels.update(now_s, score)
        trend = self._trend.update(now_s, score)
        reasons.sort(key=lambda r: (-r.weight, r.kind, r.text))
        # The strongest reasons, and every keyword not told yet however weak:
        # the advisor answers what the customer said, so none may be cut.
        cut = cfg.updates.max_reasons
        untold = [
            r
            for r in reasons[cut:]
            if r.kind.startswith("keyword") and r.text not in self._keywords_told
        ]
        shown = tuple(
            dataclasses.replace(r, weight=round(r.weight, 3))
            for r in reasons[:cut] + untold
            if r.weight >= cfg.updates.min_reason_weight
        )
        self._current = Assessment(now_s, score, level, trend, shown)
        last = self._last
        up = cfg.updates
        due = (
            last is None
            or level is not last.level
            or trend is not last.trend
            or _new_words(shown, last.reasons)
            or (abs(score - last.score) >= up.min_change and now_s - last.at_s >= up.min_interval_s)
            or now_s - last.at_s >= up.heartbeat_s
        )
        if not due:
            return []
        update = AngerUpdate(
            call_id=self.call_id,
            at_s=round(now_s, 3),
            score=round(score, 3),
            level=level,
            trend=trend,
            reasons=shown,
        )
        self._last = update
        self._keywords_told.update(r.text for r in shown if r.kind.startswith("keyword"))
        return [update]


def _new_words(shown: tuple[AngerReason, ...], before: tuple[AngerReason, ...]) -> bool:
    """Whether a keyword reason (or a repeat, "x2") is shown that the last
    update did not show. Such news is sent at once: once the keyword share
    is capped a new keyword barely moves the score, and waiting for
    ``min_change`` or the heartbeat kept it off the meter for seconds."""
    sent = {r.text for r in before}
    return any(r.kind.startswith("keyword") and r.text not in sent for r in shown)


def _less(found: tuple[float, float] | None, margin: float) -> tuple[float, float] | None:
    """A cue's (delta, excess) with ``margin`` more held back."""
    return None if found is None else (found[0], found[1] - margin)
