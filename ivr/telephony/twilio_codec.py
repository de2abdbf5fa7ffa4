"""Twilio Media Streams messages: parse and produce the JSON text frames (pure, no I/O).

Twilio -> us: ``connected``, ``start`` (stream and call ids, tracks, custom
parameters, media format), ``media`` (base64 headerless mu-law, 8 kHz
mono), ``dtmf``, ``mark`` (a mark we sent has been played), ``stop``.
Us -> Twilio on a bidirectional stream: ``media``, ``mark``, ``clear``.
Numeric fields (sequenceNumber, chunk, timestamp) arrive as strings.

Both directions are here: the server side parses what Twilio sends and
encodes what it answers; the test peer (:mod:`ivr.telephony.clients`) does
the reverse.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from ivr.telephony.errors import ProtocolError

__all__ = [
    "RATE_HZ",
    "ProtocolError",
    "TwilioClear",
    "TwilioConnected",
    "TwilioDtmf",
    "TwilioEvent",
    "TwilioMark",
    "TwilioMedia",
    "TwilioOutbound",
    "TwilioPlayMark",
    "TwilioPlayMedia",
    "TwilioStart",
    "TwilioStop",
    "TwilioStreamParser",
    "encode_clear",
    "encode_connected",
    "encode_dtmf",
    "encode_inbound_media",
    "encode_mark",
    "encode_mark_echo",
    "encode_media",
    "encode_start",
    "encode_stop",
    "parse_outbound",
]

RATE_HZ = 8000
ENCODING = "audio/x-mulaw"

# ------------------------------------------------------------------ Twilio -> us


@dataclass(frozen=True)
class TwilioConnected:
    protocol: str
    version: str


@dataclass(frozen=True)
class TwilioStart:
    stream_sid: str
    call_sid: str
    account_sid: str
    tracks: tuple[str, ...]
    custom_parameters: dict[str, str] = field(default_factory=dict)
    encoding: str = ENCODING
    rate_hz: int = RATE_HZ
    channels: int = 1


@dataclass(frozen=True)
class TwilioMedia:
    track: str
    chunk: int
    timestamp_ms: int
    mulaw: bytes


@dataclass(frozen=True)
class TwilioDtmf:
    track: str
    digit: str


@dataclass(frozen=True)
class TwilioMark:
    name: str


@dataclass(frozen=True)
class TwilioStop:
    call_sid: str


TwilioEvent = TwilioConnected | TwilioStart | TwilioMedia | TwilioDtmf | TwilioMark | TwilioStop

# ------------------------------------------------------------------ us -> Twilio


@dataclass(frozen=True)
class TwilioPlayMedia:
    mulaw: bytes


@dataclass(frozen=True)
class TwilioPlayMark:
    name: str


@dataclass(frozen=True)
class TwilioClear:
    pass


TwilioOutbound = TwilioPlayMedia | TwilioPlayMark | TwilioClear

_DTMF_DIGITS = frozenset("0123456789*#ABCD")


def _load_object(text: str | bytes) -> dict[str, Any]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"message is not UTF-8 text: {exc}") from None
    try:
        message = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"message is not JSON: {exc.msg} at position {exc.pos}") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"message is not a JSON object: {type(message).__name__}")
    return message


def _section(message: dict[str, Any], key: str) -> dict[str, Any]:
    value = message.get(key)
    if not isinstance(value, dict):
        raise ProtocolError(f"{message.get('event')} message without a {key!r} object")
    return value


def _text(obj: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = obj.get(key, default)
    if not isinstance(value, str):
        if value is None:
            raise ProtocolError(f"{where}: missing {key!r}")
        raise ProtocolError(f"{where}: {key!r} must be a string, got {value!r}")
    return value


def _number(obj: dict[str, Any], key: str, where: str, default: int | None = None) -> int:
    """A non-negative integer sent as a string (or, leniently, as a JSON number)."""
    value = obj.get(key, default)
    if isinstance(value, bool) or value is None:
        raise ProtocolError(f"{where}: missing or invalid {key!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        raise ProtocolError(f"{where}: {key!r} is not a whole number: {value!r}")
    if number < 0:
        raise ProtocolError(f"{where}: {key!r} is negative: {number}")
    return number


def _base64(value: str, where: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(f"{where}: payload is not base64 ({exc})") from None


class TwilioStreamParser:
    """Parses what Twilio sends on one stream and checks the order of events:
    ``start`` once and before any media, DTMF or mark; nothing after ``stop``."""

    def __init__(self) -> None:
        self.start: TwilioStart | None = None
        self.stopped = False

    def parse(self, text: str | bytes) -> TwilioEvent:
        message = _load_object(text)
        event = message.get("event")
        if not isinstance(event, str):
            raise ProtocolError("message without an 'event' name")
        if self.stopped:
            raise ProtocolError(f"{event} message after stop")
        if event == "connected":
            return TwilioConnected(
                protocol=str(message.get("protocol", "")), version=str(message.get("version", ""))
            )
        if event == "start":
            return self._parse_start(message)
        if event not in ("media", "dtmf", "mark", "stop"):
            raise ProtocolError(f"unknown Twilio event {event!r}")
        if self.start is None:
            raise ProtocolError(f"{event} message before start")
        sid = message.get("streamSid", self.start.stream_sid)
        if sid != self.start.stream_sid:
            raise ProtocolError(
                f"{event} message for stream {sid!r}, this is stream {self.start.stream_sid!r}"
            )
        if event == "media":
            media = _section(message, "media")
            where = "media"
            return TwilioMedia(
                track=_text(media, "track", where, default="inbound"),
                chunk=_number(media, "chunk", where, default=0),
                timestamp_ms=_number(media, "timestamp", where, default=0),
                mulaw=_base64(_text(media, "payload", where), where),
            )
        if event == "dtmf":
            dtmf = _section(message, "dtmf")
            digit = _text(dtmf, "digit", "dtmf")
            if digit not in _DTMF_DIGITS:
                raise ProtocolError(f"dtmf: not a keypad digit: {digit!r}")
            return TwilioDtmf(
                track=_text(dtmf, "track", "dtmf", default="inbound_track"), digit=digit
            )
        if event == "mark":
            return TwilioMark(name=_text(_section(message, "mark"), "name", "mark"))
        self.stopped = True
        stop = message.get("stop")
        call_sid = stop.get("callSid", "") if isinstance(stop, dict) else ""
        return TwilioStop(call_sid=str(call_sid))

    def _parse_start(self, message: dict[str, Any]) -> TwilioStart:
        if self.start is not None:
            raise ProtocolError(f"second start message (stream {self.start.stream_sid})")
        start = _section(message, "start")
        where = "start"
        stream_sid = _text(start, "streamSid", where, default=message.get("streamSid"))
        if not stream_sid:
            raise ProtocolError("start: empty 'streamSid'")
        tracks = start.get("tracks", ["inbound"])
        if not isinstance(tracks, list) or not all(isinstance(t, str) for t in tracks):
            raise ProtocolError(f"start: 'tracks' must be a list of names, got {tracks!r}")
        params = start.get("customParameters", {})
        if not isinstance(params, dict):
            raise ProtocolError(f"start: 'customParameters' must be an object, got {params!r}")
        media_format = start.get("mediaFormat", {})
        if not isinstance(media_format, dict):
            raise ProtocolError(f"start: 'mediaFormat' must be an object, got {media_format!r}")
        encoding = _text(media_format, "encoding", where, default=ENCODING)
        rate_hz = _number(media_format, "sampleRate", where, default=RATE_HZ)
        channels = _number(media_format, "channels", where, default=1)
        if (encoding, rate_hz, channels) != (ENCODING, RATE_HZ, 1):
            raise ProtocolError(
                f"start: unsupported media format {encoding} {rate_hz} Hz {channels} channel(s) "
                f"(expected {ENCODING} {RATE_HZ} Hz mono)"
            )
        self.start = TwilioStart(
            stream_sid=stream_sid,
            call_sid=_text(start, "callSid", where, default=""),
            account_sid=_text(start, "accountSid", where, default=""),
            tracks=tuple(tracks),
            custom_parameters={str(k): _flat(v) for k, v in params.items()},
            encoding=encoding,
            rate_hz=rate_hz,
            channels=channels,
        )
        return self.start


def _flat(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _dump(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# ------------------------------------------------------------------ our answers


def encode_media(stream_sid: str, mulaw: bytes) -> str:
    """Outbound audio for the caller: headerless 8 kHz mu-law."""
    return _dump({"event": "media", "streamSid": stream_sid, "media": {"payload": _b64(mulaw)}})


def encode_mark(stream_sid: str, name: str) -> str:
    """Ask Twilio to echo ``name`` once everything sent before it has played."""
    return _dump({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def encode_clear(stream_sid: str) -> str:
    """Drop the audio Twilio has buffered for the caller."""
    return _dump({"event": "clear", "streamSid": stream_sid})


def parse_outbound(text: str | bytes) -> TwilioOutbound:
    """What the plug-in sent Twilio (used by the test peer acting as Twilio)."""
    message = _load_object(text)
    event = message.get("event")
    if event == "media":
        media = _section(message, "media")
        return TwilioPlayMedia(mulaw=_base64(_text(media, "payload", "media"), "media"))
    if event == "mark":
        return TwilioPlayMark(name=_text(_section(message, "mark"), "name", "mark"))
    if event == "clear":
        return TwilioClear()
    raise ProtocolError(f"unknown outbound event {event!r}")


# ------------------------------------------------------------------ Twilio's side


def encode_connected() -> str:
    return _dump({"event": "connected", "protocol": "Call", "version": "1.0.0"})


def encode_start(
    sequence_number: int,
    stream_sid: str,
    call_sid: str,
    *,
    account_sid: str = "AC00000000000000000000000000000000",
    tracks: tuple[str, ...] = ("inbound",),
    custom_parameters: dict[str, str] | None = None,
) -> str:
    return _dump(
        {
            "event": "start",
            "sequenceNumber": str(sequence_number),
            "start": {
                "accountSid": account_sid,
                "streamSid": stream_sid,
                "callSid": call_sid,
                "tracks": list(tracks),
                "customParameters": dict(custom_parameters or {}),
                "mediaFormat": {"encoding": ENCODING, "sampleRate": RATE_HZ, "channels": 1},
            },
            "streamSid": stream_sid,
        }
    )


def encode_inbound_media(
    sequence_number: int,
    stream_sid: str,
    chunk: int,
    timestamp_ms: int,
    mulaw: bytes,
    track: str = "inbound",
) -> str:
    return _dump(
        {
            "event": "media",
            "sequenceNumber": str(sequence_number),
            "media": {
                "track": track,
                "chunk": str(chunk),
                "timestamp": str(timestamp_ms),
                "payload": _b64(mulaw),
            },
            "streamSid": stream_sid,
        }
    )


def encode_dtmf(sequence_number: int, stream_sid: str, digit: str) -> str:
    return _dump(
        {
            "event": "dtmf",
            "streamSid": stream_sid,
            "sequenceNumber": str(sequence_number),
            "dtmf": {"track": "inbound_track", "digit": digit},
        }
    )


def encode_mark_echo(sequence_number: int, stream_sid: str, name: str) -> str:
    return _dump(
        {
            "event": "mark",
            "sequenceNumber": str(sequence_number),
            "streamSid": stream_sid,
            "mark": {"name": name},
        }
    )


def encode_stop(sequence_number: int, stream_sid: str, call_sid: str, account_sid: str = "") -> str:
    return _dump(
        {
            "event": "stop",
            "sequenceNumber": str(sequence_number),
            "streamSid": stream_sid,
            "stop": {"accountSid": account_sid, "callSid": call_sid},
        }
    )
