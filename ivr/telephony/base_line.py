"""What every protocol's line shares: the event queue, the one-play-at-a-time
rule, the end of a call (one log line) and running the driver's handler.

Protocol lines subclass :class:`QueueLine` and supply three transport
methods; the receive loops of the servers push events and call
:meth:`QueueLine.end`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from ivr.events import ChannelRole
from ivr.telephony.ids import printable
from ivr.telephony.line import Line, LineAudio, LineEvent, LineHangup, LineInfo

__all__ = [
    "DEFAULT_IDLE_TIMEOUT_S",
    "MAX_PENDING_EVENTS",
    "LineHandler",
    "Playback",
    "QueueLine",
    "TaskSet",
    "log",
    "run_handler",
]

log = logging.getLogger("ivr.telephony")

# ~30 s of 20 ms frames; beyond it, audio for a handler that does not read is dropped
MAX_PENDING_EVENTS = 1500
# A call whose peer sends nothing for this long (wall clock) is ended: telephony
# peers send audio all along, silence included.
DEFAULT_IDLE_TIMEOUT_S = 20.0

LineHandler = Callable[[Line], Awaitable[None]]


class Playback:
    """One play in progress; ``stop()`` ends it early (clear, another play, hang-up)."""

    def __init__(self) -> None:
        self.stopped = False  # read by the prompt clock on every tick
        self._stopped = asyncio.Event()
        self._waiter: asyncio.Future[Any] | None = None  # a sleep or a paced play in progress

    def stop(self) -> None:
        self.stopped = True
        self._stopped.set()
        _wake(self._waiter)

    async def sleep(self, delay_s: float) -> bool:
        """Wait ``delay_s`` seconds; True if the play was stopped meanwhile.
        One future and one timer (a prompt sleeps before each 20 ms frame: a
        task per sleep, as ``wait_for`` makes, cost the event loop more than
        the rest of the call)."""
        if delay_s > 0 and not self.stopped:
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            timer = loop.call_later(delay_s, _wake, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
        return self.stopped

    async def finished(self, done: asyncio.Future[bool]) -> bool:
        """Wait for ``done``, which someone else resolves (a stop resolves it
        with None at once); True if it resolved True and the play was not
        stopped. Cancelled, it cancels ``done``, so its resolver drops it."""
        if self.stopped:
            done.cancel()
            return False
        self._waiter = done
        try:
            result = await done
        finally:
            self._waiter = None
        return bool(result) and not self.stopped

    async def until(self, done: asyncio.Future[Any]) -> bool:
        """Wait for ``done`` or a stop; True if ``done`` completed first."""
        stop_waiter = asyncio.ensure_future(self._stopped.wait())
        try:
            await asyncio.wait({done, stop_waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop_waiter.cancel()
        return done.done() and not done.cancelled() and not self.stopped


def _wake(waiter: asyncio.Future[Any] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class QueueLine:
    """Base of the protocol lines (see :class:`ivr.telephony.line.Line`)."""

    def __init__(
        self,
        info: LineInfo,
        *,
        max_pending_events: int = MAX_PENDING_EVENTS,
        audio_batch_bytes: int = 0,
    ) -> None:
        """``audio_batch_bytes``: caller audio is handed on in pieces of at
        least this much (0: each piece as it came), so a driver that works in
        0.1 s batches is not woken for every 20 ms frame; other events and
        the end hand on the audio held before them first, in order."""
        self.info = info
        self.max_pending_events = max_pending_events
        self.audio_batch_bytes = audio_batch_bytes
        self._held_role: ChannelRole | None = None  # audio of one role not handed on yet
        self._held_pcm = bytearray()
        self.end_reason: str | None = None
        self.ended_in_error = False
        self.dropped_audio_events = 0
        self._queue: asyncio.Queue[LineEvent] = asyncio.Queue()
        self._playback: Playback | None = None
        self._ended = asyncio.Event()
        self._is_ended = False  # as _ended, read on every frame without a call

    # -------------------------------------------------------------- driver side

    @property
    def ended(self) -> bool:
        return self._is_ended

    async def wait_ended(self) -> None:
        await self._ended.wait()

    async def events(self) -> AsyncIterator[LineEvent]:
        while True:
            event = await self._queue.get()
            yield event
            if isinstance(event, LineHangup):
                return

    async def play(self, pcm: bytes) -> bool:
        if len(pcm) % 2:
            raise ValueError(f"PCM16 audio has an odd byte count ({len(pcm)})")
        if self.ended:
            return False
        previous, playback = self._playback, Playback()
        self._playback = playback
        if previous is not None:
            previous.stop()
            await self._send_clear()
        try:
            return await self._play(pcm, playback) and not playback.stopped
        finally:
            if self._playback is playback:
                self._playback = None

    async def clear(self) -> None:
        playback, self._playback = self._playback, None
        if playback is not None and not self.ended:
            playback.stop()
            await self._send_clear()

    async def hangup(self, reason: str = "") -> None:
        if self.end("hung up here" + (f": {reason}" if reason else "")):
            await self._close(reason or "hangup")

    # -------------------------------------------------------------- receive side

    def push(self, event: LineEvent) -> None:
        """Queue a caller-side event. Audio beyond ``max_pending_events`` unread
        events is dropped (and counted) rather than held without bound."""
        if self._is_ended:
            return
        if isinstance(event, LineAudio):
            if self.audio_batch_bytes:
                self.push_audio(event.role, event.pcm)
            else:
                self._queue_audio(event)
            return
        self._hand_on_held()
        self._queue.put_nowait(event)

    def push_audio(self, role: ChannelRole, pcm: bytes) -> None:
        """``push(LineAudio(role, pcm))`` without the event object (a receive
        loop's 20 ms frames, which a batching line joins anyway)."""
        if self._is_ended:
            return
        if not self.audio_batch_bytes:
            self._queue_audio(LineAudio(role, pcm))
            return
        if self._held_role is not role:
            self._hand_on_held()
            self._held_role = role
        held = self._held_pcm
        held += pcm
        if len(held) >= self.audio_batch_bytes:
            self._hand_on_held()

    def _hand_on_held(self) -> None:
        role = self._held_role
        if role is None:
            return
        self._held_role = None
        pcm = bytes(self._held_pcm)
        self._held_pcm.clear()
        if pcm:
            self._queue_audio(LineAudio(role, pcm))

    def _queue_audio(self, event: LineAudio) -> None:
        if self._queue.qsize() >= self.max_pending_events:
            self.dropped_audio_events += 1
            return
        self._queue.put_nowait(event)

    def end(self, reason: str, *, error: bool = False) -> bool:
        """End the call once: stop any play, queue :class:`LineHangup` and write
        the call's one closing log line. False if it had already ended."""
        if self.ended:
            return False
        self.end_reason = reason
        self.ended_in_error = error
        self._ended.set()
        self._is_ended = True
        if self._playback is not None:
            self._playback.stop()
        self._hand_on_held()
        self._queue.put_nowait(LineHangup(reason))
        dropped = (
            f" ({self.dropped_audio_events} audio events dropped: the handler did not read)"
            if self.dropped_audio_events
            else ""
        )
        log.log(
            logging.WARNING if error else logging.INFO,
            "%s call %s ended: %s%s",
            self.info.protocol,
            printable(self.info.call_id, 80),
            printable(reason),
            dropped,
        )
        return True

    # -------------------------------------------------------------- transport (subclasses)

    async def _play(self, pcm: bytes, playback: Playback) -> bool:
        """Send ``pcm``; True when it has all played out unless ``playback`` stopped."""
        raise NotImplementedError

    async def _send_clear(self) -> None:
        """Tell the telephony side to drop what it is playing (may do nothing)."""
        raise NotImplementedError

    async def _close(self, reason: str) -> None:
        """Our side hangs up: say so on the wire if the protocol can, and close."""
        raise NotImplementedError


async def run_handler(handler: LineHandler, line: QueueLine) -> None:
    """Run the driver's handler for one call; its failure ends that call only.
    When the handler returns, a call still up is hung up."""
    try:
        await handler(line)
    except asyncio.CancelledError:
        if not line.ended:
            await line.hangup("server closing")
        raise
    except Exception as exc:
        log.exception(
            "%s call %s: handler failed", line.info.protocol, printable(line.info.call_id, 80)
        )
        if not line.ended:
            await line.hangup(f"handler failed: {type(exc).__name__}")
        return
    if not line.ended:
        await line.hangup("handler finished")


class TaskSet:
    """The handler tasks a server started, so closing it can cancel them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, coro: Awaitable[None], name: str) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def finish(self, grace_s: float = 1.0, timeout_s: float = 2.0) -> None:
        """Give the handlers ``grace_s`` to see their hang-up and return, then cancel."""
        tasks = list(self._tasks)
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=grace_s)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=timeout_s)
