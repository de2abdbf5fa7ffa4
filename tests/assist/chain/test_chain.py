"""The outbound chain: redactor -> event log -> sinks, and a broken stage
staying inside its event and its call."""

import logging

from assist.chain.chain import EventChain
from assist.chain.sink import CallbackSink, Sink
from assist.redact import CallRedactor, load_redaction_config
from ivr import events as ev

CUSTOMER = ev.ChannelRole.CUSTOMER
CARD = "four one one one one one one one one one one one one one one one"


def final(call_id: str, text: str, at_s: float = 1.0) -> ev.TranscriptFinal:
    words = tuple(
        ev.Word(w, at_s + i * 0.3, at_s + i * 0.3 + 0.25, 0.95) for i, w in enumerate(text.split())
    )
    return ev.TranscriptFinal(call_id, CUSTOMER, text, words, at_s=at_s)


class Breaks:
    """A sink that fails on every event of one call."""

    name = "breaks"

    def __init__(self, bad_call: str) -> None:
        self.bad_call = bad_call
        self.got: list[ev.Event] = []

    def deliver(self, event: ev.Event, text: str) -> None:
        if event.call_id == self.bad_call:
            raise RuntimeError(f"boom on {text}")
        self.got.append(event)

    def close(self) -> None:
        pass


def test_a_sink_gets_numbered_events_with_their_wire_form_and_no_audio_or_prosody():
    seen: list[tuple[ev.Event, str]] = []

    class Keep:
        name = "keep"

        def deliver(self, event, text):
            seen.append((event, text))

        def close(self):
            pass

    assert isinstance(Keep(), Sink)
    chain = EventChain(sinks=[Keep()])
    chain.publish(ev.CallStarted("a", "en"))
    frame = ev.ProsodyFrame("a", CUSTOMER, 0.1, -20.0, None, False, 0.0)
    assert chain.publish(frame) is frame  # passes through, not logged
    chain.publish(final("a", "hello there"))
    chain.publish(ev.CallEnded("a", 2.0))
    assert [(type(e).__name__, e.seq) for e, _ in seen] == [
        ("CallStarted", 1),
        ("TranscriptFinal", 2),
        ("CallEnded", 3),
    ]
    assert all(text == chain.encoded(e) for e, text in seen)


def test_a_failing_sink_loses_only_its_own_deliveries_and_the_log_names_the_call(caplog):
    breaks = Breaks("bad")
    kept: list[ev.Event] = []
    chain = EventChain(sinks=[breaks, CallbackSink("list", kept.append)])
    with caplog.at_level(logging.ERROR, logger="assist.chain.chain"):
        for call in ("bad", "good"):
            chain.publish(ev.CallStarted(call, "en"))
            chain.publish(final(call, "my internet is down"))
            chain.publish(ev.CallEnded(call, 3.0))
    # The other sink got everything of both calls, the failing one all of the good call.
    assert [(e.call_id, e.seq) for e in kept] == [
        (c, n) for c in ("bad", "good") for n in (1, 2, 3)
    ]
    assert [e.call_id for e in breaks.got] == ["good"] * 3
    assert chain.sink_errors == 3
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3 and all("sink breaks" in m and "call bad" in m for m in messages)
    assert not any("internet" in m for m in messages), "a log line quoted the customer's words"


class FailsOnDigits:
    """A redactor that breaks on a word it cannot handle."""

    def __init__(self) -> None:
        self.spans_s: list = []

    def redact(self, event):
        if "seven" in getattr(event, "text", ""):
            raise ValueError("cannot redact this")
        return event


def test_a_failing_redactor_withholds_that_event_only_and_tells_the_screens(caplog):
    kept: list[ev.Event] = []
    chain = EventChain(
        redactor_for=lambda call_id, lang: FailsOnDigits(),
        sinks=[CallbackSink("list", kept.append)],
    )
    with caplog.at_level(logging.ERROR, logger="assist.chain.chain"):
        chain.publish(ev.CallStarted("a", "en"))
        assert chain.publish(final("a", "my pin is seven seven")) is None
        chain.publish(final("a", "thank you"))
        chain.publish(ev.CallStarted("b", "en"))
        chain.publish(final("b", "hello"))
        chain.publish(ev.CallEnded("a", 3.0))
    assert [type(e).__name__ for e in kept if e.call_id == "a"] == [
        "CallStarted",
        "Error",
        "TranscriptFinal",
        "CallEnded",
    ]
    assert not any("seven" in getattr(e, "text", "") for e in kept)
    assert [e.text for e in kept if isinstance(e, ev.TranscriptFinal)] == ["thank you", "hello"]
    assert chain.withheld == 1
    assert any("call a" in r.getMessage() for r in caplog.records)
    assert not any("seven" in r.getMessage() for r in caplog.records)


def test_the_redactor_runs_before_the_log_so_no_sink_ever_sees_the_number():
    config = load_redaction_config(None)
    kept: list[ev.Event] = []
    chain = EventChain(
        redactor_for=lambda call_id, lang: CallRedactor(config, lang),
        sinks=[CallbackSink("list", kept.append)],
    )
    chain.publish(ev.CallStarted("a", "en"))
    out = chain.publish(final("a", f"my card number is {CARD} thanks"))
    assert out is not None and "[card]" in out.text and "four one one" not in out.text
    assert chain.history("a")[-1] == out and kept[-1] == out
    assert "four one one" not in chain.encoded(out)
    assert chain.redacted_spans_s("a"), "the card's audio span is known for the recording"
