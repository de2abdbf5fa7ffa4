import json

from assist.replay.inputs import discover
from ivr.sources import write_wav


def touch(path, data=None):
    """A file: ``data``, or by default a short valid WAV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if data is None:
        return write_wav(path, bytes(320), 8000)
    path.write_bytes(data)
    return path


def transcript(path, **keys):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "channels": {}, **keys}), encoding="utf-8")
    return path


def test_a_folder_is_walked_recursively_pairing_recordings_and_transcripts(tmp_path):
    touch(tmp_path / "b.wav")
    touch(tmp_path / "a.ul")
    touch(tmp_path / "day2" / "c.WAV")
    transcript(tmp_path / "b.transcript.json")
    touch(tmp_path / "labels.json", b"{}")  # not a transcript: ignored
    touch(tmp_path / "notes.txt", b"x")
    found = discover([str(tmp_path)])
    assert [(i.audio.name, i.transcript and i.transcript.name, i.call_id) for i in found] == [
        ("a.ul", None, "a"),
        ("b.wav", "b.transcript.json", "b"),
        ("c.WAV", None, "c"),
    ]
    assert found[1].label == str(tmp_path / "b.wav")  # named by the recording


def test_files_globs_and_missing_paths(tmp_path):
    touch(tmp_path / "x1.wav")
    touch(tmp_path / "x2.wav")
    touch(tmp_path / "odd.bin")
    touch(tmp_path / "cut.wav", b"RIFF")
    found = discover(
        [
            str(tmp_path / "x*.wav"),
            str(tmp_path / "odd.bin"),  # named explicitly: tried, whatever its extension
            str(tmp_path / "gone.wav"),
            str(tmp_path / "none*.wav"),
            str(tmp_path / "x1.wav"),  # twice: replayed once
            str(tmp_path / "cut.wav"),  # broken: fails at discovery, needing no model
        ]
    )
    assert [(i.label.rsplit("/", 1)[-1], i.problem) for i in found] == [
        ("x1.wav", None),
        ("x2.wav", None),
        ("odd.bin", None),
        ("gone.wav", "no such file or folder"),
        ("none*.wav", "no files match this pattern"),
        ("cut.wav", "truncated: only 4 bytes, shorter than a WAV header"),
    ]


def test_a_transcript_given_alone_finds_its_recording(tmp_path):
    touch(tmp_path / "rec" / "2024" / "0412.wav")
    named = transcript(tmp_path / "t" / "0412.transcript.json", audio="../rec/2024/0412.wav")
    touch(tmp_path / "s" / "0413.al")
    beside = transcript(tmp_path / "s" / "0413.transcript.json")
    orphan = transcript(tmp_path / "o" / "0414.transcript.json")
    found = discover([str(named), str(beside), str(orphan)])
    assert found[0].audio == tmp_path / "t" / "../rec/2024/0412.wav"
    assert found[0].transcript == named
    assert found[1].audio == tmp_path / "s" / "0413.al"
    assert found[2].audio is None and "no recording for this transcript" in found[2].problem


def test_a_recording_and_its_transcript_named_separately_are_one_call(tmp_path):
    wav = touch(tmp_path / "k.wav")
    t = transcript(tmp_path / "k.transcript.json")
    found = discover([str(wav), str(t)])
    assert len(found) == 1 and found[0].transcript == t


def test_call_ids_are_unique_and_the_recorders_own_id_wins(tmp_path):
    touch(tmp_path / "a" / "call.wav")
    touch(tmp_path / "b" / "call.wav")
    touch(tmp_path / "c" / "x.wav")
    transcript(tmp_path / "c" / "x.transcript.json", call_id="crm-77")
    found = discover([str(tmp_path)])
    assert [i.call_id for i in found] == ["call", "call-2", "crm-77"]
