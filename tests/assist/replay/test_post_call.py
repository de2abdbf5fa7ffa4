"""``ivr-assist post-call``: a stored call's recording transcribed again by
Whisper, kept beside the live transcript, labelled by engine, in the store
and the QA report; and the queue a live server would use."""

import json

import pytest

from assist.cli import main
from assist.postcall import PostCallQueue
from assist.replay.transcript_file import parse_transcript
from assist.store import SqliteStore
from ivr import events as ev
from ivr.modelbuild import write_random_model

from .whisper_calls import require_whisper, stereo_call


@pytest.fixture(scope="module")
def stored_call(tmp_path_factory):
    """A call replayed with a (random-weight) vosk model into a store, as a
    live call's words would be there, and its recording in a recordings folder."""
    require_whisper()
    root = tmp_path_factory.mktemp("post-call")
    recordings = root / "recordings"
    recordings.mkdir()
    stereo_call(
        recordings / "c42.wav",
        "ru",
        customer=["agent-user", "vm-instructions"],
        agent=["auth-thankyou", "conf-getpin"],
    )
    model = write_random_model(root / "model", ["алло", "да", "нет"], seed=1)
    store = root / "calls.sqlite"
    args = ["replay", str(recordings / "c42.wav"), "--lang", "ru", "--model", str(model)]
    assert main([*args, "--store", str(store)]) == 0
    return store, recordings


def test_post_call_keeps_both_transcripts_by_engine(stored_call, tmp_path, capsys):
    store_path, recordings = stored_call
    with SqliteStore(store_path) as store:
        live_before = store.events_after("c42")
    report = tmp_path / "report"
    code = main(
        ["post-call", "c42", "--recordings", str(recordings), "--store", str(store_path),
         "--report", str(report)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "c42: whisper (ru)" in out and "live (vosk)" in out and "anger words: none" in out
    with SqliteStore(store_path) as store:
        assert store.events_after("c42") == live_before  # the live transcript is untouched
        assert store.call("c42").engine == "vosk"
        (kept,) = store.transcripts("c42")
    assert (kept.engine, kept.language) == ("whisper", "ru")
    transcript = parse_transcript(json.loads(kept.transcript), recordings / "c42.json")
    said = " ".join(u.text for u in transcript.utterances if u.role is ev.ChannelRole.CUSTOMER)
    assert "номер оператора" in said and "решетку" in said.replace("ё", "е")
    finals = [e for e in kept.events if isinstance(e, ev.TranscriptFinal)]
    assert finals and all(e.call_id == "c42" for e in kept.events)
    assert [e.seq for e in kept.events] == list(range(1, len(kept.events) + 1))
    assert any(isinstance(e, ev.AngerUpdate) for e in kept.events)  # the timeline re-run
    pages = {p.name for p in report.glob("*.html")}
    assert {"c42.html", "c42-live.html", "index.html"} <= pages


def test_a_call_without_a_recording_fails_alone(stored_call, capsys):
    _, recordings = stored_call
    code = main(
        ["post-call", "nosuch", str(recordings / "c42.wav"), "--recordings", str(recordings),
         "--no-store", "--lang", "ru"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED  nosuch: " in out and "no recording of this call" in out
    assert "ok      c42: whisper (ru)" in out


def test_the_queue_works_off_the_callers_process(stored_call, tmp_path):
    _, recordings = stored_call
    queue = PostCallQueue(tmp_path / "q.sqlite", threads=1)
    try:
        line = queue.submit("c42", recordings / "c42.wav").result(timeout=300)
    finally:
        queue.close()
    assert line.startswith("post-call c42: whisper (ru)"), line
    with SqliteStore(tmp_path / "q.sqlite") as store:
        assert [t.engine for t in store.transcripts("c42")] == ["whisper"]
