"""The offline driver: a recording through the same pipeline, as fast as
the machine allows (``analyze`` and QA replay)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assist.pipeline import CallPipeline
from ivr import events as ev
from ivr.asr.base import Recognizer, SpeechEngine
from ivr.sources import WavSource

ASR_BATCH_S = 0.2  # vosk is most efficient fed a few hundred ms at a time


@dataclass(frozen=True)
class CallRun:
    path: Path
    call_id: str
    duration_s: float
    events: list[ev.Event]


def run_recording(
    path: Path,
    engine: SpeechEngine,
    *,
    call_id: str | None = None,
    customer_channel: str = "left",
    pipeline: CallPipeline | None = None,
) -> CallRun:
    """``pipeline``: one made by the caller (e.g. with its anger core traced);
    by default a new one for ``call_id`` in the engine's language."""
    call_id = pipeline.call_id if pipeline else call_id or path.stem
    source = WavSource(path, call_id=call_id, customer_channel=customer_channel)
    pipeline = pipeline or CallPipeline.create(call_id, engine.language, source=str(path.name))
    events = pipeline.start()
    recognizers: dict[ev.ChannelRole, Recognizer] = {}
    pending: dict[ev.ChannelRole, list[bytes]] = {}
    batch_bytes = int(ASR_BATCH_S * source.rate_hz) * 2
    for chunk in source.chunks():
        events += pipeline.on_audio(chunk)
        if chunk.role not in recognizers:
            recognizers[chunk.role] = engine.recognizer(chunk.rate_hz)
            pending[chunk.role] = []
        buffer = pending[chunk.role]
        buffer.append(chunk.pcm)
        if sum(map(len, buffer)) >= batch_bytes:
            events += pipeline.on_asr(chunk.role, recognizers[chunk.role].accept(b"".join(buffer)))
            buffer.clear()
    for role, recognizer in recognizers.items():
        if pending[role]:
            events += pipeline.on_asr(role, recognizer.accept(b"".join(pending[role])))
        events += pipeline.on_asr(role, recognizer.finish())
    events += pipeline.end()
    return CallRun(path, call_id, source.duration_s, events)
