"""A connection's idle deadline: one timer renewed by every wait, which cuts
only a wait that lasted the whole idle time, never work on a message taken,
and never passes a real cancellation off as a timeout."""

import asyncio

import pytest

from assist.hub.idle import IdleWatch

IDLE_S = 0.2


async def _wait(watch: IdleWatch, inbox: asyncio.Queue[str]) -> str:
    """One wait for a message, as the ingest endpoint does it."""
    watch.waiting()
    try:
        message = await inbox.get()
    except asyncio.CancelledError:
        if not watch.timed_out():
            raise
        return "idle"
    watch.heard()
    return message


def test_a_silent_peer_is_cut_after_the_idle_time() -> None:
    async def main() -> float:
        watch = IdleWatch(IDLE_S)
        start = asyncio.get_running_loop().time()
        assert await _wait(watch, asyncio.Queue()) == "idle"
        watch.stop()
        return asyncio.get_running_loop().time() - start

    waited_s = asyncio.run(main())
    assert IDLE_S <= waited_s < IDLE_S + 0.15


def test_a_peer_that_keeps_talking_is_never_cut() -> None:
    async def main() -> list[str]:
        watch = IdleWatch(IDLE_S)
        inbox: asyncio.Queue[str] = asyncio.Queue()

        async def talk() -> None:
            for n in range(8):  # 1.1 s of messages 0.14 s apart, idle time 0.2 s
                await asyncio.sleep(0.14)
                inbox.put_nowait(f"m{n}")

        talker = asyncio.create_task(talk())
        got = [await _wait(watch, inbox) for _ in range(8)]
        await talker
        watch.stop()
        return got

    assert asyncio.run(main()) == [f"m{n}" for n in range(8)]


def test_work_on_a_message_is_never_cut_and_the_idle_time_counts_from_the_wait() -> None:
    async def main() -> tuple[str, float]:
        watch = IdleWatch(IDLE_S)
        inbox: asyncio.Queue[str] = asyncio.Queue()
        inbox.put_nowait("slow one")
        assert await _wait(watch, inbox) == "slow one"
        await asyncio.sleep(3 * IDLE_S)  # handling it takes longer than the idle time
        start = asyncio.get_running_loop().time()
        result = await _wait(watch, inbox)
        watch.stop()
        return result, asyncio.get_running_loop().time() - start

    result, waited_s = asyncio.run(main())
    assert result == "idle" and IDLE_S <= waited_s < IDLE_S + 0.15


def test_a_real_cancellation_stays_one() -> None:
    async def leg() -> str:
        watch = IdleWatch(10.0)
        try:
            return await _wait(watch, asyncio.Queue())
        finally:
            watch.stop()

    async def main() -> None:
        task = asyncio.create_task(leg())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
