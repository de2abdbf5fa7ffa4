"""Joined chunks give the pipeline exactly the events 20 ms chunks give it,
whatever size the client's messages have (the anger core analyses at its
own pace; the joiner must end each joined chunk where that happens)."""

import random
import wave

import pytest

from assist.calls.joiner import FrameJoiner
from assist.pipeline import CallPipeline, analysis_batch_samples
from audio_fixtures import ensure_fixtures
from ivr import events as ev
from ivr.audio.frames import Framer

ROLE = ev.ChannelRole.CUSTOMER


def _speech(name: str) -> tuple[bytes, int]:
    with wave.open(str(ensure_fixtures() / name)) as w:
        return w.readframes(w.getnframes()), w.getframerate()


def _messages(pcm: bytes, rate_hz: int, seed: int) -> list[bytes]:
    """The audio cut as a client might send it: 0.05-0.7 s, odd byte counts too."""
    rng = random.Random(seed)
    out, at = [], 0
    while at < len(pcm):
        size = rng.randint(int(0.05 * rate_hz) * 2, int(0.7 * rate_hz) * 2) + rng.choice((0, 1))
        out.append(pcm[at : at + size])
        at += size
    return out


def _run(
    pcm: bytes, rate_hz: int, seed: int, joined: bool, runs: bool = False
) -> tuple[list[ev.Event], int]:
    """Every event of the call, and how many pipeline passes the audio took
    (``runs``: each message's whole frames come as one chunk)."""
    pipeline = CallPipeline.create("c1", "en")
    framer = Framer("c1", ROLE, rate_hz)
    joiner = FrameJoiner(analysis_batch_samples(rate_hz), framer.frame_samples)
    events, passes = pipeline.start(), 0
    for message in _messages(pcm, rate_hz, seed):
        chunks = framer.push_run(message) if runs else framer.push(message)
        for chunk in joiner.joined(chunks) if joined else chunks:
            events += pipeline.on_audio(chunk)
            passes += 1
    for chunk in framer.flush(drop_odd_byte=True):
        events += pipeline.on_audio(chunk)
    return events + pipeline.end(), passes


@pytest.mark.parametrize(
    ("name", "seed"), [("en_escalating.8k.agc.wav", 1), ("en_angry.16k.wav", 2)]
)
def test_joined_chunks_give_the_same_events_as_20_ms_chunks(name, seed):
    pcm, rate_hz = _speech(name)
    framewise, frames = _run(pcm, rate_hz, seed, joined=False)
    joined, passes = _run(pcm, rate_hz, seed, joined=True)
    assert any(isinstance(e, ev.AngerUpdate) for e in framewise)
    assert sum(isinstance(e, ev.ProsodyFrame) for e in framewise) > 50
    assert joined == framewise
    assert passes * 4 < frames  # the point of joining: far fewer passes
    from_runs, run_passes = _run(pcm, rate_hz, seed, joined=True, runs=True)
    assert from_runs == framewise
    assert run_passes == passes


def test_a_run_of_frames_is_cut_where_the_analysis_runs():
    rate_hz = 8000
    batch = analysis_batch_samples(rate_hz)
    framer = Framer("c1", ROLE, rate_hz)
    joiner = FrameJoiner(batch, framer.frame_samples)
    (run,) = framer.push_run(bytes(2 * (2 * batch + batch // 2) + 3))  # 2.5 batches, odd tail
    assert run.n_samples == 2 * batch + batch // 2
    chunks = joiner.joined([run])
    assert [(c.start_sample, c.n_samples) for c in chunks] == [
        (0, batch),
        (batch, batch),
        (2 * batch, batch // 2),
    ]
    assert b"".join(c.pcm for c in chunks) == run.pcm
    (more,) = framer.push_run(bytes(2 * batch - 3))  # with the held-back byte: whole frames
    assert more.start_sample == 2 * batch + batch // 2
    assert [c.n_samples for c in joiner.joined([more])] == [batch // 2, batch // 2]


def test_a_joined_chunk_ends_where_the_analysis_runs():
    rate_hz = 8000
    batch = analysis_batch_samples(rate_hz)
    framer = Framer("c1", ROLE, rate_hz)
    joiner = FrameJoiner(batch)
    chunks = joiner.joined(framer.push(bytes(2 * (batch + batch // 2))))  # 1.5 batches
    assert [c.n_samples for c in chunks] == [batch, batch // 2]
    assert [c.start_sample for c in chunks] == [0, batch]
    more = joiner.joined(framer.push(bytes(2 * batch)))  # the next run ends half-way in
    assert [c.n_samples for c in more] == [batch // 2, batch // 2]


def test_chunks_are_never_joined_across_a_gap():
    rate_hz = 8000
    step = rate_hz // 50
    joiner = FrameJoiner(analysis_batch_samples(rate_hz))
    starts = [0, step, 2 * step, 10 * step, 11 * step]  # a 7-chunk hole after the third
    chunks = [ev.AudioChunk("c1", ROLE, rate_hz, bytes(2 * step), s) for s in starts]
    joined = joiner.joined(chunks)
    assert [(c.start_sample, c.n_samples) for c in joined] == [(0, 3 * step), (10 * step, 2 * step)]
