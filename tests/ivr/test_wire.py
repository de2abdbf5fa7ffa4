import json

import pytest

from ivr import events as ev
from ivr import wire

WORDS = (ev.Word("интернет", 0.5, 0.9, 0.93), ev.Word("down", 1.0, 1.3, 1.0))
SAMPLES = [
    ev.AudioChunk("c1", ev.ChannelRole.AGENT, 8000, b"\x01\x00\xff\x7f", start_sample=160, seq=3),
    ev.TranscriptPartial("c1", ev.ChannelRole.CUSTOMER, "интернет", WORDS[:1], at_s=0.9, seq=4),
    ev.TranscriptFinal("c1", ev.ChannelRole.CUSTOMER, "интернет down", WORDS, at_s=1.3, seq=5),
    ev.ProsodyFrame("c1", ev.ChannelRole.CUSTOMER, 1.5, -23.5, None, False, None, seq=6),
    ev.ProsodyFrame("c1", ev.ChannelRole.AGENT, 1.6, -20.0, 181.5, True, 4.2, seq=7),
    ev.AngerUpdate(
        "c1",
        2.0,
        0.71,
        ev.AngerLevel.ANGRY,
        ev.Trend.RISING,
        (ev.AngerReason("keyword:insult", "keyword 'безобразие' (insult)", 0.35),),
        seq=8,
    ),
    ev.Suggestion(
        "c1", "s1#1", "Я вас слышу.", "empathy", "insult", "ru", ev.SuggestionKind.CUE, 2.1, 9
    ),
    ev.SuggestionFeedback("c1", "s1#1", ev.Verdict.DISMISSED, 3.0, 10),
    ev.CallStarted("c1", "ru", "agent-7", "audiosocket", 0.0, 1),
    ev.CallEnded("c1", 30.5, "hangup", 11),
    ev.CallFlagged("c1", 2.0, ev.AngerLevel.TENSE, "pitch +40 %", 12),
    ev.IvrAction("c1", 0.2, "transfer", "main", {"queue": "priority"}, 13),
    ev.Error("c1", "bad-rate", "sample rate 11025 Hz is not supported", 14),
]


def test_samples_cover_every_event_type():
    assert {type(e) for e in SAMPLES} == set(ev.EVENT_TYPES)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_round_trip(event):
    text = wire.encode(event)
    data = json.loads(text)
    assert data["v"] == wire.WIRE_VERSION and data["type"] == type(event).__name__
    assert wire.decode(text) == event
    assert wire.decode(text.encode("utf-8")) == event


def test_enums_and_bytes_travel_as_plain_values():
    data = wire.to_dict(SAMPLES[0])
    assert data["role"] == "agent" and data["pcm"] == "AQD/fw=="


@pytest.mark.parametrize(
    ("message", "complaint"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"v": 2, "type": "CallEnded"}', "wire version"),
        ('{"v": 1, "type": "Nope"}', "unknown event type"),
        ('{"v": 1, "type": "CallEnded", "call_id": "c", "at_s": 1, "colour": 3}', "unknown field"),
        ('{"v": 1, "type": "CallEnded", "call_id": "c", "at_s": "soon"}', "CallEnded.at_s"),
        ('{"v": 1, "type": "CallEnded", "call_id": "c"}', "at_s"),
        (
            '{"v": 1, "type": "AngerUpdate", "call_id": "c", "at_s": 1, "score": 0.1, '
            '"level": "furious", "trend": "steady"}',
            "AngerUpdate.level",
        ),
        (
            '{"v": 1, "type": "AudioChunk", "call_id": "c", "role": "customer", "rate_hz": 8000, '
            '"pcm": "***"}',
            "AudioChunk.pcm",
        ),
        ('{"v": 1, "type": "CallEnded", "call_id": "c", "at_s": 1, "seq": true}', "CallEnded.seq"),
    ],
)
def test_bad_messages_get_a_clear_error(message, complaint):
    with pytest.raises(wire.WireError, match=complaint):
        wire.decode(message)


def test_only_events_can_be_encoded():
    with pytest.raises(wire.WireError):
        wire.encode(ev.Word("x", 0, 1, 1))
