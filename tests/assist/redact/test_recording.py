"""Recordings kept by ``serve --record`` lose what the redactor hides: the
customer's card number is bleeped (or silenced) in the WAV, from word times."""

import numpy as np
import pytest

from assist.pipeline import CallPipeline
from assist.recording import RecordingPipeline, recording_path
from assist.redact import RedactionConfig, load_redaction_config
from assist.redact.audio import hide_spans, merged
from ivr import events as ev
from ivr.asr.base import AsrResult
from ivr.sources import read_audio

RATE_HZ = 8000
CARD = "four five three nine one four eight eight zero three four three six four six seven"


def voice(seconds: float) -> np.ndarray:
    """A stand-in for speech: a 220 Hz tone with a slow wobble (not 1 kHz)."""
    t = np.arange(int(seconds * RATE_HZ)) / RATE_HZ
    return (6000 * np.sin(2 * np.pi * 220 * t) * (1 + 0.3 * np.sin(2 * np.pi * 3 * t))).astype(
        np.int16
    )


def final(text: str, start_s: float, step_s: float = 0.25) -> AsrResult:
    words = tuple(
        ev.Word(w, start_s + step_s * i, start_s + step_s * i + 0.2, 0.9)
        for i, w in enumerate(text.split())
    )
    return AsrResult(text, words, True)


def record(tmp_path, redaction: RedactionConfig | None) -> tuple[np.ndarray, RecordingPipeline]:
    pipeline = RecordingPipeline(CallPipeline.create("c1", "en"), tmp_path, redaction=redaction)
    pipeline.start()
    audio = voice(8.0)
    for n in range(0, len(audio), 160):
        pipeline.on_audio(
            ev.AudioChunk("c1", ev.ChannelRole.CUSTOMER, RATE_HZ, audio[n : n + 160].tobytes(), n)
        )
    # "my card is <16 digits>" from 1.0 s: the digits span 1.75 .. 1.75 + 15 * 0.25 + 0.2 = 5.7 s
    events = pipeline.on_asr(ev.ChannelRole.CUSTOMER, final(f"my card is {CARD}", 1.0))
    assert any(isinstance(e, ev.TranscriptFinal) and CARD in e.text for e in events)  # as said
    pipeline.on_asr(ev.ChannelRole.CUSTOMER, final("three days", 6.5))
    pipeline.end()
    pipeline.saver.join(timeout=10)
    samples, rate_hz = read_audio(recording_path(tmp_path, "c1"))
    assert rate_hz == RATE_HZ
    return samples[:, 0], pipeline


def power_at(x: np.ndarray, hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(x.astype(float) * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / RATE_HZ)
    return float(spectrum[np.argmin(np.abs(freqs - hz))] / spectrum.sum())


def test_the_card_number_is_bleeped_and_the_rest_kept(tmp_path):
    got, pipeline = record(tmp_path, None)  # the shipped settings: bleep, 0.15 s pad
    original = voice(8.0)
    assert pipeline.hidden_spans()[ev.ChannelRole.CUSTOMER] == [(1.75, 5.7)]
    a, b = int((1.75 - 0.15) * RATE_HZ), int((5.7 + 0.15) * RATE_HZ)
    assert np.array_equal(got[: a - 1], original[: a - 1])
    assert np.array_equal(got[b + 1 :], original[b + 1 :])  # "three days" survives
    hidden = got[a + 80 : b - 80]
    assert power_at(hidden, 1000) > 0.2 and power_at(hidden, 220) < 0.01
    assert 0.05 < np.abs(hidden).max() / 32767 < 0.2  # about -20 dBFS
    assert abs(int(got[a])) < 1000  # faded in, no click


def test_silence_instead_of_a_bleep(tmp_path):
    path = tmp_path / "redact.toml"
    shipped = load_redaction_config(None).source
    text = open(shipped, encoding="utf-8").read().replace('hide = "bleep"', 'hide = "silence"')
    path.write_text(text, encoding="utf-8")
    got, _ = record(tmp_path, load_redaction_config(path))
    a, b = int((1.75 - 0.15) * RATE_HZ), int((5.7 + 0.15) * RATE_HZ)
    assert not got[a + 1 : b - 1].any() and got[b + 100 :].any() and got[: a - 100].any()


def test_no_redact_keeps_the_recording_as_heard(tmp_path):
    got, pipeline = record(tmp_path, RedactionConfig.disabled())
    assert (
        np.array_equal(got, voice(8.0)) and pipeline.hidden_spans()[ev.ChannelRole.CUSTOMER] == []
    )


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([(1.0, 2.0), (2.2, 3.0)], [(0.9, 3.1)]),
        ([(2.0, 3.0), (0.05, 0.5)], [(0.0, 0.6), (1.9, 3.1)]),
    ],
)
def test_spans_are_padded_and_joined(spans, expected):
    assert [(round(a, 3), round(b, 3)) for a, b in merged(spans, 0.1)] == expected


def test_a_span_past_the_end_is_cut_at_the_end():
    x = np.full(800, 100, dtype=np.int16)
    out = hide_spans(x, RATE_HZ, [(0.05, 5.0)], mode="silence", pad_s=0.0)
    assert out[:400].tolist() == [100] * 400 and not out[400:].any() and x.all()
