"""The fixture calls through real vosk, the anger core and the advisor:
what ``analyze`` and QA replay run. Keywords cannot fire here (see
conftest), so these are the bars of the voice path alone."""

import pytest

from assist.analysis import summarise
from assist.offline import run_recording
from audio_fixtures import angry_window_s, load_labels
from ivr import events as ev
from ivr.asr.vosk_engine import VoskEngine

CALLS = ["ru_calm", "ru_escalating", "ru_angry", "en_calm", "en_escalating", "en_angry"]
VARIANTS = [
    "16k",
    "8k.stereo",
    "8k.agc",
]  # agc: loudness normalised like a phone line's gain control


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("call_id", CALLS)
def test_voice_alone_flags_anger_after_its_onset_and_never_a_calm_caller(
    call_id, variant, keywordless_model, fixture_dir
):
    labels = load_labels(call_id)
    engine = VoskEngine(keywordless_model, labels["language"])
    run = run_recording(fixture_dir / f"{call_id}.{variant}.wav", engine)
    summary = summarise(run)
    kinds = [type(e).__name__ for e in run.events]
    assert kinds[0] == "CallStarted" and kinds[-1] == "CallEnded" and "TranscriptFinal" in kinds
    assert not [r for r in summary["top_reasons"] if r["kind"].startswith("keyword")]

    onset_s = labels["anger_onset_s"]
    if onset_s is None:
        assert summary["peak_level"] == "calm", summary["top_reasons"]
        assert not [e for e in run.events if isinstance(e, (ev.CallFlagged, ev.Suggestion))]
    else:
        # Never while the customer still speaks calmly: from their first tense
        # or angry turn on, and by 4 s after the labelled anger onset.
        heated_from_s, _ = angry_window_s(labels)
        assert summary["first_tense_s"] is not None, summary["top_reasons"]
        assert heated_from_s <= summary["first_tense_s"] <= onset_s + 4.0
        flags = [e for e in run.events if isinstance(e, ev.CallFlagged)]
        assert flags and flags[0].at_s >= heated_from_s
        assert {r["kind"] for r in summary["top_reasons"]} & {"pitch", "pitch_range", "brightness"}


def test_replaying_a_call_twice_gives_the_same_events(keywordless_model, fixture_dir):
    engine = VoskEngine(keywordless_model, "ru")
    first = run_recording(fixture_dir / "ru_escalating.8k.stereo.wav", engine).events
    second = run_recording(fixture_dir / "ru_escalating.8k.stereo.wav", engine).events
    assert first == second
