"""The IVR's seats across a site: ``ivr --seats ... --broker ...``.

:class:`SiteSeatQueue` has the interface of
:class:`~assist.ivrcall.seats.SeatQueue` (``offer``, ``call_ended``), so
the IVR service uses either. Here a caller waiting for a person goes into
the site's queue (:class:`~assist.cluster.seats.ClusterQueue`), and this
node's free seats take the next caller of any node, exactly once. The node
that holds the caller hears that a seat took it and hands the call over
(the seat's screen opens with the IVR context, on whichever node the agent
is). Assignments therefore come back through ``hand_over``, not as return
values: every call returns an empty list.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from assist.cluster.broker import Broker
from assist.cluster.seats import ClusterQueue, Taken
from assist.ivrcall.seats import Assignment

log = logging.getLogger(__name__)

QUEUE = "ivr"  # every seat serves every queue (as in SeatQueue)
_RETRY_S = 1.0
_CHECK_S = 5.0  # how often a busy seat checks that its caller's node still beats


class SiteSeatQueue:
    def __init__(
        self,
        broker: Broker,
        seats: Sequence[str],
        hand_over: Callable[[list[Assignment]], None],
        node_alive: Callable[[str], Awaitable[bool]] | None = None,
    ) -> None:
        """``node_alive``: whether a node still beats (a seat talking to a
        caller whose node died is free again)."""
        if len(set(seats)) != len(seats):
            raise ValueError(f"a seat is named twice: {list(seats)}")
        self.seats = tuple(seats)
        self.hand_over = hand_over
        self.queue = ClusterQueue(broker, self._taken, self._removed)
        self._busy: dict[str, tuple[str, str]] = {}  # this node's seat -> (call, its node)
        self.node_alive = node_alive
        self._checked_at = 0.0
        self._tasks: set[asyncio.Task] = set()
        self._matcher: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._started = asyncio.Event()

    async def start(self) -> None:
        """Join the site's queue once the broker is reached (in the background)."""
        self._matcher = asyncio.get_running_loop().create_task(self._begin())

    async def _begin(self) -> None:
        await self.queue.broker.ready.wait()
        await self.queue.start()
        self._started.set()
        await self._match()

    async def stop(self) -> None:
        for task in [self._matcher, *list(self._tasks)]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._started.is_set():
            await self.queue.stop()

    # ------------------------------------------------ SeatQueue's interface

    def offer(self, call_id: str, priority: int) -> list[Assignment]:
        """A caller of this node wants a person: in line, site-wide."""
        self._spawn(lambda: self.queue.offer(QUEUE, call_id, priority))
        return []

    def call_ended(self, call_id: str) -> list[Assignment]:
        """A caller of this node hung up (waiting or talking): out of line,
        and the seat that had it (on any node) is free again."""
        self._spawn(lambda: self.queue.call_ended(QUEUE, call_id))
        return []

    # ------------------------------------------------ matching

    def _spawn(self, work: Callable[[], Awaitable[object]]) -> None:
        async def when_started() -> None:
            await self._started.wait()
            await work()

        task = asyncio.get_running_loop().create_task(when_started())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _match(self) -> None:
        """This node's free seats take the next callers, until stopped."""
        while True:
            for seat in self.seats:
                if seat in self._busy or not self.queue.in_line():
                    continue
                try:
                    taken = await self.queue.take_next(seat)
                except Exception as exc:  # the broker away: try again later
                    log.info("seat %s could not take a caller: %s", seat, exc)
                    break
                if taken is not None:
                    self._busy[seat] = (taken.call_id, taken.owner)
            await self._free_seats_of_dead_nodes()
            self._wake.clear()
            waits = [asyncio.ensure_future(self._wake.wait())]
            waits.append(asyncio.ensure_future(self.queue.wait_change(_RETRY_S)))
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()

    def _taken(self, taken: Taken) -> None:
        """A seat (of any node) took a caller of this node: hand it over."""
        try:
            self.hand_over([Assignment(taken.call_id, taken.seat)])
        except Exception:
            log.exception("handing call %s to seat %s", taken.call_id, taken.seat)

    async def _free_seats_of_dead_nodes(self) -> None:
        now = asyncio.get_running_loop().time()
        if self.node_alive is None or not self._busy or now - self._checked_at < _CHECK_S:
            return
        self._checked_at = now
        for seat, (call_id, owner) in list(self._busy.items()):
            if not await self.node_alive(owner):
                log.warning("seat %s is free again: call %s's node %s died", seat, call_id, owner)
                self._busy.pop(seat, None)
                await self.queue.call_ended(QUEUE, call_id)

    def _removed(self, queue: str, call_id: str) -> None:
        for seat, (call, _) in list(self._busy.items()):
            if call == call_id:
                del self._busy[seat]  # the talk is over: the seat takes the next caller
                self._wake.set()
