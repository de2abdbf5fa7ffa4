"""A small call with one event of every stored kind, numbered like the hub does."""

from __future__ import annotations

import dataclasses

from ivr import events as ev

C, A = ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT


def sample_call(call_id: str = "c1", agent_id: str = "a7") -> list[ev.Event]:
    events: list[ev.Event] = [
        ev.CallStarted(call_id, "en", agent_id=agent_id, source="pbx"),
        ev.IvrAction(call_id, 0.5, "listen", node="main", detail={"prompt": "menu"}),
        ev.AudioChunk(call_id, C, 8000, b"\x01\x00" * 160, start_sample=0),
        ev.ProsodyFrame(call_id, C, 1.0, -23.5, 180.0, True, 4.2),
        ev.ProsodyFrame(call_id, A, 1.0, -60.0, None, False),
        ev.TranscriptPartial(call_id, C, "i want", (ev.Word("i", 1.0, 1.1, 0.9),), at_s=1.1),
        ev.TranscriptFinal(
            call_id,
            C,
            "I want a Manager",
            (
                ev.Word("I", 1.0, 1.1, 0.9),
                ev.Word("want", 1.1, 1.4, 0.95),
                ev.Word("a", 1.4, 1.5, 0.8),
                ev.Word("Manager", 1.5, 2.0, 0.97),
            ),
            at_s=2.0,
        ),
        ev.AngerUpdate(
            call_id,
            2.0,
            0.41,
            ev.AngerLevel.TENSE,
            ev.Trend.RISING,
            (ev.AngerReason("keyword:manager", "phrase 'want a manager'", 0.41),),
        ),
        ev.CallFlagged(call_id, 2.0, ev.AngerLevel.TENSE, "phrase 'want a manager'"),
        ev.Suggestion(call_id, "en-1#1", "I will connect you.", "patience", "manager", "en"),
        ev.SuggestionFeedback(call_id, "en-1#1", ev.Verdict.USED, at_s=3.0),
        ev.AngerUpdate(call_id, 4.0, 0.72, ev.AngerLevel.ANGRY, ev.Trend.RISING),
        ev.CallFlagged(call_id, 4.0, ev.AngerLevel.ANGRY, "loudness"),
        ev.TranscriptFinal(call_id, A, "sorry", (ev.Word("sorry", 4.5, 4.9, 0.9),), at_s=4.9),
        ev.AngerUpdate(call_id, 6.0, 0.2, ev.AngerLevel.CALM, ev.Trend.FALLING),
        ev.Error(call_id, "audio-source", "line dropped"),
        ev.CallEnded(call_id, 7.5),
    ]
    return [dataclasses.replace(e, seq=n) for n, e in enumerate(events, start=1)]
