"""``ivr-assist replay`` end to end: exit codes, the store, the report folder."""

import csv
import json
import shutil

import pytest

from assist.cli import main
from assist.store import SqliteStore
from audio_fixtures import ensure_fixtures, load_labels
from ivr import events as ev

from .fixture_transcripts import write_transcript
from .recordings import make_broken


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "calls"
    root.mkdir()
    fixtures = ensure_fixtures()
    shutil.copy(fixtures / "en_escalating.8k.stereo.wav", root / "esc.wav")
    shutil.copy(fixtures / "en_calm.16k.wav", root / "calm.wav")
    make_broken(root)
    return root


def test_a_folder_with_a_broken_file(folder, tmp_path, random_model, capsys):
    store_path, report = tmp_path / "calls.sqlite", tmp_path / "report"
    code = main(
        [
            "replay",
            str(folder),
            "--lang",
            "en",
            "--model",
            str(random_model),
            "--store",
            str(store_path),
            "--report",
            str(report),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "replayed 2 of 4 calls (2 failed)" in out
    assert f"FAILED  {folder / 'truncated.wav'}: truncated" in out
    assert f"ok      {folder / 'esc.wav'} -> esc:" in out

    with SqliteStore(store_path) as store:
        assert sorted(r.call_id for r in store.calls()) == ["calm", "esc"]
        esc = store.events_after("esc")
        assert isinstance(esc[0], ev.CallStarted) and isinstance(esc[-1], ev.CallEnded)
        assert store.call("esc").origin == "replay" and store.call("esc").ended
        # A replayed call stores what a live call stores: no per-frame prosody.
        assert not any(isinstance(e, ev.ProsodyFrame) for e in esc)
        assert [e.seq for e in esc] == list(range(1, len(esc) + 1))

    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert sorted(c["call_id"] for c in summary["calls"]) == ["calm", "esc"]
    assert {f["file"]: f["error"][:9] for f in summary["failed"]} == {
        str(folder / "not_audio.wav"): "not a WAV",
        str(folder / "truncated.wav"): "truncated",
    }
    rows = list(csv.DictReader((report / "summary.csv").open(encoding="utf-8")))
    assert [r["status"] for r in rows] == ["ok", "ok", "failed", "failed"]
    assert (report / "index.html").is_file()
    assert (report / "esc.html").is_file() and (report / "calm.html").is_file()


def test_replaying_again_replaces_the_stored_replay(folder, tmp_path, random_model, capsys):
    store_path = tmp_path / "calls.sqlite"
    args = ["replay", str(folder / "esc.wav"), "--lang", "en", "--model", str(random_model)]
    assert main([*args, "--store", str(store_path)]) == 0
    with SqliteStore(store_path) as store:
        first = store.events_after("esc")
    assert main([*args, "--store", str(store_path)]) == 0
    with SqliteStore(store_path) as store:
        assert store.events_after("esc") == first  # deterministic, and not doubled


def test_calls_with_transcripts_need_no_model(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("IVR_ASSIST_MODEL", str(tmp_path / "no-model-here"))
    root = tmp_path / "calls"
    root.mkdir()
    shutil.copy(ensure_fixtures() / "ru_angry.8k.stereo.wav", root / "r1.wav")
    write_transcript(root / "r1.transcript.json", load_labels("ru_angry"), agent_id="a9")
    code = main(["replay", str(root), "--no-store", "--report", str(tmp_path / "rep")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "r1: 20.1 s (transcript given), peak angry" in out
    summary = json.loads((tmp_path / "rep" / "summary.json").read_text(encoding="utf-8"))
    (call,) = summary["calls"]
    assert (call["language"], call["agent_id"], call["peak_level"]) == ("ru", "a9", "angry")


def test_no_model_for_recognition_is_exit_code_2(folder, tmp_path, capsys):
    code = main(
        [
            "replay",
            str(folder / "esc.wav"),
            "--model",
            str(tmp_path / "nothing"),
            "--store",
            str(tmp_path / "s.sqlite"),
        ]
    )
    assert code == 2
    assert "model directory" in capsys.readouterr().err


def test_an_unusable_store_is_exit_code_2(folder, tmp_path, capsys):
    (tmp_path / "s.sqlite").write_text("not a database" * 100)
    code = main(["replay", str(folder), "--store", str(tmp_path / "s.sqlite")])
    assert code == 2
    assert "not an ivr-assist store" in capsys.readouterr().err


def test_jobs_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        main(["replay", "x.wav", "--jobs", "0"])
    assert "must be at least 1" in capsys.readouterr().err
