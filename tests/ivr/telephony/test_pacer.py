"""The loop's one prompt clock: each play's frames in order at an even
cadence, every play written on shared ticks, late ticks catching up, a
peer that does not read holding its play, stops and cancels dropping it."""

import asyncio
import itertools
import time

import pytest

from ivr.telephony.base_line import Playback
from ivr.telephony.pacer import FramePacer, pacer

FRAME_S = 0.02


class Sink:
    """A fake peer: the loop time each frame was written at."""

    def __init__(self, loop: asyncio.AbstractEventLoop, accept: int = 10**9) -> None:
        self.loop = loop
        self.frames: list[bytes] = []
        self.times_s: list[float] = []
        self.accept = accept  # frames taken before the peer "goes away"
        self.buffered_bytes = 0
        self.clock: FramePacer | None = None
        self.ticks: list[int] = []  # the clock's tick that wrote each frame

    def write(self, frame: bytes) -> bool:
        if len(self.frames) >= self.accept:
            return False
        self.frames.append(frame)
        self.times_s.append(self.loop.time())
        self.ticks.append(self.clock.ticks if self.clock else 0)
        return True

    def buffered(self) -> int:
        return self.buffered_bytes


def frames(n: int, tag: int = 0) -> list[bytes]:
    return [bytes([tag, i]) for i in range(n)]


def test_a_play_goes_out_in_order_at_an_even_cadence(arun):
    async def scenario():
        loop = asyncio.get_running_loop()
        clock = FramePacer(loop, FRAME_S)
        sink = Sink(loop)
        play = clock.start(frames(25), sink.write, sink.buffered, lambda: False)
        assert await play.done is True
        return clock, sink

    clock, sink = arun(scenario())
    assert sink.frames == frames(25)
    gaps = [b - a for a, b in itertools.pairwise(sink.times_s)]
    # frame k is due k * 20 ms after the first frame's due time: never before it
    assert all(t >= sink.times_s[0] - 0.06 + k * FRAME_S for k, t in enumerate(sink.times_s))
    assert sorted(gaps)[len(gaps) // 2] == pytest.approx(FRAME_S, abs=0.006)
    assert clock.playing == 0


def test_many_plays_share_the_ticks(arun):
    """Ten plays started at odd moments: each is whole and evenly paced, and
    the clock woke about once per frame time, not once per frame per play."""

    async def scenario():
        loop = asyncio.get_running_loop()
        clock = FramePacer(loop, FRAME_S)
        sinks, plays = [], []
        for i in range(10):
            sink = Sink(loop)
            sinks.append(sink)
            plays.append(clock.start(frames(20, i), sink.write, sink.buffered, lambda: False))
            await asyncio.sleep(0.007)
        assert all(await asyncio.gather(*(p.done for p in plays)))
        return clock, sinks

    clock, sinks = arun(scenario())
    written = sum(len(s.frames) for s in sinks)
    assert written == 200
    for i, sink in enumerate(sinks):
        assert sink.frames == frames(20, i)
        span_s = sink.times_s[-1] - sink.times_s[0]  # a late first frame shortens it
        assert 19 * FRAME_S - 0.06 <= span_s < 19 * FRAME_S + 0.1
    assert clock.ticks < written / 4  # shared wake-ups (per-play timers: one per frame)


def test_a_late_tick_writes_every_frame_due_by_then(arun):
    async def scenario():
        loop = asyncio.get_running_loop()
        clock = FramePacer(loop, FRAME_S)
        sink = Sink(loop)
        sink.clock = clock
        play = clock.start(frames(10), sink.write, sink.buffered, lambda: False)
        await asyncio.sleep(0)  # the first tick: frame 0
        await asyncio.sleep(0)
        time.sleep(0.07)  # the loop is held up: frames 1-3 are due when it comes back
        assert await play.done
        return sink

    sink = arun(scenario())
    assert sink.frames == frames(10)
    assert sink.ticks[1] == sink.ticks[2] == sink.ticks[3]  # frames 1-3 in one tick


def test_a_peer_that_does_not_read_holds_its_play(arun):
    async def scenario():
        loop = asyncio.get_running_loop()
        clock = FramePacer(loop, FRAME_S, max_buffered_bytes=100)
        sink = Sink(loop)
        play = clock.start(frames(10), sink.write, sink.buffered, lambda: False)
        await asyncio.sleep(0.05)
        sink.buffered_bytes = 101
        held = len(sink.frames)
        await asyncio.sleep(0.1)
        still = len(sink.frames)
        sink.buffered_bytes = 0
        assert await play.done
        return held, still, sink

    held, still, sink = arun(scenario())
    assert 0 < held == still < 10
    assert sink.frames == frames(10)


def test_stopping_or_cancelling_a_play_drops_it(arun):
    async def scenario():
        loop = asyncio.get_running_loop()
        clock = pacer()
        assert pacer() is clock  # one per loop
        sink = Sink(loop)
        playback = Playback()
        play = clock.start(frames(100), sink.write, sink.buffered, lambda: playback.stopped)
        waiting = asyncio.create_task(playback.finished(play.done))
        await asyncio.sleep(0.1)
        playback.stop()
        stopped = await asyncio.wait_for(waiting, 0.25)  # at once, not when the play ends
        n_at_stop = len(sink.frames)
        await asyncio.sleep(0.1)

        other = Sink(loop)
        play2 = clock.start(frames(100), other.write, other.buffered, lambda: False)
        waiting2 = asyncio.create_task(Playback().finished(play2.done))
        await asyncio.sleep(0.1)
        waiting2.cancel()
        await asyncio.sleep(0.05)
        n_at_cancel = len(other.frames)
        await asyncio.sleep(0.1)
        return stopped, n_at_stop, len(sink.frames), n_at_cancel, len(other.frames), clock

    stopped, n_at_stop, n_later, n_at_cancel, n_other_later, clock = arun(scenario())
    assert stopped is False
    assert 0 < n_at_stop == n_later < 100
    assert 0 < n_at_cancel == n_other_later < 100
    assert clock.playing == 0


def test_a_peer_gone_ends_the_play_false(arun):
    async def scenario():
        loop = asyncio.get_running_loop()
        sink = Sink(loop, accept=3)
        play = FramePacer(loop, FRAME_S).start(frames(10), sink.write, sink.buffered, lambda: False)
        return await play.done, sink

    done, sink = arun(scenario())
    assert done is False and len(sink.frames) == 3


def test_an_empty_play_is_done_at_once(arun):
    async def scenario():
        loop = asyncio.get_running_loop()
        clock = FramePacer(loop, FRAME_S)
        play = clock.start([], Sink(loop).write, lambda: 0, lambda: False)
        return play.done.done() and play.done.result(), clock.playing

    assert arun(scenario()) == (True, 0)


def test_a_finished_loop_is_not_kept_by_its_pacer():
    import gc
    import weakref

    loops = []

    async def scenario():
        loop = asyncio.get_running_loop()
        loops.append(weakref.ref(loop))
        sink = Sink(loop)
        assert await pacer().start(frames(3), sink.write, sink.buffered, lambda: False).done

    asyncio.run(scenario())
    gc.collect()
    assert loops[0]() is None


def test_no_frame_goes_out_before_its_time_when_ticks_come_late(arun):
    """The loop held up 15 ms now and then: a late tick writes what is due
    by then, never a frame due at the next grid time."""

    async def scenario():
        loop = asyncio.get_running_loop()
        clock = FramePacer(loop, FRAME_S)
        sink = Sink(loop)
        start_s = loop.time()
        play = clock.start(frames(40), sink.write, sink.buffered, lambda: False)

        def stall() -> None:
            time.sleep(0.015)
            if not play.done.done():
                loop.call_later(0.033, stall)

        loop.call_later(0.007, stall)
        assert await play.done
        return start_s, sink

    start_s, sink = arun(scenario())
    assert sink.frames == frames(40)
    early = [k for k, t in enumerate(sink.times_s) if t < start_s + k * FRAME_S - 0.0011]
    assert not early
