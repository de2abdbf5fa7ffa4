"""Live assist straight from telephony: AudioSocket, Twilio media streams and
FreeSWITCH mod_audio_fork calls through the same call runner as the
vosk-protocol ingest.

Each telephony connection is a :class:`~ivr.telephony.line.Line` carrying one
or both legs of a call. What the protocol's metadata says picks the call:

- ``call`` (else the protocol's own id: the AudioSocket UUID, Twilio's
  CallSid, the audio_fork metadata's callId/uuid) names the call, so two
  connections (a customer leg and an agent leg) can join one call;
- ``seat`` (or ``agent``) is the agent seat whose screen follows the call;
- ``lang`` (or ``language``) its language (else the listener's, else the
  first served);
- ``token``: with access rules, an ingest token (Twilio: a ``<Parameter>``;
  audio_fork: a key of the metadata JSON).

AudioSocket carries only a UUID: its language and leg come from the
listener (``HOST:PORT:LANG:ROLE``); its calls have no seat (open
``/agent?call=UUID``). Twilio's inbound track is the customer and its
outbound track the agent; audio_fork stereo has the customer left.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from assist.calls.feed import CallFeed
from assist.calls.runner import CallRunner, IngestError
from assist.hub.access import Access, Role
from ivr import events as ev
from ivr.telephony.base_line import LineHandler
from ivr.telephony.ids import BadId, check_id
from ivr.telephony.line import Line, LineAudio, LineHangup

log = logging.getLogger("assist.hub.telephony")

CALL_KEYS = ("call", "call_id")
SEAT_KEYS = ("seat", "agent")
LANGUAGE_KEYS = ("lang", "language")


class TelephonyAssist:
    """Runs the live assist for calls that arrive on telephony lines."""

    def __init__(self, registry: CallRunner, access: Access, languages: Sequence[str]) -> None:
        if not languages:
            raise ValueError("no languages to serve")
        self.registry = registry
        self.access = access
        self.languages = tuple(languages)

    def handler(
        self, language: str | None = None, role: ev.ChannelRole | None = None
    ) -> LineHandler:
        """A line handler for one listener; ``language`` and ``role`` are the
        listener's (AudioSocket: the protocol carries neither)."""

        async def handle(line: Line) -> None:
            await self.run(line, language, role)

        return handle

    async def run(
        self,
        line: Line,
        listener_language: str | None = None,
        listener_role: ev.ChannelRole | None = None,
    ) -> None:
        info, meta = line.info, line.info.metadata
        try:
            call_id = check_id(_first(meta, CALL_KEYS) or info.call_id)
            seat = _first(meta, SEAT_KEYS)
            seat = check_id(seat, "seat") if seat else ""
        except BadId as exc:
            await self._refuse(line, str(exc))
            return
        if not self.access.open:
            principal = self.access.identify(meta.get("token") or None)
            if principal is None or principal.role is Role.AGENT:
                await self._refuse(line, "unknown ingest token")
                return
        language = self._language(_first(meta, LANGUAGE_KEYS), listener_language)
        if language is None:
            await self._refuse(line, f"this hub serves only {', '.join(self.languages)}")
            return
        # A line's roles as the call sees them (AudioSocket: the listener's leg).
        legs = {r: (listener_role or r) for r in info.roles}
        taken: list[ev.ChannelRole] = []
        reason = "hangup"
        try:
            call: CallFeed | None = None
            for leg in legs.values():
                call = await self.registry.attach(call_id, language, seat, info.protocol, leg)
                taken.append(leg)
            assert call is not None
            async for event in line.events():
                if isinstance(event, LineAudio):
                    role = legs.get(event.role)
                    if role is not None:
                        call.channel(role, info.rate_hz).feed_pcm(event.pcm)
                elif isinstance(event, LineHangup):
                    reason = event.reason
        except IngestError as exc:
            log.warning("%s call %s refused: %s", info.protocol, call_id, exc)
            await line.hangup(str(exc))
        finally:
            for leg in taken:
                await self.registry.detach(call_id, leg, reason)

    def _language(self, asked: str, listener_language: str | None) -> str | None:
        asked = asked.lower()[:2]
        if asked:
            return asked if asked in self.languages else None
        if listener_language is not None:
            return listener_language if listener_language in self.languages else None
        return self.languages[0]

    @staticmethod
    async def _refuse(line: Line, why: str) -> None:
        log.warning("%s call refused: %s", line.info.protocol, why)
        await line.hangup(why)


@dataclass(frozen=True)
class AudioSocketListener:
    """Where an AudioSocket listener binds, and the language and leg of the
    calls it takes (the protocol carries neither)."""

    host: str
    port: int
    language: str | None = None
    role: ev.ChannelRole = ev.ChannelRole.CUSTOMER

    @classmethod
    def parse(cls, text: str) -> AudioSocketListener:
        """``HOST:PORT[:LANG[:ROLE]]``, e.g. ``127.0.0.1:9092:ru:agent``."""
        parts = text.split(":")
        try:
            host, port = parts[0], int(parts[1])
            language = parts[2] or None if len(parts) > 2 else None
            role = ev.ChannelRole(parts[3]) if len(parts) > 3 else ev.ChannelRole.CUSTOMER
            if len(parts) > 4 or not host or not 0 <= port < 65536:
                raise ValueError
        except (IndexError, ValueError):
            raise ValueError(
                f"expected HOST:PORT[:LANG[:customer|agent]] for an AudioSocket listener, "
                f"got {text!r}"
            ) from None
        return cls(host, port, language, role)


def _first(meta: dict[str, str], keys: Sequence[str]) -> str:
    return next((meta[k] for k in keys if meta.get(k)), "")
