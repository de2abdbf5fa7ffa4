"""The one "line" every telephony ingress turns its protocol into.

A driver (the IVR, the live assist) receives a :class:`Line` per call and never
learns which protocol carried it: it reads caller-side events, plays prompt
audio, clears it on barge-in and hangs up. All audio is PCM16 little-endian
mono at ``info.rate_hz``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ivr.events import ChannelRole

__all__ = [
    "PROTOCOLS",
    "Line",
    "LineAudio",
    "LineDtmf",
    "LineEvent",
    "LineHangup",
    "LineInfo",
    "LineMark",
]

PROTOCOLS = ("audiosocket", "twilio", "audio_fork", "local")


@dataclass(frozen=True)
class LineInfo:
    """What is known about a call when its line opens."""

    call_id: str
    protocol: str
    rate_hz: int
    roles: tuple[ChannelRole, ...] = (ChannelRole.CUSTOMER,)
    metadata: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"unknown line protocol {self.protocol!r} (one of {PROTOCOLS})")
        if self.rate_hz not in (8000, 16000):
            raise ValueError(f"a line carries 8000 or 16000 Hz audio, got {self.rate_hz}")
        if not self.roles or len(set(self.roles)) != len(self.roles):
            raise ValueError(f"a line needs distinct channel roles, got {self.roles}")


@dataclass(frozen=True)
class LineAudio:
    """Caller-side audio of one role: PCM16 LE mono at the line's rate, any length."""

    role: ChannelRole
    pcm: bytes


@dataclass(frozen=True)
class LineDtmf:
    """A keypad digit carried by the protocol itself (not detected in the audio)."""

    digit: str


@dataclass(frozen=True)
class LineMark:
    """The telephony side reports that playback reached a named point (Twilio marks)."""

    name: str


@dataclass(frozen=True)
class LineHangup:
    """The call ended; ``reason`` says how. Always the last event of a line."""

    reason: str


LineEvent = LineAudio | LineDtmf | LineMark | LineHangup


@runtime_checkable
class Line(Protocol):
    info: LineInfo

    def events(self) -> AsyncIterator[LineEvent]:
        """Caller-side events in arrival order; ends after :class:`LineHangup`.
        One consumer per line."""
        ...

    async def play(self, pcm: bytes) -> bool:
        """Play prompt audio to the caller. True once all of it has played out,
        False if it was cleared or the call ended first. A play started while
        another runs clears the first."""
        ...

    async def clear(self) -> None:
        """Stop what is playing now (barge-in)."""
        ...

    async def hangup(self, reason: str = "") -> None:
        """End the call from our side."""
        ...
