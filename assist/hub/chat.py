"""Live chat through the hub: ``/ws/chat?conversation=ID&role=customer|agent
&lang=ru&seat=S``. Each text message a client sends (``{"text": "..."}``) is
one chat message of its role; the conversation runs through the text channel
(:mod:`assist.text`: the anger core on words only, and the advisor) and its
events go through the chain like a call's, so agent and supervisor screens show it
like a call without audio. The sender gets ``{"level", "score", "flagged"}``
back, or ``{"error": ...}`` for a bad message (the conversation goes on).

Access as for ingest: an ingest or supervisor token (``Authorization:
Bearer ...`` or ``{"token": ...}`` as the first message) may speak for either
role; an agent's token only as the agent of its own seat. The conversation
starts with its first connection and ends when its last one closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from dataclasses import dataclass, field

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from assist.anger.lexicon import available_languages, normalize_language
from assist.chain.chain import EventChain
from assist.hub.access import Access, Principal, Role
from assist.hub.errors import CLOSE_BAD_REQUEST, CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED, Refused
from assist.text.conversation import TextConversation
from ivr import events as ev

_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
MAX_TEXT_CHARS = 4000
AUTH_TIMEOUT_S = 5.0


@dataclass
class _Live:
    conversation: TextConversation
    started_monotonic_s: float
    connections: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ChatEndpoint:
    def __init__(self, chain: EventChain, access: Access) -> None:
        self.chain = chain
        self.access = access
        self._live: dict[str, _Live] = {}

    async def __call__(self, connection: ServerConnection, query: dict[str, str]) -> None:
        conversation_id = query.get("conversation", "")
        if not _ID.fullmatch(conversation_id):
            raise Refused(CLOSE_BAD_REQUEST, "conversation=ID (letters, digits, _.:-) is required")
        role = ev.ChannelRole.AGENT if query.get("role") == "agent" else ev.ChannelRole.CUSTOMER
        if query.get("role", "customer") not in ("customer", "agent"):
            raise Refused(CLOSE_BAD_REQUEST, "role must be customer or agent")
        language = normalize_language(query.get("lang", "ru"))
        if language not in available_languages():
            raise Refused(CLOSE_BAD_REQUEST, f"no text channel for language {language!r}")
        seat = query.get("seat", "")
        if seat and not _ID.fullmatch(seat):
            raise Refused(CLOSE_BAD_REQUEST, "bad seat")
        principal = await self._authenticate(connection)
        if (
            principal is not None
            and principal.role is Role.AGENT
            and (role is not ev.ChannelRole.AGENT or principal.name != seat)
        ):
            raise Refused(CLOSE_FORBIDDEN, "an agent may chat only as the agent of its own seat")
        live = await self._join(conversation_id, language, seat)
        try:
            async for message in connection:
                reply = await self._take(live, role, message)
                await connection.send(json.dumps(reply, ensure_ascii=False))
        except ConnectionClosed:
            pass
        finally:
            self._leave(conversation_id, live)

    async def _authenticate(self, connection: ServerConnection) -> Principal | None:
        if self.access.open:
            return None
        assert connection.request is not None
        header = connection.request.headers.get("Authorization", "")
        token: object = header.removeprefix("Bearer ").strip() if header else None
        if not token:
            try:
                first = await asyncio.wait_for(connection.recv(), AUTH_TIMEOUT_S)
            except TimeoutError:
                raise Refused(CLOSE_UNAUTHORIZED, "chat needs a token") from None
            with contextlib.suppress(ValueError, RecursionError, AttributeError):
                token = json.loads(first).get("token") if isinstance(first, str) else None
        principal = self.access.identify(token) if isinstance(token, str) else None
        if principal is None:
            raise Refused(CLOSE_UNAUTHORIZED, "unknown token")
        return principal

    async def _join(self, conversation_id: str, language: str, seat: str) -> _Live:
        live = self._live.get(conversation_id)
        if live is None:
            # Where a conversation of this id stands (read off the loop), so its
            # numbering goes on after a restart instead of clashing with the store's.
            await self.chain.open_call(conversation_id)
            live = self._live.get(conversation_id)  # another connection may have joined
        if live is None:
            conversation = TextConversation(conversation_id, language)
            live = _Live(conversation, time.monotonic())
            self._live[conversation_id] = live
            for event in conversation.start():
                if isinstance(event, ev.CallStarted):
                    event = ev.CallStarted(event.call_id, event.language, seat, "chat")
                self.chain.publish(event)
        live.connections += 1
        return live

    def _leave(self, conversation_id: str, live: _Live) -> None:
        live.connections -= 1
        if live.connections == 0 and self._live.get(conversation_id) is live:
            del self._live[conversation_id]
            for event in live.conversation.end():
                self.chain.publish(event)

    async def _take(
        self, live: _Live, role: ev.ChannelRole, message: str | bytes
    ) -> dict[str, object]:
        if isinstance(message, bytes):
            return {"error": "chat messages are JSON text"}
        try:
            data = json.loads(message)
        except (ValueError, RecursionError):
            return {"error": 'a message is {"text": "..."}'}
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip():
            return {"error": 'a message is {"text": "..."}'}
        if len(text) > MAX_TEXT_CHARS:
            return {"error": f"a message has at most {MAX_TEXT_CHARS} characters"}
        async with live.lock:
            at_s = time.monotonic() - live.started_monotonic_s
            # Scoring reads word analyses (a first sight costs a dictionary
            # look-up): off the event loop.
            verdict, events = await asyncio.to_thread(live.conversation.add, role, text, at_s)
            for event in events:
                self.chain.publish(event)
        return {"level": verdict.level.value, "score": verdict.score, "flagged": verdict.flagged}
