"""The fixture calls through real vosk (the project's own model), the anger
core and the advisor: what the analyze command and QA replay run."""

import pytest

from assist.analysis import summarise
from assist.offline import run_recording
from audio_fixtures import load_labels
from ivr import events as ev
from ivr.modelbuild.evaluate import word_error_rate

CALLS = ["ru_calm", "ru_escalating", "ru_angry", "en_calm", "en_escalating", "en_angry"]


@pytest.mark.parametrize("variant", ["8k.stereo", "16k"])
@pytest.mark.parametrize("call_id", CALLS)
def test_fixture_call_end_to_end(call_id, variant, own_engine, fixture_dir):
    labels = load_labels(call_id)
    run = run_recording(fixture_dir / f"{call_id}.{variant}.wav", own_engine(labels["language"]))
    summary = summarise(run)

    said = [t for t in labels["turns"] if t["role"] == "customer"]
    heard = [
        e
        for e in run.events
        if isinstance(e, ev.TranscriptFinal) and e.role is ev.ChannelRole.CUSTOMER
    ]
    reference = " ".join(t["text"] for t in said).split()
    hypothesis = " ".join(e.text for e in heard).split()
    assert word_error_rate([(reference, hypothesis)]) <= 0.10, (reference, hypothesis)

    onset_s = labels["anger_onset_s"]
    if onset_s is None:
        assert summary["peak_level"] == "calm", summary["top_reasons"]
        assert not [e for e in run.events if isinstance(e, ev.CallFlagged)]
    else:
        assert summary["first_angry_s"] is not None, summary["top_reasons"]
        assert onset_s <= summary["first_angry_s"] + 0.5 <= onset_s + 3.5
        suggestions = [e for e in run.events if isinstance(e, ev.Suggestion)]
        assert suggestions and all(s.language == labels["language"] for s in suggestions)


def test_replaying_a_call_twice_gives_the_same_events(own_engine, fixture_dir):
    engine = own_engine("ru")
    first = run_recording(fixture_dir / "ru_escalating.8k.stereo.wav", engine).events
    second = run_recording(fixture_dir / "ru_escalating.8k.stereo.wav", engine).events
    assert first == second
