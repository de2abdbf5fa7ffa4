"""Replaying batches with the random-weight model: every supported recording
shape, a broken file that fails alone, the same result twice and in
parallel."""

import pytest

from assist.chain.chain import EventChain
from assist.offline import through_chain
from assist.replay import ReplaySettings, discover, replay_all
from ivr import events as ev

from .recordings import make_broken, make_recordings


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("calls")
    make_recordings(root)
    make_broken(root / "bad")
    return root


def test_a_folder_with_broken_files_replays_the_good_ones(folder, random_model):
    inputs = discover([str(folder)])
    results = replay_all(inputs, ReplaySettings("en", model_dir=random_model), progress=False)
    by_name = {r.input.audio.name: r for r in results}
    assert set(by_name) == {
        "alaw.al",
        "mono16k.wav",
        "mono48k.wav",
        "mulaw.wav",
        "stereo8k.wav",
        "not_audio.wav",
        "truncated.wav",
    }
    assert by_name["truncated.wav"].error.startswith("truncated")
    assert "not a WAV file" in by_name["not_audio.wav"].error
    good = [r for r in results if r.ok]
    assert len(good) == 5
    for result in good:
        run = result.run
        assert 22.0 < run.duration_s < 23.5, result.input.label
        # The pipeline's own events: the chain numbers them (in the caller's process).
        assert all(e.seq == 0 for e in run.events)
        logged = through_chain(run, EventChain()).events
        assert [e.seq for e in logged if e.seq] == list(range(1, len(run.events) + 1))[
            : sum(1 for e in logged if e.seq)
        ]
        assert isinstance(run.events[0], ev.CallStarted) and not result.transcribed
        assert any(isinstance(e, ev.AngerUpdate) for e in run.events)
    stereo = by_name["stereo8k.wav"].run.events
    assert {e.role for e in stereo if isinstance(e, ev.ProsodyFrame)} == {
        ev.ChannelRole.CUSTOMER,
        ev.ChannelRole.AGENT,
    }


def test_replaying_the_same_call_twice_gives_identical_updates(folder, random_model):
    inputs = discover([str(folder / "stereo8k.wav"), str(folder / "mulaw.wav")])
    settings = ReplaySettings("en", model_dir=random_model)
    first = replay_all(inputs, settings, progress=False)
    second = replay_all(inputs, settings, progress=False)
    for a, b in zip(first, second, strict=True):
        updates = [e for e in a.run.events if isinstance(e, ev.AngerUpdate)]
        assert updates and updates == [e for e in b.run.events if isinstance(e, ev.AngerUpdate)]
        assert a.run.events == b.run.events


def test_worker_processes_give_what_one_process_gives(folder, random_model):
    inputs = discover([str(folder / "stereo8k.wav"), str(folder / "mono16k.wav"), "missing.wav"])
    settings = ReplaySettings("en", model_dir=random_model)
    serial = replay_all(inputs, settings, jobs=1, progress=False)
    parallel = replay_all(inputs, settings, jobs=2, progress=False)
    assert [r.ok for r in parallel] == [True, True, False]
    assert parallel[2].error == "no such file or folder"
    for a, b in zip(serial, parallel, strict=True):
        assert (a.run and a.run.events) == (b.run and b.run.events)


def test_the_right_channel_can_be_the_customer(folder, random_model):
    inputs = discover([str(folder / "stereo8k.wav")])
    left = replay_all(inputs, ReplaySettings("en", model_dir=random_model), progress=False)
    right = replay_all(
        inputs,
        ReplaySettings("en", customer_channel="right", model_dir=random_model),
        progress=False,
    )

    def customer_loudness(result):
        return [
            e.loudness_db
            for e in result.run.events
            if isinstance(e, ev.ProsodyFrame) and e.role is ev.ChannelRole.CUSTOMER
        ]

    assert customer_loudness(left[0]) != customer_loudness(right[0])


def test_without_a_model_only_transcribed_calls_can_run(folder):
    inputs = discover([str(folder / "mono16k.wav")])
    (result,) = replay_all(inputs, ReplaySettings("en"), progress=False)
    assert not result.ok and "no speech model" in result.error
