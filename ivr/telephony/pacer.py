"""One real-time clock per event loop for every prompt a node is playing.

A telephony peer that buffers little (Asterisk's AudioSocket) must get a
prompt's 20 ms frames at the pace they play. Timing each call's frames on
its own timer woke the event loop once per frame per call (a timer, a
future and a task step each time): at a few dozen calls that was most of
an IVR node's event-loop time. Here one timer ticks every ``frame_s`` while
anything plays, and each tick writes every due frame of every play, so the
loop wakes 50 times a second however many calls are playing, and a play's
coroutine wakes once, when its last frame is out (or it is stopped).

A play's frames keep an even cadence: its first frame goes out at once
when the clock is idle, else on the next tick (at most ``frame_s`` later),
and frame ``n`` is due ``n * frame_s`` after the first. A tick that comes
late writes every frame due by then, as a per-frame sleep that woke late
did. A frame is not written while the peer has ``max_buffered_bytes`` unread
(the play waits a tick, as awaiting the writer's drain made it wait).
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import Callable, Sequence

__all__ = ["FRAME_S", "FramePacer", "PacedPlay", "pacer"]

FRAME_S = 0.02
MAX_BUFFERED_BYTES = 65536  # asyncio's default high-water mark for a transport
_EARLY_S = 0.001  # a tick this close before its grid time counts as on it

Write = Callable[[bytes], bool]  # sends one frame; False when the peer is gone
Buffered = Callable[[], int]  # bytes written but not yet taken by the kernel


class PacedPlay:
    """One prompt's frames on their way out; ``done`` resolves True once the
    last is written, False when the peer went away first."""

    __slots__ = ("buffered", "done", "due_s", "frames", "next", "stopped", "write")

    def __init__(
        self,
        frames: Sequence[bytes],
        write: Write,
        buffered: Buffered,
        stopped: Callable[[], bool],
        done: asyncio.Future[bool],
    ) -> None:
        self.frames = frames
        self.write = write
        self.buffered = buffered
        self.stopped = stopped
        self.done = done
        self.next = 0  # index of the next frame to write
        self.due_s = 0.0  # when it is due (loop time)

    def step(self, now_s: float, max_buffered_bytes: int, frame_s: float) -> bool:
        """Write the frames due by ``now_s``; False once this play is over."""
        if self.done.done() or self.stopped():
            return False
        if self.due_s > now_s:
            return True
        if self.buffered() > max_buffered_bytes:
            while self.due_s <= now_s:  # the peer does not read: wait
                self.due_s += frame_s
            return True
        frames, write = self.frames, self.write
        while self.due_s <= now_s and self.next < len(frames):
            if not write(frames[self.next]):
                self.done.set_result(False)
                return False
            self.next += 1
            self.due_s += frame_s
        if self.next >= len(frames):
            self.done.set_result(True)
            return False
        return True


class FramePacer:
    """The clock of one event loop (see the module doc); :func:`pacer` gives it."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        frame_s: float = FRAME_S,
        max_buffered_bytes: int = MAX_BUFFERED_BYTES,
    ) -> None:
        self._loop = weakref.ref(loop)  # the registry below must not keep a loop alive
        self.frame_s = frame_s
        self.max_buffered_bytes = max_buffered_bytes
        self.ticks = 0  # wake-ups so far (tests read it)
        self._plays: list[PacedPlay] = []
        self._origin_s = 0.0  # the tick grid: origin + m * frame_s
        self._timer: asyncio.TimerHandle | asyncio.Handle | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop()
        if loop is None:
            raise RuntimeError("the pacer's event loop is gone")
        return loop

    @property
    def playing(self) -> int:
        return len(self._plays)

    def start(
        self, frames: Sequence[bytes], write: Write, buffered: Buffered, stopped: Callable[[], bool]
    ) -> PacedPlay:
        """Queue a play; its first frame goes out on the next tick (at once when idle)."""
        play = PacedPlay(frames, write, buffered, stopped, self.loop.create_future())
        if not frames:
            play.done.set_result(True)
            return play
        now_s = self.loop.time()
        if self._timer is None:  # idle: the grid starts now
            self._origin_s = now_s
            play.due_s = now_s
            self._plays.append(play)
            self._timer = self.loop.call_soon(self._tick)
            return play
        play.due_s = self._grid_at_or_after(now_s)
        self._plays.append(play)
        return play

    def _grid_at_or_after(self, t_s: float) -> float:
        m = math.ceil((t_s - self._origin_s) / self.frame_s - 1e-9)
        return self._origin_s + m * self.frame_s

    def _tick(self) -> None:
        self.ticks += 1
        loop = self.loop
        now_s = loop.time()
        # The tick's own grid time: the last one by now (a timer may fire a hair
        # early). Frames due by then or by now go out; none before its time.
        m = math.floor((now_s + _EARLY_S - self._origin_s) / self.frame_s)
        grid_s = self._origin_s + m * self.frame_s
        at_s = max(now_s, grid_s) + 1e-6
        limit, frame_s = self.max_buffered_bytes, self.frame_s
        self._plays = [p for p in self._plays if p.step(at_s, limit, frame_s)]
        if not self._plays:
            self._timer = None
            return
        next_s = min(p.due_s for p in self._plays)
        self._timer = loop.call_at(max(next_s, grid_s + frame_s), self._tick)


_PACERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FramePacer] = (
    weakref.WeakKeyDictionary()
)


def pacer(loop: asyncio.AbstractEventLoop | None = None) -> FramePacer:
    """The running loop's pacer (made on first use)."""
    loop = loop or asyncio.get_running_loop()
    found = _PACERS.get(loop)
    if found is None:
        found = _PACERS[loop] = FramePacer(loop)
    return found
