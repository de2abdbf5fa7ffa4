"""One chat or e-mail conversation through the call pipeline, sans-I/O.

Each message becomes a final transcript of its author (customer or agent),
words at full confidence, at the message's time in seconds from the start of
the conversation. The anger core scores the customer's words with the text
settings (``assist/data/text_channel.toml``: lower levels, since a message
has no voice share); the advisor sees the same reasons and the agent's words
as on a call. A message is *flagged* when it leaves the core at level tense
or angry.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assist.advisor import Advisor
from assist.anger import AngerCore
from assist.anger.config import AngerConfig, load_anger_config
from assist.anger.lexicon import DATA_DIR, load_lexicon, normalize_language, tokenize
from assist.pipeline import CallPipeline
from ivr import events as ev
from ivr.asr.base import AsrResult

TEXT_CONFIG_PATH: Path = DATA_DIR / "text_channel.toml"
_WORD_S = 0.3  # a written word's span on the conversation's clock


@cache
def text_anger_config() -> AngerConfig:
    """The anger settings of the text channel: anger.toml overlaid with
    text_channel.toml, and typed words taken as fully understood (a call's
    keywords count less where the recogniser did not understand the words
    around them; a message's words are what the customer wrote)."""
    config = load_anger_config(TEXT_CONFIG_PATH)
    keywords = config.keywords
    if hasattr(keywords, "understanding_full"):  # the recogniser-trust settings
        # A message with no other words counts as half understood: full trust from there.
        keywords = dataclasses.replace(keywords, understanding_start=0.0, understanding_full=0.5)
        config = dataclasses.replace(config, keywords=keywords)
    return config


@dataclass(frozen=True)
class Reason:
    category: str  # lexicon category ("" for a voice cue, never in text)
    kind: str  # "anger" | "complaint"
    words: str
    weight: float
    text: str  # readable, as on the agent's screen


@dataclass(frozen=True)
class TextVerdict:
    """What the core says after one customer message."""

    flagged: bool
    level: ev.AngerLevel
    score: float
    reasons: tuple[Reason, ...]
    suggestions: tuple[ev.Suggestion, ...] = ()


def _words(text: str, start_s: float) -> tuple[ev.Word, ...]:
    out = []
    at = start_s
    for token in text.split():
        if tokenize(token):
            out.append(ev.Word(token, round(at, 3), round(at + _WORD_S, 3), 1.0))
            at += _WORD_S
    return tuple(out)


def _verdict(core: AngerCore, language: str, suggestions: list[ev.Suggestion]) -> TextVerdict:
    current = core.current
    if current is None:
        return TextVerdict(False, ev.AngerLevel.CALM, 0.0, (), tuple(suggestions))
    lexicon = core.lexicon
    reasons = []
    for reason in current.reasons:
        category = (
            reason.kind.removeprefix("keyword:") if reason.kind.startswith("keyword:") else ""
        )
        kind = lexicon.kind_of(category) if category else "voice"
        reasons.append(Reason(category, kind, reason.words, reason.weight, reason.text))
    return TextVerdict(
        flagged=current.level is not ev.AngerLevel.CALM,
        level=current.level,
        score=round(current.score, 3),
        reasons=tuple(reasons),
        suggestions=tuple(suggestions),
    )


class TextConversation:
    """A conversation's messages in order through one call pipeline."""

    def __init__(self, conversation_id: str, language: str, *, advise: bool = True) -> None:
        self.conversation_id = conversation_id
        self.language = normalize_language(language)
        load_lexicon(self.language)  # an unknown language fails here, clearly
        core = AngerCore(conversation_id, self.language, config=text_anger_config())
        advisor = Advisor(conversation_id, self.language) if advise else None
        self._core = core
        self._pipeline = (
            CallPipeline(conversation_id, self.language, core, advisor, source="text")
            if advisor is not None
            else None
        )
        self._clock_s = 0.0

    def start(self) -> list[ev.Event]:
        return self._pipeline.start() if self._pipeline else []

    def add(
        self, role: ev.ChannelRole, text: str, at_s: float | None = None
    ) -> tuple[TextVerdict, list[ev.Event]]:
        """One message; ``at_s`` is its time from the conversation's start
        (default: a few seconds after the last one). Returns the verdict after
        it and the events the pipeline emitted (transcript, anger, suggestions)."""
        start_s = self._clock_s + 2.0 if at_s is None else max(self._clock_s, float(at_s))
        words = _words(text, start_s)
        self._clock_s = words[-1].end_s if words else start_s
        if not words:
            return _verdict(self._core, self.language, []), []
        if self._pipeline is None:
            final = ev.TranscriptFinal(self.conversation_id, role, text, words, at_s=self._clock_s)
            events: list[ev.Event] = list(self._core.feed_transcript(final))
        else:
            result = AsrResult(text=text, words=words, final=True)
            events = self._pipeline.on_asr(role, result)
        suggestions = [e for e in events if isinstance(e, ev.Suggestion)]
        return _verdict(self._core, self.language, suggestions), events

    def end(self) -> list[ev.Event]:
        return self._pipeline.end("closed") if self._pipeline else []

    @property
    def clock_s(self) -> float:
        return self._clock_s


def score_text(text: str, language: str) -> TextVerdict:
    """One customer message on its own (no advisor): the verdict."""
    conversation = TextConversation("text", language, advise=False)
    verdict, _ = conversation.add(ev.ChannelRole.CUSTOMER, text, 0.0)
    return verdict
