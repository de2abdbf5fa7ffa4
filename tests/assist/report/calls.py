"""Report inputs for tests: fixture calls replayed with their labels as the
recorder's transcript (fast: no recognition), and a call full of hostile text."""

from __future__ import annotations

from pathlib import Path

from assist.offline import CallRun
from assist.replay import Replayer, ReplaySettings, discover
from audio_fixtures import ensure_fixtures, load_labels
from ivr import events as ev

from ..replay.fixture_transcripts import write_transcript

HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1"><b id="pwned">x</b></script>'


def replay_fixture(folder: Path, call: str) -> CallRun:
    """A fixture call (8 kHz stereo) with its labels as the recorder's transcript."""
    folder.mkdir(parents=True, exist_ok=True)
    audio = folder / f"{call}.wav"
    audio.write_bytes((ensure_fixtures() / f"{call}.8k.stereo.wav").read_bytes())
    write_transcript(folder / f"{call}.transcript.json", load_labels(call), agent_id="a1")
    (item,) = discover([str(audio)])
    result = Replayer(ReplaySettings("en")).replay(item)
    assert result.run is not None, result.error
    return result.run


def hostile_events(call_id: str = HOSTILE) -> list[ev.Event]:
    customer, agent = ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT
    words = (ev.Word(HOSTILE, 1.0, 1.5, 0.9), ev.Word("manager", 1.6, 2.0, 0.9))
    reason = ev.AngerReason("keyword:x", HOSTILE, 0.5)
    return [
        ev.CallStarted(call_id, "en", agent_id=HOSTILE, source=HOSTILE),
        ev.ProsodyFrame(call_id, customer, 1.0, -20.0, 180.0, True),
        ev.ProsodyFrame(call_id, agent, 1.0, -40.0, None, False),
        ev.TranscriptFinal(call_id, customer, f"{HOSTILE} manager", words, at_s=2.0),
        ev.AngerUpdate(call_id, 2.0, 0.5, ev.AngerLevel.TENSE, ev.Trend.RISING, (reason,)),
        ev.CallFlagged(call_id, 2.0, ev.AngerLevel.TENSE, HOSTILE),
        ev.Suggestion(call_id, HOSTILE, HOSTILE, HOSTILE, HOSTILE, "en", at_s=2.0),
        ev.CallEnded(call_id, 4.0),
    ]
