"""The advisor: picks a calming phrase or a behaviour cue from the context.

Sans-I/O: fed anger updates (and transcripts), returns Suggestion events.
It answers the strongest reason first, never repeats a phrase within a call,
waits a cooldown (audio time) between suggestions unless a new kind of
trigger appears, and gives a behaviour cue rather than a script when the
customer is shouting or talking fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assist.advisor.phrases import Phrase, load_phrases
from ivr import events as ev

# Lexicon categories and prosody reason kinds -> advisor triggers.
REASON_TRIGGERS = {
    "insult": "insult",
    "profanity": "insult",
    "threat": "threat",
    "repeat_contact": "repeat_contact",
    "outage": "outage",
    "waiting": "waiting",
    "transfer": "transfers",
    "exasperation": "rising",
    "manager_demand": "manager",
    "manager": "manager",
    "loudness": "shouting",
    "rate": "fast_speech",
    "speaking_rate": "fast_speech",
    "talk_over": "talk_over",
}


def trigger_of(reason: ev.AngerReason) -> str | None:
    """Keyword reasons are kinded "keyword:<lexicon category>"; voice reasons by cue."""
    return REASON_TRIGGERS.get(reason.kind.removeprefix("keyword:"))


@dataclass
class Advisor:
    call_id: str
    language: str
    cooldown_s: float = 6.0
    phrases: tuple[Phrase, ...] = ()
    _shown: set[str] = field(default_factory=set)
    _answered_triggers: set[str] = field(default_factory=set)
    _last_at_s: float | None = None
    _count: int = 0

    def __post_init__(self) -> None:
        if not self.phrases:
            self.phrases = load_phrases(self.language if self.language in ("ru", "en") else "en")

    def on_anger(self, update: ev.AngerUpdate) -> list[ev.Suggestion]:
        if update.level is ev.AngerLevel.CALM and update.trend is not ev.Trend.RISING:
            return []
        triggers = [t for r in sorted(update.reasons, key=lambda r: -r.weight) if (t := trigger_of(r))]
        if update.level is not ev.AngerLevel.ANGRY:
            triggers = [t for t in triggers if t != "shouting"]
        # Only a specific trigger not answered yet in this call skips the cooldown;
        # general rising anger is the fallback when nothing specific fits.
        fresh = [t for t in triggers if t not in self._answered_triggers]
        in_cooldown = self._last_at_s is not None and update.at_s - self._last_at_s < self.cooldown_s
        if in_cooldown and not fresh:
            return []
        for trigger in [*fresh, *triggers, "rising"]:
            phrase = self._pick(trigger)
            if phrase is not None:
                return [self._suggest(phrase, trigger, update.at_s)]
        return []

    def on_transcript(self, event: ev.TranscriptPartial | ev.TranscriptFinal) -> list[ev.Suggestion]:
        return []

    def on_feedback(self, feedback: ev.SuggestionFeedback) -> None:
        self._shown.add(feedback.suggestion_id.rsplit("#", 1)[0])

    def _pick(self, trigger: str) -> Phrase | None:
        for phrase in self.phrases:
            if trigger in phrase.triggers and phrase.phrase_id not in self._shown:
                return phrase
        return None

    def _suggest(self, phrase: Phrase, trigger: str, at_s: float) -> ev.Suggestion:
        self._shown.add(phrase.phrase_id)
        self._answered_triggers.add(trigger)
        self._last_at_s = at_s
        self._count += 1
        return ev.Suggestion(
            self.call_id,
            f"{phrase.phrase_id}#{self._count}",
            phrase.text,
            phrase.principle,
            trigger,
            self.language,
            phrase.kind,
            at_s=at_s,
        )
