"""The per-call pipeline with the real anger core and advisor (no I/O)."""

import numpy as np

from assist.pipeline import CallPipeline
from ivr import events as ev
from ivr.asr.base import AsrResult

RATE_HZ = 16000


def words(text: str, start_s: float, conf: float = 1.0) -> tuple[ev.Word, ...]:
    return tuple(
        ev.Word(w, start_s + 0.4 * i, start_s + 0.4 * i + 0.35, conf)
        for i, w in enumerate(text.split())
    )


def silence_chunks(call_id: str, seconds: float):
    n = int(0.02 * RATE_HZ)
    pcm = np.zeros(n, dtype="<i2").tobytes()
    return [
        ev.AudioChunk(call_id, ev.ChannelRole.CUSTOMER, RATE_HZ, pcm, i * n)
        for i in range(int(seconds / 0.02))
    ]


def run(pipeline: CallPipeline, script: list[tuple[float, str, bool]]) -> list[ev.Event]:
    out = pipeline.start()
    for at_s, text, final in script:
        for chunk in silence_chunks(pipeline.call_id, at_s)[int(pipeline._audio_s / 0.02) :]:
            out += pipeline.on_audio(chunk)
        out += pipeline.on_asr(
            ev.ChannelRole.CUSTOMER, AsrResult(text, words(text, at_s - 1.0), final)
        )
    return out + pipeline.end()


def test_angry_words_raise_a_flag_and_a_suggestion_in_the_calls_language():
    pipeline = CallPipeline.create("c1", "ru")
    events = run(
        pipeline,
        [
            (2.0, "здравствуйте", True),
            (5.0, "это безобразие", False),
            (5.5, "это безобразие я звоню третий раз", True),
            (9.0, "я буду жаловаться", True),
        ],
    )
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "CallStarted" and kinds[-1] == "CallEnded"
    finals = [e.text for e in events if isinstance(e, ev.TranscriptFinal)]
    assert finals == ["здравствуйте", "это безобразие я звоню третий раз", "я буду жаловаться"]
    updates = [e for e in events if isinstance(e, ev.AngerUpdate)]
    assert updates and updates[-1].level is not ev.AngerLevel.CALM
    assert any("безобразие" in r.text for u in updates for r in u.reasons)
    flags = [e for e in events if isinstance(e, ev.CallFlagged)]
    assert flags and flags[0].at_s >= 4.0
    suggestions = [e for e in events if isinstance(e, ev.Suggestion)]
    assert suggestions and all(s.language == "ru" for s in suggestions)
    assert {"insult", "repeat_contact", "threat"} & {s.trigger for s in suggestions}


def test_calm_call_stays_quiet_and_partials_are_not_repeated():
    pipeline = CallPipeline.create("c2", "en")
    events = run(
        pipeline,
        [
            (2.0, "i would like", False),
            (2.2, "i would like", False),
            (3.0, "i would like to change my plan", True),
        ],
    )
    assert [e.text for e in events if isinstance(e, ev.TranscriptPartial)] == ["i would like"]
    assert not [e for e in events if isinstance(e, (ev.CallFlagged, ev.Suggestion))]
    assert all(u.level is ev.AngerLevel.CALM for u in events if isinstance(u, ev.AngerUpdate))


def test_same_input_same_events():
    script = [(3.0, "this is outrageous", True), (6.0, "i want to speak to your manager", True)]
    first = run(CallPipeline.create("c3", "en"), script)
    second = run(CallPipeline.create("c3", "en"), script)
    assert first == second
