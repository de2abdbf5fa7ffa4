"""One thing at a time touches a call's pipeline, whether the feed's task
does the work (audio fed without waiting) or the driver's own task does it
(a client message awaiting its answer), and a trip to the worker hands back
its value, its error, and never lets go of the call while the worker is
still in it."""

import asyncio
import itertools
import threading
import time
import wave
from concurrent.futures import ThreadPoolExecutor

import pytest

from assist.calls.feed import CallFeed
from assist.calls.trip import in_worker
from assist.pipeline import CallPipeline
from assist.shipped_models import shipped_model_dir
from audio_fixtures import ensure_fixtures
from ivr import events as ev
from ivr.asr.vosk_engine import VoskEngine


def test_a_trip_returns_the_value_or_raises_the_error() -> None:
    def fail() -> None:
        raise KeyError("x")

    async def main() -> None:
        with ThreadPoolExecutor(1) as pool:
            a, b, thread = await in_worker(pool, lambda a, b: (a, b, threading.get_ident()), 1, 2)
            assert (a, b) == (1, 2) and thread != threading.get_ident()
            with pytest.raises(KeyError):
                await in_worker(pool, fail)
        assert await in_worker(None, sum, [1, 2, 3]) == 6  # the loop's default executor

    asyncio.run(main())


def test_a_cancelled_trip_waits_until_the_worker_has_left() -> None:
    entered, release = threading.Event(), threading.Event()
    left_at: list[float] = []

    def slow() -> int:
        entered.set()
        release.wait(5)
        left_at.append(time.monotonic())
        return 1

    async def main() -> float:
        with ThreadPoolExecutor(1) as pool:
            task = asyncio.create_task(in_worker(pool, slow))
            await asyncio.to_thread(entered.wait, 5)
            task.cancel()
            await asyncio.sleep(0.1)
            assert not task.done()  # the worker is still in ``slow``
            release.set()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic()

    cancelled_at = asyncio.run(main())
    assert left_at and left_at[0] <= cancelled_at


class _Watch:
    """Spies on a pipeline: what it heard of each channel, and whether two
    of its methods ever ran at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.busy = threading.Lock()
        self.overlaps = 0
        self.heard: dict[ev.ChannelRole, list[tuple[int, int]]] = {}
        self.feedback = 0
        for name in ("on_audio", "on_asr", "on_feedback"):
            plain = getattr(CallPipeline, name)

            def spy(pipeline, *args, _plain=plain, _name=name):  # type: ignore[no-untyped-def]
                if not self.busy.acquire(blocking=False):
                    self.overlaps += 1
                    return _plain(pipeline, *args)
                try:
                    if _name == "on_audio":
                        chunk = args[0]
                        self.heard.setdefault(chunk.role, []).append(
                            (chunk.start_sample, chunk.n_samples)
                        )
                    elif _name == "on_feedback":
                        self.feedback += 1
                    time.sleep(0.0005)  # widen the window an overlap would need
                    return _plain(pipeline, *args)
                finally:
                    self.busy.release()

            monkeypatch.setattr(CallPipeline, name, spy)


def test_awaited_and_queued_work_take_turns_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    with wave.open(str(ensure_fixtures() / "en_angry.8k.stereo.wav")) as w:
        rate_hz, frames = w.getframerate(), w.readframes(w.getnframes())
    customer = b"".join(frames[i : i + 2] for i in range(0, len(frames), 4))
    agent = b"".join(frames[i + 2 : i + 4] for i in range(0, len(frames), 4))
    engine = VoskEngine(shipped_model_dir("en"), "en")
    watch = _Watch(monkeypatch)
    published: list[ev.Event] = []
    step = int(0.2 * rate_hz) * 2

    async def call() -> None:
        with ThreadPoolExecutor(2) as pool:
            feed = CallFeed(CallPipeline.create("turns", "en"), engine, published.append, pool)
            talker = feed.channel(ev.ChannelRole.CUSTOMER, rate_hz, batches=False)
            line = feed.channel(ev.ChannelRole.AGENT, rate_hz)

            async def the_customer() -> None:  # awaits each message's answer
                for start in range(0, len(customer), step):
                    await talker.recognise(customer[start : start + step])

            async def the_agent() -> None:  # fed without waiting, sometimes in bursts
                for n, start in enumerate(range(0, len(agent), step // 2)):
                    line.feed_pcm(agent[start : start + step // 2])
                    if n % 3:
                        await asyncio.sleep(0)

            async def the_screen() -> None:  # the agent's verdicts arrive meanwhile
                for n in range(20):
                    verdict = ev.Verdict.USED if n % 2 else ev.Verdict.DISMISSED
                    feed.on_feedback(ev.SuggestionFeedback("turns", f"s{n}", verdict))
                    await asyncio.sleep(0.001)

            await asyncio.gather(the_customer(), the_agent(), the_screen())
            await feed.end()

    asyncio.run(call())
    assert watch.overlaps == 0
    assert watch.feedback == 20
    for role, pcm in ((ev.ChannelRole.CUSTOMER, customer), (ev.ChannelRole.AGENT, agent)):
        spans = watch.heard[role]
        assert spans[0][0] == 0
        assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(spans))
        assert sum(n for _, n in spans) == len(pcm) // 2
    assert isinstance(published[0], ev.CallStarted) and isinstance(published[-1], ev.CallEnded)
    for role in ev.ChannelRole:
        finals = [e.at_s for e in published if isinstance(e, ev.TranscriptFinal) and e.role is role]
        assert finals and finals == sorted(finals)
