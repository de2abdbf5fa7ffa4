"""The screens' event streams: ``/ws/agent`` and ``/ws/supervisor``.

A stream subscribes first, then sends the history it was asked for, then
live events, so there is no gap; and it sends each call's events at most
once, so there are no duplicates:

- ``after=N`` means everything after N and nothing before, whether the
  history is in memory or (for older events, or a call that has left
  memory) read from the store in a worker thread;
- a supervisor may resume several calls at once with ``after=ID:N,ID:N``
  (calls not named: from their start); a plain ``after=N`` applies to each;
- a new supervisor is sent the live calls and, for calls that ended within
  the recent window, a digest (start, flags, IVR handoff, last anger
  update, end), not the whole day;
- a screen that cannot keep up (its queue overflows, or one send stays
  blocked for ``stall_s``) is closed with 4008 and reconnects with
  ``after=``; nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from assist.chain.chain import EventChain
from assist.chain.eventlog import Entry, EventLog
from assist.hub.access import Access, Principal, Role
from assist.hub.bus import EventBus, Subscription
from assist.hub.errors import (
    CLOSE_BAD_REQUEST,
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_OVERFLOW,
    CLOSE_SEAT_TAKEN,
    CLOSE_UNAUTHORIZED,
    Refused,
)
from assist.hub.seatguard import SeatGuard
from ivr import events as ev
from ivr import wire
from ivr.telephony.ids import BadId, check_id

MAX_SEQ_DIGITS = 12
MAX_RESUMED_CALLS = 1000

After = int | dict[str, int]


def _seq(text: str) -> int:
    if not text.isdigit() or len(text) > MAX_SEQ_DIGITS:
        raise Refused(CLOSE_BAD_REQUEST, "after must be a sequence number (or ID:N,ID:N)")
    return int(text)


def parse_after(text: str) -> After:
    """``N`` for every call, or ``ID:N,ID:N`` per call."""
    if ":" not in text:
        return _seq(text or "0")
    pairs = text.split(",")
    if len(pairs) > MAX_RESUMED_CALLS:
        raise Refused(CLOSE_BAD_REQUEST, f"after names more than {MAX_RESUMED_CALLS} calls")
    out: dict[str, int] = {}
    for pair in pairs:
        call_id, _, seq = pair.rpartition(":")
        try:
            out[check_id(call_id)] = _seq(seq)
        except BadId as exc:
            raise Refused(CLOSE_BAD_REQUEST, f"after: {exc}") from None
    return out


def _after_for(after: After, call_id: str) -> int:
    return after.get(call_id, 0) if isinstance(after, dict) else after


def supervisor_event(event: ev.Event) -> bool:
    return not isinstance(event, ev.TranscriptPartial)


DIGEST_IVR_ACTIONS = ("transfer", "handoff")


def ended_call_digest(entries: list[Entry]) -> list[Entry]:
    """What a new supervisor's list needs of a call that has ended: its
    start, flags, IVR handoff, last anger update and end (not every word)."""
    last_anger = max(
        (i for i, (e, _) in enumerate(entries) if isinstance(e, ev.AngerUpdate)), default=-1
    )
    return [
        (e, text)
        for i, (e, text) in enumerate(entries)
        if i == last_anger
        or isinstance(e, ev.CallStarted | ev.CallFlagged | ev.CallEnded)
        or (isinstance(e, ev.IvrAction) and e.action in DIGEST_IVR_ACTIONS)
    ]


@dataclass
class ScreenLimits:
    auth_timeout_s: float = 5.0
    stall_s: float = 10.0  # one send blocked this long: the screen is not reading
    recent_window_s: float = 900.0  # ended calls a new supervisor is still shown


class _Pump:
    """Sends a subscription's events, each call's at most once."""

    def __init__(self, connection: ServerConnection, log: EventLog, sub: Subscription) -> None:
        self.connection = connection
        self.log = log
        self.sub = sub
        self.sent: dict[str, int] = {}  # the last seq sent (or resumed after) per call
        self.sends = 0  # sends started
        self.sending = False  # a send is waiting for the socket
        self.stall_mark = 0  # what the watchdog saw: ``sends`` at its last tick ...
        self.stalled_ticks = 0  # ... and for how many ticks that send has not finished

    async def history(
        self, call_id: str, after_seq: int, before_seq: int | None = None, *, digest: bool = False
    ) -> None:
        sent = self.sent
        sent.setdefault(call_id, after_seq)
        entries = await self.log.history(call_id, after_seq)
        for event, text in ended_call_digest(entries) if digest else entries:
            if before_seq is not None and event.seq >= before_seq:
                break
            if event.seq > sent[call_id] and self.sub.accepts(event):
                self.sending, self.sends = True, self.sends + 1
                await self.connection.send(text)
                self.sending = False
                sent[call_id] = event.seq

    async def run(self) -> None:
        queue, sent, send = self.sub.queue, self.sent, self.connection.send
        encoded = self.log.encoded
        while True:
            event = await queue.get()
            call_id = event.call_id
            if call_id not in sent:
                # A call this stream starts to follow now (a new call, or a
                # seat takes one from the IVR): what happened before comes first.
                await self.history(call_id, 0, before_seq=event.seq)
            if event.seq <= sent[call_id]:
                continue  # already sent from history
            self.sending, self.sends = True, self.sends + 1
            await send(encoded(event))
            self.sending = False
            sent[call_id] = event.seq


class Screens:
    def __init__(
        self,
        chain: EventChain,
        bus: EventBus,
        access: Access,
        limits: ScreenLimits,
        feedback: Callable[[ev.SuggestionFeedback], object],
    ) -> None:
        """``chain``: the calls' log (history, summaries); ``bus``: the
        fan-out the streams subscribe to; ``feedback``: where an agent's
        verdict goes (the call runner: into the chain and to the advisor)."""
        self.chain = chain
        self.bus = bus
        self.access = access
        self.limits = limits
        self.feedback = feedback
        self._seats: dict[str, ServerConnection] = {}
        self.seat_guard: SeatGuard | None = None  # with a broker: seats across nodes
        self._pumps: set[_Pump] = set()
        self._watchdog: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- routes

    async def supervisor(self, connection: ServerConnection, query: dict[str, str]) -> None:
        after = parse_after(query.get("after", "0"))
        principal = await self._authenticate(connection)
        if principal.role is not Role.SUPERVISOR:
            raise Refused(CLOSE_FORBIDDEN, "supervisors only")
        self.chain.log.prune()
        calls = self.chain.log.live_or_recent(self.limits.recent_window_s)
        if isinstance(after, dict):
            calls += [c for c in after if c not in calls]
        ended = {c for c in calls if c not in self.chain.calls or not self.chain.calls[c].live}
        await self._stream(connection, principal, supervisor_event, calls, after, digest=ended)

    async def agent(self, connection: ServerConnection, query: dict[str, str]) -> None:
        after = parse_after(query.get("after", "0"))
        try:
            call_id = check_id(query["call"]) if query.get("call") else ""
            seat = check_id(query["seat"], "seat") if query.get("seat") else ""
        except BadId as exc:
            raise Refused(CLOSE_BAD_REQUEST, str(exc)) from None
        if not call_id and not seat:
            raise Refused(CLOSE_BAD_REQUEST, "give call=ID or seat=SEAT")
        principal = await self._authenticate(connection)
        if seat:
            await self._seat(connection, principal, seat, call_id, after)
            return
        owner = await self._owner(call_id)
        if owner is None:
            raise Refused(CLOSE_NOT_FOUND, f"no call {call_id}")
        if not principal.may_watch(owner):
            raise Refused(CLOSE_FORBIDDEN, "this call belongs to another agent")
        await self._stream(
            connection, principal, lambda e: e.call_id == call_id, [call_id], after, one_call=True
        )

    async def _seat(
        self,
        connection: ServerConnection,
        principal: Principal,
        seat: str,
        call_id: str,
        after: After,
    ) -> None:
        if not principal.may_watch(seat):
            raise Refused(CLOSE_FORBIDDEN, f"not your seat: {seat}")
        previous = self._seats.get(seat)
        if previous is not None:
            with contextlib.suppress(ConnectionClosed):
                await previous.close(CLOSE_SEAT_TAKEN, "this seat was opened elsewhere")
        self._seats[seat] = connection
        calls = self.chain.calls
        try:
            if self.seat_guard is not None:  # a site of several nodes: one holder site-wide
                await self.seat_guard.opened(seat, connection)
            current = [s.call_id for s in calls.values() if s.agent_id == seat][-1:]
            if call_id and call_id not in current:
                current = [call_id] if (await self._owner(call_id)) == seat else []
            await self._stream(
                connection,
                principal,
                lambda e: e.call_id in calls and calls[e.call_id].agent_id == seat,
                current,
                after,
            )
        finally:
            if self._seats.get(seat) is connection:
                del self._seats[seat]
            if self.seat_guard is not None:
                await self.seat_guard.closed(seat, connection)

    async def _owner(self, call_id: str) -> str | None:
        """The agent seat of a call in memory or in the store; None: no such call."""
        summary = self.chain.calls.get(call_id)
        if summary is not None:
            return summary.agent_id
        store = self.chain.store
        if store is None:
            return None
        record = await asyncio.to_thread(store.call, call_id)
        return record.agent_id if record is not None else None

    async def _authenticate(self, connection: ServerConnection) -> Principal:
        if self.access.open:
            return self.access.identify(None)  # type: ignore[return-value]
        try:
            first = await asyncio.wait_for(connection.recv(), self.limits.auth_timeout_s)
        except TimeoutError:
            raise Refused(CLOSE_UNAUTHORIZED, 'send {"type": "auth", "token": ...} first') from None
        try:
            data = json.loads(first)
        except (TypeError, ValueError, RecursionError):
            data = None
        token = data.get("token") if isinstance(data, dict) and data.get("type") == "auth" else None
        principal = self.access.identify(token if isinstance(token, str) else None)
        if principal is None or principal.role is Role.INGEST:
            raise Refused(CLOSE_UNAUTHORIZED, "unknown token")
        return principal

    # ---------------------------------------------------------------- streaming

    async def _stream(
        self,
        connection: ServerConnection,
        principal: Principal,
        accepts: Callable[[ev.Event], bool],
        call_ids: list[str],
        after: After,
        digest: set[str] | None = None,
        one_call: bool = False,
    ) -> None:
        """``digest``: calls whose history is sent as :func:`ended_call_digest`;
        ``one_call``: the stream follows only ``call_ids[0]``."""
        # Subscribe first, then send history: no gap.
        sub = self.bus.subscribe(accepts, call_ids[0] if one_call else None)
        pump = _Pump(connection, self.chain.log, sub)
        self._pumps.add(pump)
        if self._watchdog is None or self._watchdog.done():
            self._watchdog = asyncio.create_task(self._watch_stalls())
        try:
            tasks = [
                asyncio.create_task(
                    self._history_then_live(pump, call_ids, after, digest or set())
                ),
                asyncio.create_task(self._read(connection, principal)),
                asyncio.create_task(self._watch(pump)),
            ]
            # Whichever ends first (the client leaves, the client is too slow)
            # ends the others.
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
            for task in done:
                exc = task.exception()
                if exc is not None and not isinstance(exc, ConnectionClosed):
                    raise exc
        finally:
            self._pumps.discard(pump)
            self.bus.unsubscribe(sub)

    @staticmethod
    async def _history_then_live(
        pump: _Pump, call_ids: list[str], after: After, digest: set[str]
    ) -> None:
        for call_id in call_ids:
            await pump.history(call_id, _after_for(after, call_id), digest=call_id in digest)
        await pump.run()

    @staticmethod
    async def _watch(pump: _Pump) -> None:
        """Close with 4008 a screen whose queue overflowed (or that stalled)."""
        await pump.sub.overflow.wait()
        await pump.connection.close(CLOSE_OVERFLOW, "too slow; reconnect with after=<last seq>")

    async def close(self) -> None:
        """Stop the stall watchdog (the hub is stopping)."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
            self._watchdog = None

    async def _watch_stalls(self) -> None:
        """One task for every screen: a screen that has not taken a message
        for ``stall_s`` counts as overflowed. Ends when no screen is left."""
        tick_s = min(1.0, self.limits.stall_s / 2)
        stalled_after = max(1, round(self.limits.stall_s / tick_s))
        while self._pumps:
            await asyncio.sleep(tick_s)
            for pump in list(self._pumps):
                if pump.sending and pump.sends == pump.stall_mark:
                    pump.stalled_ticks += 1
                    if pump.stalled_ticks >= stalled_after:
                        pump.sub.overflow.set()
                else:
                    pump.stall_mark, pump.stalled_ticks = pump.sends, 0

    async def _read(self, connection: ServerConnection, principal: Principal) -> None:
        async for message in connection:
            error = self._on_message(message, principal)
            if error is not None:
                await connection.send(
                    wire.encode(ev.Error(call_id="", code="bad-message", message=error))
                )

    def _on_message(self, message: str | bytes, principal: Principal) -> str | None:
        if isinstance(message, bytes):
            return "binary messages are not accepted here"
        try:
            data = json.loads(message)
        except (ValueError, RecursionError):
            return "not JSON"
        kind = data.get("type") if isinstance(data, dict) else None
        if kind == "auth":
            return None  # a repeated auth after reconnect logic; harmless
        if kind != "feedback":
            return f"unknown message type {json.dumps(kind)[:40]}"
        call_id, suggestion_id = data.get("call_id"), data.get("suggestion_id")
        summary = self.chain.calls.get(call_id) if isinstance(call_id, str) else None
        if (
            summary is None
            or not isinstance(suggestion_id, str)
            or not 0 < len(suggestion_id) <= 64
            or not suggestion_id.isprintable()
        ):
            return "feedback needs a known call_id and a suggestion_id (printable, 64 at most)"
        if not principal.may_watch(summary.agent_id):
            return "this call belongs to another agent"
        try:
            verdict = ev.Verdict(data.get("verdict"))
        except (ValueError, TypeError):
            return "verdict must be 'used' or 'dismissed'"
        feedback = ev.SuggestionFeedback(call_id, suggestion_id, verdict, at_s=summary.last_audio_s)
        self.feedback(feedback)
        return None
