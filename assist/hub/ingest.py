"""Live call audio in, in the vosk-server websocket protocol.

Any vosk-server client can stream to ``/ws/ingest?call=ID&lang=ru&seat=a1
&role=customer``: an optional ``{"config": {"sample_rate": 8000, ...}}``
text message before the audio, then binary PCM16 LE mono pieces, each
answered with ``{"partial": ...}`` or, at an endpoint, ``{"text": ...,
"result": [...]}``; ``{"eof": 1}`` returns the final result and ends the
stream, ``{"reset": 1}`` returns it and goes on. Unlike the reference
server, control messages are parsed as JSON rather than compared as raw
strings, a client's config can never swap the model, and errors are
answered with ``{"error": ...}`` and a close code instead of a dropped
connection. The two channels of a call may arrive on two connections with
the same call id (role customer / agent); the call ends when both have.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from assist.live import LiveCall, LiveChannel, Publish
from assist.pipeline import CallPipeline
from ivr import events as ev
from ivr.asr.base import AsrResult, SpeechEngine
from ivr.audio.resample import SUPPORTED_RATES_HZ

log = logging.getLogger(__name__)

DEFAULT_RATE_HZ = 16000
# vosk-server's keys, plus the token a client without headers authenticates with
CONFIG_KEYS = {"sample_rate", "words", "max_alternatives", "phrase_list", "show_words", "token"}


class IngestError(ValueError):
    """A client mistake: answered with {"error": ...} and, if fatal, a close."""


def result_message(result: AsrResult) -> dict[str, Any]:
    words = [
        {"word": w.word, "start": w.start_s, "end": w.end_s, "conf": w.conf} for w in result.words
    ]
    if result.final:
        return {"text": result.text, "result": words}
    return {"partial": result.text, "partial_result": words}


@dataclass
class _Entry:
    call: LiveCall
    connections: int = 0


@dataclass
class CallRegistry:
    """The live calls fed through ingest, shared by their channels' connections."""

    engine_for: Callable[[str], SpeechEngine]
    publish: Publish
    executor: ThreadPoolExecutor | None = None
    feedback_sink: dict[str, CallPipeline] = field(default_factory=dict)
    _calls: dict[str, _Entry] = field(default_factory=dict)

    def attach(self, call_id: str, language: str, agent_id: str, source: str) -> LiveCall:
        entry = self._calls.get(call_id)
        if entry is None:
            engine = self.engine_for(language)
            pipeline = CallPipeline.create(call_id, language, agent_id=agent_id, source=source)
            entry = self._calls[call_id] = _Entry(
                LiveCall(pipeline, engine, self.publish, self.executor)
            )
            self.feedback_sink[call_id] = pipeline
        elif entry.call.pipeline.language != language:
            raise IngestError(
                f"call {call_id} is already running in {entry.call.pipeline.language!r}"
            )
        entry.connections += 1
        return entry.call

    async def detach(self, call_id: str, reason: str) -> None:
        entry = self._calls.get(call_id)
        if entry is None:
            return
        entry.connections -= 1
        if entry.connections <= 0:
            del self._calls[call_id]
            self.feedback_sink.pop(call_id, None)
            await entry.call.end(reason)

    def on_feedback(self, feedback: ev.SuggestionFeedback) -> None:
        pipeline = self.feedback_sink.get(feedback.call_id)
        if pipeline is not None:
            pipeline.on_feedback(feedback)

    @property
    def live_call_ids(self) -> list[str]:
        return list(self._calls)


class IngestSession:
    """One connection's protocol state (sans-I/O apart from awaiting recognition)."""

    def __init__(self, call: LiveCall, role: ev.ChannelRole, max_audio_bytes: int) -> None:
        self.call = call
        self.role = role
        self.max_audio_bytes = max_audio_bytes
        self.rate_hz = DEFAULT_RATE_HZ
        self.phrases: list[str] | None = None
        self.channel: LiveChannel | None = None
        self.ended = False

    def configure(self, config: Any) -> None:
        if self.channel is not None:
            raise IngestError("config must come before the first audio")
        if not isinstance(config, dict):
            raise IngestError("config must be an object")
        unknown = set(config) - CONFIG_KEYS
        if unknown:
            raise IngestError(f"unknown config key(s) {sorted(unknown)}")
        rate = config.get("sample_rate", self.rate_hz)
        if isinstance(rate, float) and rate.is_integer():
            rate = int(rate)
        if not isinstance(rate, int) or rate not in SUPPORTED_RATES_HZ:
            raise IngestError(
                f"sample_rate {rate!r} is not supported; use one of {sorted(SUPPORTED_RATES_HZ)}"
            )
        self.rate_hz = rate
        phrases = config.get("phrase_list")
        if phrases is not None:
            if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                raise IngestError("phrase_list must be a list of strings")
            self.phrases = phrases

    async def on_text(self, message: str) -> dict[str, Any] | None:
        try:
            data = json.loads(message)
        except ValueError:
            raise IngestError("text messages must be JSON") from None
        if not isinstance(data, dict):
            raise IngestError("text messages must be JSON objects")
        if "config" in data:
            self.configure(data["config"])
            return None
        if data.get("eof"):
            self.ended = True
            return result_message(await self._finish())
        if data.get("reset"):
            if self.channel is None:
                return result_message(AsrResult("", (), final=True))
            return result_message(await self.channel.end_utterance())
        raise IngestError(f"unknown message {sorted(data)}")

    async def on_audio(self, pcm: bytes) -> dict[str, Any]:
        if len(pcm) % 2:
            raise IngestError("audio must be 16-bit samples (an even number of bytes)")
        if len(pcm) > self.max_audio_bytes:
            raise IngestError(
                f"audio message of {len(pcm)} bytes is over the limit of {self.max_audio_bytes}"
            )
        if self.channel is None:
            try:
                self.channel = self.call.channel(self.role, self.rate_hz, self.phrases)
            except ValueError as exc:
                raise IngestError(str(exc)) from None
        return result_message(await self.channel.recognise(pcm))

    async def _finish(self) -> AsrResult:
        if self.channel is None:
            return AsrResult("", (), final=True)
        return await self.channel.finish()
