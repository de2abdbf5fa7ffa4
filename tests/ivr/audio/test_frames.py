"""Stereo split, 20 ms framing with exact audio time, int16 <-> float conversions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ivr.audio.frames import (
    Framer,
    FramingError,
    StereoSplitter,
    channel_roles,
    float32_to_pcm16,
    frame_samples,
    pcm16_to_float32,
    split_stereo,
    split_stereo_samples,
)
from ivr.events import AudioChunk, ChannelRole


def pcm(samples: np.ndarray) -> bytes:
    return samples.astype("<i2").tobytes()


def random_pieces(data: bytes, rng: np.random.Generator, max_size: int) -> list[bytes]:
    cuts = np.sort(rng.integers(0, len(data) + 1, size=len(data) // max(1, max_size // 2)))
    edges = [0, *cuts.tolist(), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


def test_channel_roles() -> None:
    assert channel_roles(1) == (ChannelRole.CUSTOMER,)
    assert channel_roles(1, "right") == (ChannelRole.CUSTOMER,)
    assert channel_roles(2, "left") == (ChannelRole.CUSTOMER, ChannelRole.AGENT)
    assert channel_roles(2, "right") == (ChannelRole.AGENT, ChannelRole.CUSTOMER)
    with pytest.raises(ValueError, match="mono or stereo"):
        channel_roles(3)
    with pytest.raises(ValueError, match="'left' or 'right'"):
        channel_roles(2, "centre")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("customer_channel", "customer_is_left"), [("left", True), ("right", False)]
)
def test_split_stereo_by_customer_channel(customer_channel: str, customer_is_left: bool) -> None:
    left = np.arange(0, 100, dtype=np.int16)
    right = np.arange(-1000, -900, dtype=np.int16)
    interleaved = np.column_stack((left, right)).ravel()
    customer, agent = split_stereo(pcm(interleaved), customer_channel)  # type: ignore[arg-type]
    assert customer == pcm(left if customer_is_left else right)
    assert agent == pcm(right if customer_is_left else left)
    c, a = split_stereo_samples(interleaved.reshape(-1, 2), customer_channel)  # type: ignore[arg-type]
    assert c.flags.c_contiguous and a.flags.c_contiguous
    np.testing.assert_array_equal(c, left if customer_is_left else right)


def test_split_stereo_rejects_partial_frames() -> None:
    with pytest.raises(FramingError, match="4-byte frames"):
        split_stereo(b"\x00" * 6)
    with pytest.raises(FramingError, match="shape"):
        split_stereo_samples(np.zeros((4, 3), dtype=np.int16))


def test_stereo_splitter_joins_frames_cut_anywhere() -> None:
    rng = np.random.default_rng(3)
    interleaved = rng.integers(-30000, 30000, size=2 * 999).astype(np.int16)
    data = pcm(interleaved)
    splitter = StereoSplitter("right")
    customers, agents = [], []
    for piece in random_pieces(data, rng, 37):
        c, a = splitter.push(piece)
        customers.append(c)
        agents.append(a)
    assert splitter.pending_bytes == 0
    assert b"".join(customers) == pcm(interleaved[1::2])
    assert b"".join(agents) == pcm(interleaved[0::2])


@pytest.mark.parametrize(
    ("rate_hz", "expected"), [(8000, 160), (16000, 320), (22050, 441), (44100, 882), (48000, 960)]
)
def test_frame_samples(rate_hz: int, expected: int) -> None:
    assert frame_samples(rate_hz) == expected


def test_frame_samples_rejects_fractional_frames() -> None:
    with pytest.raises(ValueError, match="whole number of samples"):
        frame_samples(11025)
    with pytest.raises(ValueError, match="positive"):
        frame_samples(0)


@pytest.mark.parametrize("max_piece", [1, 3, 161, 320, 1001])
def test_framer_rebuilds_the_stream_from_pieces_of_any_size(max_piece: int) -> None:
    rng = np.random.default_rng(max_piece)
    samples = rng.integers(-32768, 32768, size=8000 + 77).astype(np.int16)  # ~1 s, odd tail
    data = pcm(samples)
    framer = Framer("call-1", ChannelRole.AGENT, 8000)
    chunks: list[AudioChunk] = []
    for piece in random_pieces(data, rng, max_piece):
        chunks.extend(framer.push(piece))
        assert framer.pending_bytes < 320
    chunks.extend(framer.flush())
    assert b"".join(c.pcm for c in chunks) == data
    assert [c.n_samples for c in chunks] == [160] * 50 + [77]
    assert all(c.call_id == "call-1" and c.role is ChannelRole.AGENT for c in chunks)
    assert all(c.rate_hz == 8000 for c in chunks)
    assert [c.start_sample for c in chunks] == [160 * k for k in range(51)]
    assert chunks[-1].end_s == pytest.approx(len(samples) / 8000)
    assert chunks[1].start_s == 0.02
    assert framer.next_sample == len(samples)


def test_framer_counts_from_a_given_start_and_accepts_arrays() -> None:
    framer = Framer("c", ChannelRole.CUSTOMER, 16000, start_sample=16000)
    chunks = framer.push(np.arange(700, dtype=np.int16))
    assert [c.start_sample for c in chunks] == [16000, 16320]
    assert chunks[0].start_s == 1.0
    np.testing.assert_array_equal(chunks[1].samples(), np.arange(320, 640))
    tail = framer.flush()
    assert len(tail) == 1 and tail[0].start_sample == 16640 and tail[0].n_samples == 60
    assert framer.flush() == []


def test_framer_with_other_frame_length() -> None:
    framer = Framer("c", ChannelRole.CUSTOMER, 8000, frame_ms=10)
    assert [c.n_samples for c in framer.push(b"\x01\x00" * 200)] == [80, 80]


def test_flush_in_the_middle_of_a_sample_is_an_error_and_changes_nothing() -> None:
    framer = Framer("c", ChannelRole.CUSTOMER, 8000)
    framer.push(b"\x01\x00\x02")
    with pytest.raises(FramingError, match="middle of a sample"):
        framer.flush()
    assert framer.pending_bytes == 3
    framer.push(b"\x00")  # the missing byte arrives after all
    (chunk,) = framer.flush()
    assert chunk.samples().tolist() == [1, 2]
    framer.push(b"\x05\x00\x07")
    (chunk,) = framer.flush(drop_odd_byte=True)
    assert chunk.samples().tolist() == [5]
    assert chunk.start_sample == 2


def test_pcm16_float32_round_trip_is_exact_for_every_value() -> None:
    every = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)
    as_float = pcm16_to_float32(every)
    assert as_float.dtype == np.float32
    assert as_float.min() == -1.0 and as_float.max() < 1.0
    np.testing.assert_array_equal(float32_to_pcm16(as_float), every)
    np.testing.assert_array_equal(pcm16_to_float32(pcm(every)), as_float)


def test_float32_to_pcm16_saturates_and_rounds() -> None:
    got = float32_to_pcm16(np.array([2.0, -2.0, 0.5, 1.4 / 32768, -1.6 / 32768]))
    assert got.tolist() == [32767, -32768, 16384, 1, -2]
    with pytest.raises(FramingError, match="odd byte count"):
        pcm16_to_float32(b"\x00\x00\x00")
