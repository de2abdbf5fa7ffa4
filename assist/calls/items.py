"""The work a call's feed does in turn (:mod:`assist.calls.feed`): what
drivers hand it, one item at a time, through its queue or, when they wait
for the answer and nothing is queued, in their own task."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ivr import events as ev
from ivr.asr.base import AsrResult


@dataclass(frozen=True)
class Chunks:
    chunks: tuple[ev.AudioChunk, ...]


@dataclass(frozen=True)
class Feedback:
    feedback: ev.SuggestionFeedback


@dataclass(frozen=True)
class Cut:
    """End the channel's batch now; ``close``: end the utterance too."""

    role: ev.ChannelRole
    reply: asyncio.Future[AsrResult] | None
    close: bool = False


@dataclass(frozen=True)
class Phrases:
    role: ev.ChannelRole
    phrases: tuple[str, ...] | None


@dataclass(frozen=True)
class Finish:
    role: ev.ChannelRole
    reply: asyncio.Future[AsrResult] | None


@dataclass(frozen=True)
class End:
    reason: str
    done: asyncio.Future[None]


Item = Chunks | Feedback | Cut | Phrases | Finish | End
