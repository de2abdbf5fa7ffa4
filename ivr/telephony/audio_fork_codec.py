"""FreeSWITCH mod_audio_fork messages (pure, no I/O).

FreeSWITCH is the websocket client (subprotocol ``audio.drachtio.org``). It
sends one optional text frame of metadata (usually JSON, the last argument of
``uuid_audio_fork <uuid> start <url> <mix> <rate> [metadata]``), then binary
L16 little-endian frames: mono, or stereo interleaved with left = the leg the
media bug is on (read: the customer) and right = the far party (write: the
agent). Nothing in the stream says mono or stereo, 8 or 16 kHz: the server
learns it from the URL the admin wrote (``?mix=stereo&rate=16k``, the same
words as the ``uuid_audio_fork`` arguments).

The server may answer with JSON text ``{"type": ..., "data": {...}}``; here:
``playAudio`` (raw L16 in base64), ``killAudio`` and ``disconnect``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ivr.telephony.errors import ProtocolError

__all__ = [
    "CALL_ID_KEYS",
    "MAX_FRAME_BYTES",
    "SUBPROTOCOL",
    "AudioForkParser",
    "ForkDisconnect",
    "ForkFormat",
    "ForkKillAudio",
    "ForkMetadata",
    "ForkOther",
    "ForkPlayAudio",
    "ForkServerMessage",
    "ProtocolError",
    "encode_disconnect",
    "encode_kill_audio",
    "encode_play_audio",
    "parse_format",
    "parse_metadata",
    "parse_server_message",
]

SUBPROTOCOL = "audio.drachtio.org"
MAX_FRAME_BYTES = 32768  # ~0.5 s of 16 kHz stereo; FreeSWITCH sends far smaller frames
CALL_ID_KEYS = ("callId", "callSid", "call_id", "uuid", "callUUID")
_MIX_CHANNELS = {"mono": 1, "mixed": 1, "stereo": 2}
_RATES_HZ = {"8k": 8000, "8000": 8000, "16k": 16000, "16000": 16000}


@dataclass(frozen=True)
class ForkFormat:
    channels: int = 1
    rate_hz: int = 8000

    @property
    def frame_bytes(self) -> int:
        """Bytes per sample frame (all channels)."""
        return 2 * self.channels


def parse_format(mix: str | None = None, rate: str | None = None) -> ForkFormat:
    """The stream format from the ``uuid_audio_fork`` words: mix mono|mixed|stereo,
    rate 8k|16k (or 8000|16000). Missing words mean mono, 8 kHz."""
    mix_word = (mix or "mono").lower()
    rate_word = (rate or "8k").lower()
    if mix_word not in _MIX_CHANNELS:
        raise ProtocolError(f"unknown mix {mix!r} (mono, mixed or stereo)")
    if rate_word not in _RATES_HZ:
        raise ProtocolError(f"unsupported rate {rate!r} (8k or 16k)")
    return ForkFormat(channels=_MIX_CHANNELS[mix_word], rate_hz=_RATES_HZ[rate_word])


@dataclass(frozen=True)
class ForkMetadata:
    """The metadata text, flattened to strings (nested keys joined with dots)."""

    text: str
    fields: dict[str, str] = field(default_factory=dict)
    call_id: str | None = None


def _flatten(prefix: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    elif isinstance(value, str):
        out[prefix] = value
    else:
        out[prefix] = json.dumps(value, ensure_ascii=False)


def parse_metadata(text: str) -> ForkMetadata:
    """JSON object metadata becomes fields; anything else is kept as ``metadata``.
    The call id is the first of :data:`CALL_ID_KEYS` present with a non-empty value."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    fields: dict[str, str] = {}
    if isinstance(value, dict):
        _flatten("", value, fields)
    elif text:
        fields["metadata"] = text
    call_id = next((fields[k] for k in CALL_ID_KEYS if fields.get(k)), None)
    return ForkMetadata(text=text, fields=fields, call_id=call_id)


class AudioForkParser:
    """Checks the order and shape of one fork's messages and splits stereo audio."""

    def __init__(self, fmt: ForkFormat, max_frame_bytes: int = MAX_FRAME_BYTES) -> None:
        self.format = fmt
        self.max_frame_bytes = max_frame_bytes
        self.metadata: ForkMetadata | None = None
        self.audio_started = False

    def text(self, text: str) -> ForkMetadata:
        """The first message may be text: the metadata. No text may follow."""
        if self.metadata is not None or self.audio_started:
            raise ProtocolError("unexpected text message after the stream started")
        self.metadata = parse_metadata(text)
        return self.metadata

    def binary(self, data: bytes) -> tuple[bytes, ...]:
        """One L16 frame -> PCM per role: (customer,) or (customer, agent)."""
        n = len(data)
        if n == 0:
            raise ProtocolError("empty audio frame")
        if n > self.max_frame_bytes:
            raise ProtocolError(
                f"audio frame of {n} bytes exceeds the limit of {self.max_frame_bytes} bytes"
            )
        if n % self.format.frame_bytes:
            kind = "stereo" if self.format.channels == 2 else "mono"
            raise ProtocolError(
                f"{kind} L16 frame of {n} bytes is not a whole number of "
                f"{self.format.frame_bytes}-byte samples"
            )
        self.audio_started = True
        if self.format.channels == 1:
            return (bytes(data),)
        samples = np.frombuffer(data, dtype="<i2").reshape(-1, 2)
        return (samples[:, 0].tobytes(), samples[:, 1].tobytes())


# ------------------------------------------------------------------ server -> FreeSWITCH


def _dump(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


def encode_play_audio(pcm: bytes, rate_hz: int) -> str:
    """Ask FreeSWITCH to play raw L16 mono audio at ``rate_hz`` to the caller."""
    if len(pcm) % 2:
        raise ValueError(f"PCM16 audio has an odd byte count ({len(pcm)})")
    return _dump(
        {
            "type": "playAudio",
            "data": {
                "audioContentType": "raw",
                "sampleRate": rate_hz,
                "audioContent": base64.b64encode(pcm).decode("ascii"),
            },
        }
    )


def encode_kill_audio() -> str:
    return _dump({"type": "killAudio"})


def encode_disconnect() -> str:
    return _dump({"type": "disconnect"})


@dataclass(frozen=True)
class ForkPlayAudio:
    pcm: bytes
    rate_hz: int


@dataclass(frozen=True)
class ForkKillAudio:
    pass


@dataclass(frozen=True)
class ForkDisconnect:
    pass


@dataclass(frozen=True)
class ForkOther:
    type: str
    data: dict[str, Any]


ForkServerMessage = ForkPlayAudio | ForkKillAudio | ForkDisconnect | ForkOther


def parse_server_message(text: str) -> ForkServerMessage:
    """What the server sent FreeSWITCH (used by the test peer acting as FreeSWITCH)."""
    try:
        message = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"server message is not JSON: {exc.msg}") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError("server message without a 'type'")
    kind = message["type"]
    data = message.get("data", {})
    if not isinstance(data, dict):
        raise ProtocolError(f"{kind}: 'data' must be an object")
    if kind == "killAudio":
        return ForkKillAudio()
    if kind == "disconnect":
        return ForkDisconnect()
    if kind != "playAudio":
        return ForkOther(kind, data)
    if data.get("audioContentType") != "raw":
        raise ProtocolError(
            f"playAudio: unsupported audioContentType {data.get('audioContentType')!r}"
        )
    rate_hz = data.get("sampleRate")
    if not isinstance(rate_hz, int) or isinstance(rate_hz, bool) or rate_hz <= 0:
        raise ProtocolError(f"playAudio: invalid sampleRate {rate_hz!r}")
    try:
        pcm = base64.b64decode(str(data.get("audioContent", "")), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(f"playAudio: audioContent is not base64 ({exc})") from None
    return ForkPlayAudio(pcm=pcm, rate_hz=rate_hz)
