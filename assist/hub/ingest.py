"""Live call audio in, in the vosk-server websocket protocol.

Any vosk-server client can stream to ``/ws/ingest?call=ID&lang=ru&seat=a1
&role=customer``: an optional ``{"config": {"sample_rate": 8000, ...}}``
text message before the audio, then binary PCM16 LE mono pieces, each
answered with ``{"partial": ...}`` or, at an endpoint, ``{"text": ...,
"result": [...]}``; ``{"eof": 1}`` returns the final result and ends the
stream, ``{"reset": 1}`` returns it and goes on. Unlike the reference
server, control messages are parsed as JSON rather than compared as raw
strings (but accept only what the protocol allows: ``1`` for eof and reset,
a supported sample rate, numbers of at most 12 digits), a client's config
can never swap the model, and errors are answered with ``{"error": ...}``
and, for a bad control message, the close code 4400 with the reason instead
of a dropped connection. The two channels of a call may arrive on two connections with
the same call id (role customer / agent); the call ends when both have.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from assist.calls.feed import CallFeed, FeedChannel
from assist.calls.runner import CallRunner, IngestError, LegTaken
from ivr import events as ev
from ivr.asr.base import AsrResult
from ivr.audio.resample import SUPPORTED_RATES_HZ
from ivr.telephony.ids import printable

log = logging.getLogger(__name__)

DEFAULT_RATE_HZ = 16000
# vosk-server's keys, plus the token a client without headers authenticates with
CONFIG_KEYS = {"sample_rate", "words", "max_alternatives", "phrase_list", "show_words", "token"}
MAX_NUMBER_DIGITS = 12  # longer numbers in a control message are refused, never parsed

__all__ = ["CallRunner", "IngestError", "IngestSession", "LegTaken", "result_message"]


class FatalIngestError(IngestError):
    """A client mistake that ends the stream: closed with 4400 and the reason."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise FatalIngestError(f"a number of {len(text)} digits is not accepted here")
    return int(text)


def _shown(value: object) -> str:
    """A client's value, quoted short enough to echo back or log."""
    return printable(json.dumps(value, ensure_ascii=False), 24)


def _is_one(value: object) -> bool:
    """The vosk-server protocol's ``1`` (never ``true``, ``1.0`` or "1")."""
    return type(value) is int and value == 1


def parse_control(message: str) -> dict[str, Any]:
    """A control message as a JSON object; FatalIngestError if it is not one."""
    try:
        data = json.loads(message, parse_int=_bounded_int)
    except FatalIngestError:
        raise
    except (ValueError, RecursionError):
        raise FatalIngestError("text messages must be JSON") from None
    if not isinstance(data, dict):
        raise FatalIngestError("text messages must be JSON objects")
    return data


def result_message(result: AsrResult) -> dict[str, Any]:
    words = [
        {"word": w.word, "start": w.start_s, "end": w.end_s, "conf": w.conf} for w in result.words
    ]
    if result.final:
        return {"text": result.text, "result": words}
    return {"partial": result.text, "partial_result": words}


class IngestSession:
    """One connection's protocol state (sans-I/O apart from awaiting recognition)."""

    def __init__(self, call: CallFeed, role: ev.ChannelRole, max_audio_bytes: int) -> None:
        self.call = call
        self.role = role
        self.max_audio_bytes = max_audio_bytes
        self.rate_hz = DEFAULT_RATE_HZ
        self.phrases: list[str] | None = None
        self.channel: FeedChannel | None = None
        self.ended = False

    def configure(self, config: Any) -> None:
        """Apply a config message; any mistake in it is fatal (the stream
        would otherwise go on at a rate the client did not ask for)."""
        if self.channel is not None:
            raise FatalIngestError("config must come before the first audio")
        if not isinstance(config, dict):
            raise FatalIngestError("config must be an object")
        unknown = set(config) - CONFIG_KEYS
        if unknown:
            shown = ", ".join(_shown(k) for k in sorted(unknown)[:5])
            raise FatalIngestError(f"unknown config key(s) {shown}")
        rate = config.get("sample_rate", self.rate_hz)
        if type(rate) is float and rate.is_integer() and abs(rate) < 1e9:
            rate = int(rate)
        if type(rate) is not int or rate not in SUPPORTED_RATES_HZ:
            raise FatalIngestError(
                f"sample_rate {_shown(rate)} is not supported; "
                f"use one of {sorted(SUPPORTED_RATES_HZ)}"
            )
        phrases = config.get("phrase_list")
        if phrases is not None and (
            not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases)
        ):
            raise FatalIngestError("phrase_list must be a list of strings")
        self.rate_hz = rate
        self.phrases = phrases

    async def on_text(self, message: str) -> dict[str, Any] | None:
        data = parse_control(message)
        if "config" in data:
            if len(data) != 1:
                raise FatalIngestError('a config message holds only "config"')
            self.configure(data["config"])
            return None
        if "eof" in data or "reset" in data:
            (key,) = data if len(data) == 1 else (None,)
            if key is None or not _is_one(data[key]):
                raise FatalIngestError(
                    'end a stream with {"eof": 1}, close an utterance with {"reset": 1}'
                )
            if key == "eof":
                self.ended = True
                return result_message(await self._finish())
            if self.channel is None:
                return result_message(AsrResult("", (), final=True))
            return result_message(await self.channel.end_utterance())
        shown = ", ".join(_shown(k) for k in sorted(data)[:5])
        raise FatalIngestError(f"unknown message with key(s) {shown}")

    async def on_audio(self, pcm: bytes) -> dict[str, Any]:
        if len(pcm) % 2:
            raise IngestError("audio must be 16-bit samples (an even number of bytes)")
        if len(pcm) > self.max_audio_bytes:
            raise IngestError(
                f"audio message of {len(pcm)} bytes is over the limit of {self.max_audio_bytes}"
            )
        if self.channel is None:
            try:
                self.channel = self.call.channel(
                    self.role, self.rate_hz, self.phrases, batches=False
                )
            except ValueError as exc:
                raise FatalIngestError(str(exc)) from None
        return result_message(await self.channel.recognise(pcm))

    async def _finish(self) -> AsrResult:
        if self.channel is None:
            return AsrResult("", (), final=True)
        return await self.channel.finish()
