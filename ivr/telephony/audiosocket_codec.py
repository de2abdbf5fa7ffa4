"""Asterisk AudioSocket framing: an incremental parser and the encoders (pure, no I/O).

Every message is a type byte, a big-endian uint16 payload length and the
payload. Types understood here: 0x00 hangup, 0x01 UUID (16 raw bytes),
0x03 DTMF (one ASCII byte), 0x10 signed linear 16-bit little-endian mono
8 kHz audio, 0xFF error (optional application error code).

The higher-rate audio types 0x11-0x18 are refused: the public protocol
description has given 0x11 two different rates over time (16 kHz, later
12 kHz), so a rate cannot be assigned to them with confidence. Configure the
dialplan for 8 kHz slin (type 0x10).
"""

from __future__ import annotations

import struct
import uuid as uuidlib
from dataclasses import dataclass
from enum import IntEnum

from ivr.telephony.errors import ProtocolError

__all__ = [
    "AUDIO_RATE_HZ",
    "DTMF_DIGITS",
    "FRAME_BYTES",
    "HEADER_BYTES",
    "MAX_AUDIO_PAYLOAD_BYTES",
    "MAX_ERROR_PAYLOAD_BYTES",
    "AudioSocketParser",
    "Frame",
    "FrameType",
    "ProtocolError",
    "encode_audio",
    "encode_dtmf",
    "encode_error",
    "encode_hangup",
    "encode_uuid",
    "split_audio",
]

HEADER_BYTES = 3
AUDIO_RATE_HZ = 8000
FRAME_BYTES = 320  # 20 ms of 8 kHz PCM16, what Asterisk sends
MAX_AUDIO_PAYLOAD_BYTES = 8192  # 256 ms; the 16-bit length field would allow 65535
MAX_ERROR_PAYLOAD_BYTES = 64
DTMF_DIGITS = frozenset("0123456789*#ABCD")
_UUID_BYTES = 16
_HEADER = struct.Struct(">BH")


class FrameType(IntEnum):
    HANGUP = 0x00
    UUID = 0x01
    DTMF = 0x03
    AUDIO = 0x10
    ERROR = 0xFF


_NAMES = {
    FrameType.HANGUP: "hangup",
    FrameType.UUID: "UUID",
    FrameType.DTMF: "DTMF",
    FrameType.AUDIO: "audio",
    FrameType.ERROR: "error",
}


@dataclass(frozen=True)
class Frame:
    type: FrameType
    payload: bytes = b""

    @property
    def uuid(self) -> str:
        """The canonical text form of a UUID frame's payload."""
        if self.type is not FrameType.UUID:
            raise ValueError(f"a {_NAMES[self.type]} frame has no UUID")
        return str(uuidlib.UUID(bytes=self.payload))

    @property
    def digit(self) -> str:
        if self.type is not FrameType.DTMF:
            raise ValueError(f"a {_NAMES[self.type]} frame has no DTMF digit")
        return self.payload.decode("ascii")

    @property
    def error_code(self) -> int | None:
        """An error frame's code (its payload as a big-endian integer), None when empty."""
        if self.type is not FrameType.ERROR:
            raise ValueError(f"a {_NAMES[self.type]} frame has no error code")
        return int.from_bytes(self.payload, "big") if self.payload else None


def _type_of(code: int) -> FrameType:
    try:
        return FrameType(code)
    except ValueError:
        pass
    if 0x11 <= code <= 0x18:
        raise ProtocolError(
            f"AudioSocket audio type 0x{code:02X} (a rate other than 8 kHz) is not supported; "
            "use 8 kHz signed linear audio (type 0x10)"
        )
    raise ProtocolError(
        f"unknown AudioSocket message type 0x{code:02X} "
        "(known: 0x00 hangup, 0x01 UUID, 0x03 DTMF, 0x10 audio, 0xFF error)"
    )


class AudioSocketParser:
    """Turns a byte stream into :class:`Frame` objects, whatever the read boundaries.

    As a server (``expect_uuid=True``, Asterisk's side talking to us) the
    first frame carrying call data must be the UUID, and only one UUID may
    come. As a client (a test peer reading what we send back) no UUID is
    expected. Bad input raises :class:`ProtocolError`; the parser is then
    unusable.
    """

    def __init__(
        self, max_payload_bytes: int = MAX_AUDIO_PAYLOAD_BYTES, *, expect_uuid: bool = True
    ) -> None:
        if not 0 < max_payload_bytes <= 0xFFFF:
            raise ValueError(f"max_payload_bytes must be in 1..65535, got {max_payload_bytes}")
        self.max_payload_bytes = max_payload_bytes
        self.expect_uuid = expect_uuid
        self.uuid: str | None = None
        self._buffer = bytearray()
        self._header: tuple[FrameType, int] | None = None
        self._failed: ProtocolError | None = None

    @property
    def pending_bytes(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes | bytearray | memoryview) -> list[Frame]:
        """Every frame completed by ``data`` (possibly none)."""
        if self._failed is not None:
            raise ProtocolError(f"stream already failed: {self._failed}")
        self._buffer += data
        frames: list[Frame] = []
        try:
            while True:
                if self._header is None:
                    if len(self._buffer) < HEADER_BYTES:
                        break
                    code, length = _HEADER.unpack_from(self._buffer)
                    self._header = (self._check_header(code, length), length)
                    del self._buffer[:HEADER_BYTES]
                kind, length = self._header
                if len(self._buffer) < length:
                    break
                payload = bytes(self._buffer[:length])
                del self._buffer[:length]
                self._header = None
                frames.append(self._check_frame(Frame(kind, payload)))
        except ProtocolError as exc:
            self._failed = exc
            raise
        return frames

    def audio_payloads(self, data: bytes) -> list[bytes] | None:
        """The payloads of ``data`` when it is whole audio frames only, each
        valid, and nothing is pending (a call's usual read: a frame or a few);
        else None, and ``data`` is for :meth:`feed`, which gives the same
        payloads for such data. No :class:`Frame` per 20 ms frame."""
        if self._buffer or self._header is not None or self._failed is not None:
            return None
        if self.expect_uuid and self.uuid is None:
            return None
        out: list[bytes] = []
        i, n, limit = 0, len(data), self.max_payload_bytes
        while i < n:
            if n - i < HEADER_BYTES or data[i] != FrameType.AUDIO:
                return None
            length = data[i + 1] << 8 | data[i + 2]
            end = i + HEADER_BYTES + length
            if not length or length > limit or length % 2 or end > n:
                return None
            out.append(data[i + HEADER_BYTES : end])
            i = end
        return out

    def finish(self) -> None:
        """The stream ended: raise if it ended inside a frame."""
        if self._failed is not None:
            return
        if self._header is not None:
            kind, length = self._header
            raise ProtocolError(
                f"stream ended mid-frame ({_NAMES[kind]}): {len(self._buffer)} of "
                f"{length} payload bytes received"
            )
        if self._buffer:
            raise ProtocolError(
                f"stream ended mid-frame (header): {len(self._buffer)} of "
                f"{HEADER_BYTES} header bytes received"
            )

    def _check_header(self, code: int, length: int) -> FrameType:
        kind = _type_of(code)
        if kind is FrameType.AUDIO:
            if length == 0:
                raise ProtocolError("empty audio frame")
            if length > self.max_payload_bytes:
                raise ProtocolError(
                    f"audio frame of {length} bytes exceeds the limit of "
                    f"{self.max_payload_bytes} bytes"
                )
            if length % 2:
                raise ProtocolError(f"audio frame with an odd byte count ({length})")
        elif kind is FrameType.UUID and length != _UUID_BYTES:
            raise ProtocolError(f"UUID frame of {length} bytes (a UUID is {_UUID_BYTES} bytes)")
        elif kind is FrameType.DTMF and length != 1:
            raise ProtocolError(f"DTMF frame of {length} bytes (a DTMF digit is 1 byte)")
        elif kind is FrameType.HANGUP and length != 0:
            raise ProtocolError(f"hangup frame with a {length}-byte payload (it has none)")
        elif kind is FrameType.ERROR and length > MAX_ERROR_PAYLOAD_BYTES:
            raise ProtocolError(
                f"error frame of {length} bytes exceeds the limit of "
                f"{MAX_ERROR_PAYLOAD_BYTES} bytes"
            )
        return kind

    def _check_frame(self, frame: Frame) -> Frame:
        if frame.type is FrameType.UUID:
            if not self.expect_uuid:
                raise ProtocolError("unexpected UUID frame")
            if self.uuid is not None:
                raise ProtocolError(f"second UUID frame (the call is already {self.uuid})")
            self.uuid = frame.uuid
        elif frame.type in (FrameType.AUDIO, FrameType.DTMF):
            if self.expect_uuid and self.uuid is None:
                raise ProtocolError(f"{_NAMES[frame.type]} frame before the UUID")
            if frame.type is FrameType.DTMF and frame.payload.decode("latin-1") not in DTMF_DIGITS:
                raise ProtocolError(f"DTMF frame with an invalid digit {frame.payload!r}")
        return frame


def _frame(kind: FrameType, payload: bytes = b"") -> bytes:
    return _HEADER.pack(kind, len(payload)) + payload


def encode_audio(pcm: bytes | bytearray | memoryview) -> bytes:
    """One 0x10 frame. Split long audio with :func:`split_audio` first."""
    n = len(pcm)
    if n == 0:
        raise ValueError("an audio frame cannot be empty")
    if n % 2:
        raise ValueError(f"PCM16 audio has an odd byte count ({n})")
    if n > 0xFFFF:
        raise ValueError(f"{n} bytes do not fit one AudioSocket frame (65535 at most)")
    return _frame(FrameType.AUDIO, bytes(pcm))


def encode_hangup() -> bytes:
    return _frame(FrameType.HANGUP)


def encode_uuid(call_uuid: str | uuidlib.UUID) -> bytes:
    """The UUID frame; ``call_uuid`` is a UUID or its text form (as in the dialplan)."""
    value = call_uuid if isinstance(call_uuid, uuidlib.UUID) else uuidlib.UUID(call_uuid)
    return _frame(FrameType.UUID, value.bytes)


def encode_dtmf(digit: str) -> bytes:
    if len(digit) != 1 or digit not in DTMF_DIGITS:
        raise ValueError(f"not a DTMF digit: {digit!r}")
    return _frame(FrameType.DTMF, digit.encode("ascii"))


def encode_error(code: int | None = None) -> bytes:
    """An error frame with an optional one-byte application error code."""
    if code is None:
        return _frame(FrameType.ERROR)
    if not 0 <= code <= 0xFF:
        raise ValueError(f"error code must fit one byte, got {code}")
    return _frame(FrameType.ERROR, bytes([code]))


def split_audio(pcm: bytes | bytearray | memoryview, frame_bytes: int = FRAME_BYTES) -> list[bytes]:
    """Cut PCM16 into frame payloads of ``frame_bytes`` (the last may be shorter)."""
    if frame_bytes <= 0 or frame_bytes % 2:
        raise ValueError(f"frame_bytes must be a positive even number, got {frame_bytes}")
    if len(pcm) % 2:
        raise ValueError(f"PCM16 audio has an odd byte count ({len(pcm)})")
    data = bytes(pcm)
    return [data[i : i + frame_bytes] for i in range(0, len(data), frame_bytes)]
