"""Keeping a live call's audio (serve --record): legs placed at their audio
time, stereo when both arrive, written once the call ends."""

import numpy as np

from assist.pipeline import CallPipeline
from assist.recording import CallRecording, RecordingPipeline, recording_path
from ivr import events as ev
from ivr.sources import read_audio


def chunk(role, rate_hz, start_sample, values):
    pcm = np.asarray(values, dtype="<i2").tobytes()
    return ev.AudioChunk("c1", role, rate_hz, pcm, start_sample)


def test_one_leg_is_mono_with_gaps_as_silence(tmp_path):
    rec = CallRecording("c1")
    rec.add(chunk(ev.ChannelRole.CUSTOMER, 8000, 0, [1, 2, 3]))
    rec.add(chunk(ev.ChannelRole.CUSTOMER, 8000, 5, [7, 8]))
    samples, rate_hz = read_audio(rec.write(tmp_path / "c1.wav"))
    assert rate_hz == 8000
    assert samples[:, 0].tolist() == [1, 2, 3, 0, 0, 7, 8]


def test_two_legs_are_stereo_customer_left_at_the_faster_rate(tmp_path):
    rec = CallRecording("c1")
    tone = (8000 * np.sin(np.arange(1600) * 0.3)).astype(np.int16)
    rec.add(chunk(ev.ChannelRole.AGENT, 16000, 0, np.zeros(3200)))
    rec.add(chunk(ev.ChannelRole.CUSTOMER, 8000, 0, tone))
    rec.add(chunk(ev.ChannelRole.AGENT, 16000, 12000, np.full(100, 5)))  # later, after a gap
    rec.add(chunk(ev.ChannelRole.CUSTOMER, 16000, 0, [9, 9]))  # a rate change is not mixed in
    samples, rate_hz = read_audio(rec.write(tmp_path / "c1.wav"))
    assert rate_hz == 16000 and samples.shape == (12100, 2)
    left, right = samples[:, 0].astype(float), samples[:, 1]
    assert np.abs(left[:3200]).max() > 4000 and not left[3300:].any()  # the customer, resampled
    assert right[12000:].tolist() == [5] * 100 and not right[:12000].any()


def test_a_recording_pipeline_saves_the_call_when_it_ends(tmp_path):
    saved = []
    pipeline = RecordingPipeline(
        CallPipeline.create("call/7", "en"), tmp_path / "rec", lambda c, p: saved.append((c, p))
    )
    pipeline.start()
    assert pipeline.call_id == "call/7"
    for n in range(50):
        pipeline.on_audio(
            ev.AudioChunk("call/7", ev.ChannelRole.CUSTOMER, 8000, bytes(320), n * 160)
        )
    pipeline.end()
    pipeline.saver.join(timeout=10)
    path = recording_path(tmp_path / "rec", "call/7")
    assert saved == [("call/7", path)]
    assert path.name == "call_7.wav" and read_audio(path)[0].shape == (8000, 1)
