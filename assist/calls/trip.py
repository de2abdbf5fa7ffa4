"""One trip of a call's work to the recognition pool and back to the loop.

A live caller's every message makes one such trip, so it is kept lean:
the worker hands its value straight to an asyncio future through
``call_soon_threadsafe`` (``run_in_executor`` would chain a concurrent
future to an asyncio one: a lock, a condition and two callbacks more per
trip, for the same single wake-up of the loop).

The caller may be cancelled while the worker still runs the call's
pipeline (a server shutting down under a live caller): :func:`in_worker`
then waits until the worker has left it before the cancellation goes on,
so whoever takes the call's turn next never shares the pipeline with a
thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

_POLL_S = 0.002  # how often a cancelled caller looks whether the worker is done


class _Trip:
    __slots__ = ("args", "done", "fn", "future", "loop")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], args: tuple
    ) -> None:
        self.loop = loop
        self.fn = fn
        self.args = args
        self.future: asyncio.Future[Any] = loop.create_future()
        self.done = False  # set by the worker when it has left ``fn``

    def run(self) -> None:
        """In the worker."""
        try:
            value, error = self.fn(*self.args), None
        except BaseException as exc:  # handed to the caller, as run_in_executor would
            value, error = None, exc
        self.done = True
        try:
            self.loop.call_soon_threadsafe(self._settle, value, error)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    def _settle(self, value: Any, error: BaseException | None) -> None:
        if self.future.done():  # the caller was cancelled
            return
        if error is not None:
            self.future.set_exception(error)
        else:
            self.future.set_result(value)

    async def left(self) -> None:
        """Wait (through further cancellations) until the worker is done."""
        while not self.done:
            try:
                await asyncio.sleep(_POLL_S)
            except asyncio.CancelledError:
                continue


async def in_worker(executor: Executor | None, fn: Callable[..., Any], *args: object) -> Any:
    """``fn(*args)`` in ``executor`` (None: the loop's default), awaited."""
    loop = asyncio.get_running_loop()
    trip = _Trip(loop, fn, args)
    if executor is None:
        loop.run_in_executor(None, trip.run)
    else:
        executor.submit(trip.run)
    try:
        return await trip.future
    except asyncio.CancelledError:
        await trip.left()
        raise
