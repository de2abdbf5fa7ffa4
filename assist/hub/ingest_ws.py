"""``/ws/ingest``: one leg of a live call in the vosk-server protocol
(:mod:`assist.hub.ingest` holds the protocol; this is the connection).

The query names the leg: ``call=ID&lang=ru|en&seat=S&role=customer|agent``
(the call id and seat must be short printable tokens). A leg already held by
another connection is refused with 4409. A peer that sends nothing for
``idle_timeout_s`` is closed with 4408 and, if it was the call's last leg,
the call ends with a ``CallEnded`` saying so. A bad control message closes
the leg with 4400 and the reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from assist.calls.runner import CallRunner, IngestError, LegTaken
from assist.hub.access import Access, Principal, Role
from assist.hub.errors import (
    CLOSE_BAD_REQUEST,
    CLOSE_IDLE,
    CLOSE_SEAT_TAKEN,
    CLOSE_UNAUTHORIZED,
    CLOSE_UNAVAILABLE,
    Refused,
)
from assist.hub.idle import IdleWatch
from assist.hub.ingest import FatalIngestError, IngestSession
from ivr import events as ev
from ivr.telephony.ids import BadId, check_id

log = logging.getLogger("assist.hub.ingest")


@dataclass
class IngestLimits:
    max_audio_bytes: int = 64_000  # one message: 2 s at 16 kHz
    auth_timeout_s: float = 5.0
    idle_timeout_s: float = 20.0  # wall clock without a message: the leg is over


class IngestEndpoint:
    def __init__(self, registry: CallRunner, access: Access, limits: IngestLimits) -> None:
        self.registry = registry
        self.access = access
        self.limits = limits

    async def __call__(self, connection: ServerConnection, query: dict[str, str]) -> None:
        try:
            call_id = check_id(query.get("call"))
            seat = check_id(query["seat"], "seat") if query.get("seat") else ""
        except BadId as exc:
            raise Refused(CLOSE_BAD_REQUEST, f"ingest: {exc}") from None
        language, role_name = query.get("lang", ""), query.get("role", "customer")
        if language not in ("ru", "en"):
            raise Refused(CLOSE_BAD_REQUEST, "ingest needs call=ID and lang=ru|en")
        try:
            role = ev.ChannelRole(role_name)
        except ValueError:
            raise Refused(CLOSE_BAD_REQUEST, "role must be customer or agent") from None
        pending = await self._authenticate(connection)
        try:
            call = await self.registry.attach(call_id, language, seat, "ingest", role)
        except LegTaken as exc:
            log.warning("ingest call %s: second %s connection refused", call_id, role.value)
            raise Refused(CLOSE_SEAT_TAKEN, str(exc)) from None
        except IngestError as exc:
            raise Refused(CLOSE_BAD_REQUEST, str(exc)) from None
        except Exception as exc:  # no engine for the language, model failure
            log.warning("ingest for call %s refused: %s", call_id, exc)
            raise Refused(CLOSE_UNAVAILABLE, f"no speech engine for {language}") from None
        session = IngestSession(call, role, self.limits.max_audio_bytes)
        reason = "hangup"
        try:
            reason = await self._run(connection, session, pending)
        finally:
            await self.registry.detach(call_id, role, reason)

    async def _run(
        self, connection: ServerConnection, session: IngestSession, pending: str | bytes | None
    ) -> str:
        """Feed the leg until it ends; the reason it ended."""
        idle_s = self.limits.idle_timeout_s
        watch = IdleWatch(idle_s)
        try:
            if pending is not None:
                await self._message(connection, session, pending)
            while not session.ended:
                watch.waiting()
                try:
                    message = await connection.recv()
                except asyncio.CancelledError:
                    if not watch.timed_out():
                        raise
                    reason = f"no audio for {idle_s:g} s"
                    log.warning("ingest call %s: %s; closed", session.call.pipeline.call_id, reason)
                    await connection.close(CLOSE_IDLE, reason)
                    return reason
                watch.heard()
                await self._message(connection, session, message)
            await connection.close()
            return "hangup"
        except FatalIngestError as exc:
            await connection.send(json.dumps({"error": str(exc)}, ensure_ascii=False))
            await connection.close(CLOSE_BAD_REQUEST, Refused(0, str(exc)).reason)
            return "bad input"
        except ConnectionClosed:
            return "disconnected"
        finally:
            watch.stop()

    @staticmethod
    async def _message(
        connection: ServerConnection, session: IngestSession, message: str | bytes
    ) -> None:
        try:
            if isinstance(message, bytes):
                reply = await session.on_audio(message)
            else:
                reply = await session.on_text(message)
        except FatalIngestError:
            raise
        except IngestError as exc:
            reply = {"error": str(exc)}
        if reply is not None:
            await connection.send(json.dumps(reply, ensure_ascii=False))

    async def _authenticate(self, connection: ServerConnection) -> str | bytes | None:
        """Check the client before any call exists; returns the first message
        if it had to be read for its token."""
        if self.access.open:
            return None
        assert connection.request is not None
        header = connection.request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            principal = self.access.identify(header.removeprefix("Bearer ").strip())
            if principal is None or principal.role is Role.AGENT:
                raise Refused(CLOSE_UNAUTHORIZED, "unknown ingest token")
            return None
        try:
            first = await asyncio.wait_for(connection.recv(), self.limits.auth_timeout_s)
        except TimeoutError:
            raise Refused(CLOSE_UNAUTHORIZED, "ingest needs a token") from None
        if self._token_in(first) is None:
            raise Refused(CLOSE_UNAUTHORIZED, "ingest needs a token")
        return first

    def _token_in(self, message: str | bytes) -> Principal | None:
        """A token in the first (config) message, for clients that cannot set headers."""
        if isinstance(message, bytes) or len(message) > 65536:
            return None
        try:
            data = json.loads(message)
        except (ValueError, RecursionError):
            return None
        config = data.get("config") if isinstance(data, dict) else None
        token = config.get("token") if isinstance(config, dict) else None
        principal = self.access.identify(token) if isinstance(token, str) else None
        return principal if principal is not None and principal.role is not Role.AGENT else None
