"""A recording whose words are already known (the recorder's transcript):
the same per-call pipeline as live and as :func:`assist.offline.run_recording`,
with the transcript's utterances fed where the recogniser's final results
would come, when the audio reaches the end of each utterance."""

from __future__ import annotations

from pathlib import Path

from assist.offline import CallRun
from assist.pipeline import CallPipeline
from assist.replay.transcript_file import RecordedTranscript
from ivr import events as ev
from ivr.asr.base import AsrResult
from ivr.audio.frames import CustomerChannel
from ivr.sources import WavSource


def run_transcribed(
    path: Path,
    transcript: RecordedTranscript,
    language: str,
    *,
    call_id: str | None = None,
    customer_channel: CustomerChannel = "left",
) -> CallRun:
    call_id = call_id or path.stem
    source = WavSource(path, call_id=call_id, customer_channel=customer_channel)
    pipeline = CallPipeline.create(
        call_id, language, agent_id=transcript.agent_id, source=str(path.name)
    )
    events = pipeline.start()
    pending = list(transcript.utterances)  # sorted by end time
    next_index = 0

    def due(until_s: float) -> list[ev.Event]:
        nonlocal next_index
        out: list[ev.Event] = []
        while next_index < len(pending) and pending[next_index].end_s <= until_s:
            u = pending[next_index]
            out += pipeline.on_asr(u.role, AsrResult(u.text, u.words, final=True))
            next_index += 1
        return out

    for chunk in source.chunks():
        events += pipeline.on_audio(chunk)
        events += due(chunk.end_s)
    events += due(float("inf"))  # words after the audio's end (a clipped recording)
    events += pipeline.end()
    return CallRun(path, call_id, source.duration_s, events)
