"""The call's transcript for reading: final utterances of both channels in
time order, the customer's trigger words marked (the anger lexicon's own
matching, negated terms excepted), and the agent's utterances that drew a
warning carrying its text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assist.anger.lexicon import Lexicon, load_lexicon, tokenize
from ivr import events as ev
from ivr.datafile import DataFileError


@dataclass(frozen=True)
class MarkedWord:
    word: str
    start_s: float
    end_s: float
    conf: float
    trigger: str = ""  # the lexicon category's label when this word is a trigger


@dataclass(frozen=True)
class Line:
    role: ev.ChannelRole
    start_s: float
    end_s: float
    words: tuple[MarkedWord, ...]
    warning: str = ""  # an agent warning drawn by this utterance


def _lexicon(language: str) -> Lexicon | None:
    try:
        return load_lexicon(language)
    except (DataFileError, ValueError):
        return None


def mark_triggers(words: Sequence[ev.Word], lexicon: Lexicon | None) -> tuple[MarkedWord, ...]:
    tokens: list[str] = []
    owner: list[int] = []  # token index -> word index
    for index, word in enumerate(words):
        for token in tokenize(word.word):
            tokens.append(token)
            owner.append(index)
    labels: dict[int, str] = {}
    if lexicon is not None:
        for match in lexicon.find(tokens):
            if match.negated:
                continue
            label = lexicon.category(match.term.category).label
            for position in match.positions:
                labels.setdefault(owner[position], label)
    return tuple(
        MarkedWord(w.word, w.start_s, w.end_s, w.conf, labels.get(i, ""))
        for i, w in enumerate(words)
    )


def transcript_lines(events: Sequence[ev.Event], language: str) -> list[Line]:
    lexicon = _lexicon(language) if language else None
    warnings = {
        round(s.at_s, 3): s.text
        for s in events
        if isinstance(s, ev.Suggestion)
        and s.kind is ev.SuggestionKind.WARNING
        and s.trigger == "agent_words"
    }
    lines: list[Line] = []
    for e in events:
        if not isinstance(e, ev.TranscriptFinal):
            continue
        words = e.words or tuple(ev.Word(w, e.at_s, e.at_s, 1.0) for w in e.text.split())
        if not words:
            continue
        customer = e.role is ev.ChannelRole.CUSTOMER
        lines.append(
            Line(
                role=e.role,
                start_s=words[0].start_s,
                end_s=max(w.end_s for w in words),
                words=mark_triggers(words, lexicon if customer else None),
                warning="" if customer else warnings.get(round(e.at_s, 3), ""),
            )
        )
    lines.sort(key=lambda line: (line.start_s, line.role is not ev.ChannelRole.CUSTOMER))
    return lines
