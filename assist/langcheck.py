"""Does a recognised call look like the language it was recognised in?

A recogniser given speech in another language does not say so: it hears
its own words in it, mostly as its garbage word ``[unk]`` or with low
confidence. When most of a call's words are like that, the language was
probably wrong, and the anger analysis built on those words is too.
Sans-I/O: reads transcript events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ivr import events as ev

UNKNOWN_WORDS = frozenset({"[unk]", "<unk>"})
MIN_WORDS = 8  # fewer words say nothing either way
MAX_UNSURE_SHARE = 0.6  # more than this share of unknown or unsure words: a warning
MIN_CONF = 0.5  # a word recognised with less confidence is unsure


@dataclass(frozen=True)
class LanguageFit:
    words: int
    unsure: int  # unknown or recognised with less than MIN_CONF

    @property
    def share(self) -> float:
        return self.unsure / self.words if self.words else 0.0

    @property
    def doubtful(self) -> bool:
        return self.words >= MIN_WORDS and self.share > MAX_UNSURE_SHARE


def language_fit(events: Iterable[ev.Event]) -> LanguageFit:
    """How many final words of the call were unknown or unsure."""
    words = unsure = 0
    for event in events:
        if not isinstance(event, ev.TranscriptFinal):
            continue
        if event.words:
            for word in event.words:
                words += 1
                unsure += word.word.lower() in UNKNOWN_WORDS or word.conf < MIN_CONF
        else:
            tokens = event.text.split()
            words += len(tokens)
            unsure += sum(t.lower() in UNKNOWN_WORDS for t in tokens)
    return LanguageFit(words, unsure)


def wrong_language_warning(name: str, language: str, events: Iterable[ev.Event]) -> str | None:
    """A one-line warning when the call does not look like ``language``."""
    fit = language_fit(events)
    if not fit.doubtful:
        return None
    return (
        f"warning: {name}: {fit.unsure} of {fit.words} recognised words are unknown or unsure; "
        f"is the call really in '{language}'? (choose with --lang)"
    )
