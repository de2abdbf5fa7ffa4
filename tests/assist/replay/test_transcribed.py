"""A recording with the recorder's transcript: the live pipeline without
recognition, finals fed when the audio reaches them."""

import json

from assist.replay.transcribed import run_transcribed
from assist.replay.transcript_file import read_transcript
from audio_fixtures import ensure_fixtures, load_labels, recorder_transcript
from ivr import events as ev

from .fixture_transcripts import write_transcript


def test_the_escalating_call_is_flagged_from_the_given_words(tmp_path):
    labels = load_labels("en_escalating")
    path = write_transcript(tmp_path / "t.transcript.json", labels)
    audio = ensure_fixtures() / "en_escalating.8k.stereo.wav"
    run = run_transcribed(audio, read_transcript(path), "en", call_id="esc")
    assert run.call_id == "esc" and abs(run.duration_s - labels["duration_s"]) < 0.05
    finals = [e for e in run.events if isinstance(e, ev.TranscriptFinal)]
    assert [f.text for f in finals] == [t["text"] for t in labels["turns"]]
    assert {f.role.value for f in finals} == {"customer", "agent"}
    flags = [e for e in run.events if isinstance(e, ev.CallFlagged)]
    assert flags and flags[-1].level is ev.AngerLevel.ANGRY
    reasons = {r.text for e in run.events if isinstance(e, ev.AngerUpdate) for r in e.reasons}
    assert "phrase 'want a manager' (manager demand)" in reasons
    agent = ev.ChannelRole.AGENT
    assert any(isinstance(e, ev.ProsodyFrame) and e.role is agent for e in run.events)
    assert isinstance(run.events[0], ev.CallStarted) and isinstance(run.events[-1], ev.CallEnded)


def test_each_final_comes_once_the_audio_has_reached_its_end(tmp_path):
    labels = load_labels("en_escalating")
    path = write_transcript(tmp_path / "t.transcript.json", labels)
    run = run_transcribed(
        ensure_fixtures() / "en_escalating.8k.stereo.wav", read_transcript(path), "en"
    )
    heard_s = 0.0
    for event in run.events:
        if isinstance(event, ev.ProsodyFrame):
            heard_s = max(heard_s, event.at_s)
        elif isinstance(event, ev.TranscriptFinal):
            # the audio was analysed up to the utterance's end (the prosody
            # analyser's own look-ahead aside), and not beyond it
            assert event.at_s - 1.0 <= heard_s <= event.at_s


def test_agent_words_raise_a_warning_and_the_agent_id_is_kept(tmp_path):
    data = recorder_transcript(load_labels("en_calm"), agent_id="a17")
    data["channels"]["agent"].append(
        {
            "words": [
                {"word": w, "start_s": 12.0 + 0.3 * i, "end_s": 12.25 + 0.3 * i}
                for i, w in enumerate("sorry i can't do anything".split())
            ]
        }
    )
    path = tmp_path / "t.transcript.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    run = run_transcribed(ensure_fixtures() / "en_calm.8k.stereo.wav", read_transcript(path), "en")
    assert run.events[0].agent_id == "a17"
    warnings = [
        e
        for e in run.events
        if isinstance(e, ev.Suggestion) and e.kind is ev.SuggestionKind.WARNING
    ]
    assert [w.suggestion_id.split("#")[0] for w in warnings] == ["en-agent-cant"]
    assert warnings[0].at_s == 13.45


def test_words_past_the_end_of_the_audio_still_count(tmp_path):
    data = {
        "version": 1,
        "channels": {"customer": [{"words": [{"word": "manager", "start_s": 99, "end_s": 99.5}]}]},
    }
    path = tmp_path / "t.transcript.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    run = run_transcribed(ensure_fixtures() / "en_calm.16k.wav", read_transcript(path), "en")
    finals = [e for e in run.events if isinstance(e, ev.TranscriptFinal)]
    assert [f.text for f in finals] == ["manager"]
    assert isinstance(run.events[-1], ev.CallEnded)
