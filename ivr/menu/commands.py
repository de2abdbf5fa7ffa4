"""What an IVR session asks its driver to do.

A session returns a list of commands; the driver carries them out in order.
:class:`Play` starts a playback and the driver reports its end with
``IvrSession.prompt_done``, except when the list ends with a
:class:`Transfer` or :class:`Hangup`: then the driver plays the prompt to its
end and carries out that last command (the session is already finished).
Every command becomes an :class:`ivr.events.IvrAction` with ``to_event``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ivr.events import IvrAction
from ivr.menu.handoff import Handoff
from ivr.menu.model import Prompt

PlayPurpose = Literal["prompt", "no_match", "no_input", "goodbye", "transfer"]


@dataclass(frozen=True)
class Play:
    node: str
    prompt: Prompt
    purpose: PlayPurpose

    def to_event(self, call_id: str, at_s: float) -> IvrAction:
        detail = {
            "purpose": self.purpose,
            "language": self.prompt.language,
            "text": self.prompt.text,
            "wav": str(self.prompt.wav) if self.prompt.wav else "",
        }
        return IvrAction(call_id, at_s, "play", self.node, detail)


@dataclass(frozen=True)
class StopPlayback:
    """Barge-in: the caller acted during a prompt, so stop it now."""

    node: str = ""

    def to_event(self, call_id: str, at_s: float) -> IvrAction:
        return IvrAction(call_id, at_s, "stop", self.node, {})


@dataclass(frozen=True)
class Listen:
    """Recognise speech and digits; ``phrases`` is what the recogniser should be
    limited to. The session itself times the silence (``on_time``)."""

    node: str
    phrases: tuple[str, ...]
    timeout_s: float

    def to_event(self, call_id: str, at_s: float) -> IvrAction:
        detail = {"phrases": " | ".join(self.phrases), "timeout_s": f"{self.timeout_s:g}"}
        return IvrAction(call_id, at_s, "listen", self.node, detail)


@dataclass(frozen=True)
class Transfer:
    """Hand the caller to a person: wait in ``queue`` (``kind="queue"``) with
    ``priority`` (larger is served first), or a blind transfer to the number,
    extension or queue name in ``queue`` (``kind="transfer"``)."""

    queue: str
    priority: int
    fast_tracked: bool
    reason: str
    context: Handoff
    kind: Literal["queue", "transfer"] = "queue"

    def to_event(self, call_id: str, at_s: float) -> IvrAction:
        detail = self.context.detail()
        detail.update(
            queue=self.queue,
            priority=str(self.priority),
            kind=self.kind,
            fast_tracked="yes" if self.fast_tracked else "no",
            reason=self.reason,
        )
        return IvrAction(call_id, at_s, "transfer", self.context.node, detail)


@dataclass(frozen=True)
class Hangup:
    reason: str
    node: str = ""

    def to_event(self, call_id: str, at_s: float) -> IvrAction:
        return IvrAction(call_id, at_s, "hangup", self.node, {"reason": self.reason})


Command = Play | StopPlayback | Listen | Transfer | Hangup

__all__ = [
    "Command",
    "Handoff",
    "Hangup",
    "Listen",
    "Play",
    "PlayPurpose",
    "Prompt",
    "StopPlayback",
    "Transfer",
]
