import json

import pytest

from assist.replay.transcript_file import (
    TranscriptFileError,
    is_transcript_file,
    read_transcript,
    transcript_beside,
)
from ivr import events as ev


def write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


GOOD = {
    "version": 1,
    "call_id": "call-0412",
    "language": "ru",
    "agent_id": "a17",
    "audio": "rec/call-0412.wav",
    "channels": {
        "agent": [{"words": [{"word": "слушаю", "start_s": 0.2, "end_s": 0.7}]}],
        "customer": [
            {
                "text": "Алло, это безобразие!",
                "words": [
                    {"word": "алло", "start_s": 1.0, "end_s": 1.3, "conf": 0.97},
                    {"word": "это", "start_s": 1.35, "end_s": 1.5, "conf": 0.9},
                    {"word": "безобразие", "start_s": 1.5, "end_s": 2.2, "conf": 1},
                ],
            },
            {"words": [{"word": "да", "start_s": 0.8, "end_s": 0.9}]},
        ],
    },
}


def test_a_good_transcript_reads_into_utterances_in_time_order(tmp_path):
    t = read_transcript(write(tmp_path / "x.transcript.json", GOOD))
    assert (t.call_id, t.language, t.agent_id) == ("call-0412", "ru", "a17")
    assert t.audio == tmp_path / "rec" / "call-0412.wav"
    assert [(u.role, u.text, u.end_s) for u in t.utterances] == [
        (ev.ChannelRole.AGENT, "слушаю", 0.7),
        (ev.ChannelRole.CUSTOMER, "да", 0.9),
        (ev.ChannelRole.CUSTOMER, "Алло, это безобразие!", 2.2),
    ]
    assert t.utterances[0].words[0] == ev.Word("слушаю", 0.2, 0.7, 1.0)  # conf defaults to 1
    assert t.utterances[2].words[0].conf == 0.97


def test_minimal_transcript(tmp_path):
    t = read_transcript(write(tmp_path / "m.transcript.json", {"version": 1, "channels": {}}))
    assert (t.call_id, t.language, t.agent_id, t.audio, t.utterances) == (None, None, "", None, ())


def bad(**changes):
    data = json.loads(json.dumps(GOOD))
    for path, value in changes.items():
        target = data
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        target[keys[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a transcript is a JSON object"),
        (bad(version=2), "version: must be 1"),
        (bad(speaker="x"), r"unknown key\(s\) \['speaker'\]"),
        (bad(language=""), "language: must be a non-empty string"),
        (bad(channels=[]), "channels: missing"),
        (bad(channels={"robot": []}), "channels.robot: unknown channel"),
        (bad(channels__agent={}), "channels.agent: must be a list"),
        (bad(channels__agent__0__words=[]), r"channels.agent\[0\].words: must be a non-empty"),
        (
            bad(channels__customer__0__words__1__start_s="1.3"),
            r"channels.customer\[0\].words\[1\].start_s: must be a number",
        ),
        (
            bad(channels__customer__0__words__1__end_s=1.0),
            r"channels.customer\[0\].words\[1\]: ends \(1.0\) before it starts",
        ),
        (
            bad(channels__customer__0__words__2__start_s=1.2),
            r"words\[2\]: words must be in time order",
        ),
        (bad(channels__customer__0__words__0__conf=1.5), r"conf: must be a number from 0 to 1"),
        (bad(channels__customer__0__words__0__start_s=-1), "non-negative"),
        (bad(channels__customer__0__words__0__word=" "), r"word: must be a non-empty string"),
    ],
)
def test_bad_transcripts_are_refused_with_the_place(tmp_path, data, message):
    path = write(tmp_path / "b.transcript.json", data)
    with pytest.raises(TranscriptFileError, match=message) as caught:
        read_transcript(path)
    assert str(path) in str(caught.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(TranscriptFileError, match="no such file"):
        read_transcript(tmp_path / "nope.transcript.json")
    (tmp_path / "t.transcript.json").write_text("{", encoding="utf-8")
    with pytest.raises(TranscriptFileError, match="not valid JSON"):
        read_transcript(tmp_path / "t.transcript.json")
    (tmp_path / "u.transcript.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(TranscriptFileError, match="not UTF-8"):
        read_transcript(tmp_path / "u.transcript.json")
    (tmp_path / "n.transcript.json").write_text('{"version": 1, "channels": NaN}')
    with pytest.raises(TranscriptFileError, match="channels"):
        read_transcript(tmp_path / "n.transcript.json")


def test_naming(tmp_path):
    assert transcript_beside(tmp_path / "call.8k.wav") == tmp_path / "call.8k.transcript.json"
    assert is_transcript_file(tmp_path / "A.Transcript.JSON")
    assert not is_transcript_file(tmp_path / "labels.json")
