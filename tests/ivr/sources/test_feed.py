"""AudioFeed: pushed bytes come out as 20 ms chunks in order, with limits enforced."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from ivr.events import AudioChunk, ChannelRole
from ivr.sources.feed import (
    AudioFeed,
    FeedClosedError,
    FeedFullError,
    OversizedPushError,
)


def pcm(n_samples: int, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    return rng.integers(-32768, 32768, n_samples).astype("<i2").tobytes()


async def drain(feed: AudioFeed) -> list[AudioChunk]:
    return [chunk async for chunk in feed]


def test_pieces_of_any_size_become_timed_chunks() -> None:
    data = pcm(8000 + 50)
    feed = AudioFeed("call-7", ChannelRole.CUSTOMER, 8000)
    sizes = [1, 319, 321, 3, 999, 5000]
    pos = 0
    while pos < len(data):
        for size in sizes:
            feed.push(memoryview(data)[pos : pos + size])
            pos += size
    feed.close()
    chunks = asyncio.run(drain(feed))
    assert b"".join(c.pcm for c in chunks) == data
    assert [c.start_sample for c in chunks] == [160 * k for k in range(51)]
    assert chunks[-1].n_samples == 50
    assert {(c.call_id, c.role, c.rate_hz) for c in chunks} == {
        ("call-7", ChannelRole.CUSTOMER, 8000)
    }
    assert feed.samples_pushed == 8050 and feed.dropped_bytes == 0


def test_consumer_waits_for_audio_and_ends_at_close() -> None:
    async def scenario() -> list[AudioChunk]:
        feed = AudioFeed("c", ChannelRole.AGENT, 16000)
        reader = asyncio.create_task(drain(feed))
        await asyncio.sleep(0.01)
        assert not reader.done()
        for _ in range(5):
            feed.push(pcm(320))
            await asyncio.sleep(0)
        feed.push(b"\x01\x00\x02")  # one sample and a stray byte
        feed.close()
        feed.close()  # idempotent
        chunks = await asyncio.wait_for(reader, 1.0)
        assert feed.dropped_bytes == 1
        return chunks

    chunks = asyncio.run(scenario())
    assert [c.n_samples for c in chunks] == [320] * 5 + [1]
    assert chunks[-1].samples().tolist() == [1]


def test_push_after_close_raises() -> None:
    feed = AudioFeed("c", ChannelRole.CUSTOMER, 8000)
    feed.close()
    with pytest.raises(FeedClosedError, match="after close"):
        feed.push(b"\x00\x00")


def test_oversized_push_raises_a_clear_error() -> None:
    feed = AudioFeed("c", ChannelRole.CUSTOMER, 8000, max_push_bytes=640)
    feed.push(pcm(320))
    with pytest.raises(OversizedPushError, match=r"641 bytes exceeds the limit of 640 bytes"):
        feed.push(b"\x00" * 641)
    default = AudioFeed("c", ChannelRole.CUSTOMER, 8000)
    assert default.max_push_bytes == 16000  # one second
    with pytest.raises(ValueError):
        default.push(b"\x00" * 16002)


def test_full_queue_rejects_a_push_and_keeps_nothing_of_it() -> None:
    feed = AudioFeed("c", ChannelRole.CUSTOMER, 8000, max_queued_s=0.1)  # 5 chunks
    feed.push(pcm(160 * 4 + 100, seed=1))
    assert feed.queued_chunks == 4
    with pytest.raises(FeedFullError, match="not keeping up"):
        feed.push(pcm(160 * 2, seed=2))
    assert feed.queued_chunks == 4 and feed.samples_pushed == 740
    feed.push(pcm(60, seed=3))  # completes the fifth chunk exactly
    feed.close()
    chunks = asyncio.run(drain(feed))
    assert len(chunks) == 5
    assert b"".join(c.pcm for c in chunks) == pcm(740, seed=1) + pcm(60, seed=3)


def test_put_waits_for_the_consumer() -> None:
    async def scenario() -> tuple[list[AudioChunk], int]:
        feed = AudioFeed("c", ChannelRole.CUSTOMER, 8000, max_queued_s=0.04)  # 2 chunks
        most_queued = 0

        async def produce() -> None:
            nonlocal most_queued
            for k in range(10):
                await feed.put(pcm(160, seed=k))
                most_queued = max(most_queued, feed.queued_chunks)
            feed.close()

        producer = asyncio.create_task(produce())
        chunks = []
        async for chunk in feed:
            chunks.append(chunk)
            await asyncio.sleep(0.001)  # a slow consumer
        await producer
        return chunks, most_queued

    chunks, most_queued = asyncio.run(scenario())
    assert most_queued <= 2
    assert b"".join(c.pcm for c in chunks) == b"".join(pcm(160, seed=k) for k in range(10))


def test_close_wakes_a_blocked_producer() -> None:
    async def scenario() -> None:
        feed = AudioFeed("c", ChannelRole.CUSTOMER, 8000, max_queued_s=0.02)
        await feed.put(pcm(160))
        blocked = asyncio.create_task(feed.put(pcm(160)))
        await asyncio.sleep(0.01)
        assert not blocked.done()
        feed.close()
        with pytest.raises(FeedClosedError, match="closed while waiting"):
            await asyncio.wait_for(blocked, 1.0)

    asyncio.run(scenario())


def test_bad_settings_are_rejected() -> None:
    with pytest.raises(ValueError, match="whole number of samples"):
        AudioFeed("c", ChannelRole.CUSTOMER, 11025)
    with pytest.raises(ValueError, match="positive"):
        AudioFeed("c", ChannelRole.CUSTOMER, 8000, max_push_bytes=0)
