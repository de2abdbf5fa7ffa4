"""A connection's idle deadline, cheap enough to renew on every message.

``asyncio.timeout`` around each wait for a message would make and cancel a
timer per message (a live caller sends five a second). :class:`IdleWatch`
keeps one timer per connection: each wait only notes when it began, and
the timer, when it fires, either finds the task waiting the whole
``idle_s`` (and cancels it, as ``asyncio.timeout`` would) or sets itself
again for the new deadline. Only a task waiting for a message
is ever cancelled: work on a message already taken is never cut short.
"""

from __future__ import annotations

import asyncio


class IdleWatch:
    """For the task that makes it: wrap each wait in :meth:`waiting` /
    :meth:`heard`; a wait that ran into the deadline raises CancelledError,
    which :meth:`timed_out` tells from a real cancellation."""

    def __init__(self, idle_s: float) -> None:
        self.idle_s = idle_s
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._last = self._loop.time()
        self._waiting = False
        self._fired = False
        self._timer: asyncio.TimerHandle | None = self._loop.call_at(
            self._last + idle_s, self._check
        )

    def waiting(self) -> None:
        """The task starts waiting for the next message: ``idle_s`` from now."""
        self._waiting = True
        self._last = self._loop.time()

    def heard(self) -> None:
        """The wait is over (a message came): no deadline while it is handled."""
        self._waiting = False

    def timed_out(self) -> bool:
        """After a CancelledError out of the wait: was it this watch's doing
        (and nobody else's)? If so the cancellation is taken back."""
        if not self._fired or self._task is None:
            return False
        self._fired = False
        return self._task.uncancel() == 0

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        due = self._last + self.idle_s
        now = self._loop.time()
        if not self._waiting:
            self._timer = self._loop.call_at(now + self.idle_s, self._check)
            return
        if now < due:
            self._timer = self._loop.call_at(due, self._check)
            return
        self._timer = None
        if self._task is not None and not self._task.done():
            self._fired = True
            self._task.cancel()
