"""What an IVR session remembers about the caller, and what it hands to the agent.

:class:`Handoff` is what an agent needs before saying hello: where the
caller went in the menu and how they chose, what they said, how often the
menu failed them, and whether (and why) they skipped the queue.
:meth:`Handoff.detail` flattens it into the string fields of an
:class:`ivr.events.IvrAction`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.events import AngerReason


@dataclass(frozen=True)
class PathStep:
    """One node the caller reached: ``how`` is start | digit | speech | fallback,
    ``said`` the digit pressed or the synonym recognised."""

    node: str
    title: str
    how: str
    said: str
    at_s: float

    def describe(self) -> str:
        match self.how:
            case "digit":
                return f"{self.node} [{self.said}]"
            case "speech":
                return f"{self.node} ['{self.said}']"
            case _:
                return f"{self.node} [{self.how}]"


@dataclass(frozen=True)
class Heard:
    """One final recognition result while the caller was in ``node``."""

    text: str
    at_s: float
    node: str
    conf: float = 1.0


@dataclass(frozen=True)
class Handoff:
    menu_id: str
    language: str
    node: str  # where the caller was when the IVR ended
    path: tuple[PathStep, ...]
    heard: tuple[Heard, ...]
    failed_attempts: int  # no-matches and no-inputs over the whole call
    fast_tracked: bool
    reason: str  # why the call went where it went: "caller asked for an operator", ...
    choice: str = ""  # the caller's last choice: "digit 1", "'нет интернета'"
    anger: tuple[AngerReason, ...] = ()  # the anger core's reasons when anger fast-tracked

    def detail(self) -> dict[str, str]:
        """String fields for :class:`ivr.events.IvrAction` ``detail``."""
        out = {
            "menu": self.menu_id,
            "language": self.language,
            "path": " > ".join(step.node for step in self.path),
            "path_titles": " > ".join(step.title for step in self.path),
            "steps": " > ".join(step.describe() for step in self.path),
            "heard": "; ".join(f"{h.at_s:.1f}s '{h.text}'" for h in self.heard),
            "failed_attempts": str(self.failed_attempts),
            "fast_tracked": "yes" if self.fast_tracked else "no",
            "reason": self.reason,
            "choice": self.choice,
        }
        if self.anger:
            out["anger"] = "; ".join(f"{r.kind}: {r.text} ({r.weight:.2f})" for r in self.anger)
        return out


@dataclass(frozen=True)
class Outcome:
    """How the IVR part of a call ended. ``kind`` is queue | transfer (the
    caller went to a person or number), hangup (the menu said goodbye) or
    caller_hangup (the caller left)."""

    kind: str
    node: str
    at_s: float
    reason: str
    destination: str = ""  # the queue or the transfer target
    priority: int = 0
    fast_tracked: bool = False
