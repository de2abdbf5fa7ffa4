"""PCM16 framing: stereo split, 20 ms chunking with exact audio time, int16 <-> float.

All PCM here is signed 16-bit little-endian. Audio time comes from sample
counts only. Pure computation: no I/O.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from ivr.events import AudioChunk, ChannelRole

__all__ = [
    "FRAME_MS",
    "CustomerChannel",
    "Framer",
    "FramingError",
    "StereoSplitter",
    "channel_roles",
    "float32_to_pcm16",
    "frame_samples",
    "pcm16_to_float32",
    "split_stereo",
    "split_stereo_samples",
]

FRAME_MS = 20

CustomerChannel = Literal["left", "right"]

_PCM16 = np.dtype("<i2")


class FramingError(ValueError):
    """PCM data that cannot be framed as asked (odd byte count, partial stereo frame...)."""


def _check_customer_channel(customer_channel: str) -> None:
    if customer_channel not in ("left", "right"):
        raise ValueError(f"customer_channel must be 'left' or 'right', got {customer_channel!r}")


def channel_roles(
    channels: int, customer_channel: CustomerChannel = "left"
) -> tuple[ChannelRole, ...]:
    """Role of each channel in file order: mono is the customer; in stereo the
    ``customer_channel`` side is the customer and the other side the agent."""
    _check_customer_channel(customer_channel)
    if channels == 1:
        return (ChannelRole.CUSTOMER,)
    if channels == 2:
        if customer_channel == "left":
            return (ChannelRole.CUSTOMER, ChannelRole.AGENT)
        return (ChannelRole.AGENT, ChannelRole.CUSTOMER)
    raise ValueError(f"only mono or stereo audio has channel roles, got {channels} channels")


def frame_samples(rate_hz: int, frame_ms: int = FRAME_MS) -> int:
    """Samples in one frame; the frame must hold a whole number of samples."""
    if rate_hz <= 0 or frame_ms <= 0:
        raise ValueError(f"rate_hz and frame_ms must be positive, got {rate_hz} and {frame_ms}")
    if (rate_hz * frame_ms) % 1000:
        raise ValueError(
            f"a {frame_ms} ms frame at {rate_hz} Hz is not a whole number of samples; "
            "resample to 8000, 16000, 22050, 44100 or 48000 Hz"
        )
    return rate_hz * frame_ms // 1000


def split_stereo_samples(
    samples: np.ndarray, customer_channel: CustomerChannel = "left"
) -> tuple[np.ndarray, np.ndarray]:
    """(n, 2) or interleaved 1-D int16 samples -> (customer, agent) contiguous arrays."""
    _check_customer_channel(customer_channel)
    if samples.ndim == 1:
        if samples.size % 2:
            raise FramingError(f"interleaved stereo needs an even sample count, got {samples.size}")
        samples = samples.reshape(-1, 2)
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise FramingError(f"expected stereo samples of shape (n, 2), got {samples.shape}")
    left = np.ascontiguousarray(samples[:, 0])
    right = np.ascontiguousarray(samples[:, 1])
    return (left, right) if customer_channel == "left" else (right, left)


def split_stereo(pcm: bytes, customer_channel: CustomerChannel = "left") -> tuple[bytes, bytes]:
    """Interleaved stereo PCM16 bytes -> (customer, agent) mono PCM16 bytes.

    The input must hold whole stereo frames (4 bytes each); use
    :class:`StereoSplitter` for a stream cut at arbitrary byte positions.
    """
    if len(pcm) % 4:
        raise FramingError(
            f"stereo PCM16 must be a whole number of 4-byte frames, got {len(pcm)} bytes"
        )
    customer, agent = split_stereo_samples(np.frombuffer(pcm, dtype=_PCM16), customer_channel)
    return customer.astype(_PCM16, copy=False).tobytes(), agent.astype(_PCM16, copy=False).tobytes()


class StereoSplitter:
    """Streaming :func:`split_stereo`: keeps a partial stereo frame between pieces."""

    def __init__(self, customer_channel: CustomerChannel = "left") -> None:
        _check_customer_channel(customer_channel)
        self.customer_channel: CustomerChannel = customer_channel
        self._pending = b""

    @property
    def pending_bytes(self) -> int:
        return len(self._pending)

    def push(self, pcm: bytes | bytearray | memoryview) -> tuple[bytes, bytes]:
        data = self._pending + bytes(pcm)
        whole = len(data) - len(data) % 4
        self._pending = data[whole:]
        return split_stereo(data[:whole], self.customer_channel)


class Framer:
    """Cuts one channel's PCM16 byte stream into fixed frames (20 ms by default).

    Pieces may have any size, including odd byte counts: a sample split across
    two pieces is joined. Each emitted :class:`AudioChunk` carries
    ``start_sample`` counted from the channel start (plus ``start_sample`` given
    here), so its audio time is exact.
    """

    def __init__(
        self,
        call_id: str,
        role: ChannelRole,
        rate_hz: int,
        *,
        frame_ms: int = FRAME_MS,
        start_sample: int = 0,
    ) -> None:
        self.call_id = call_id
        self.role = ChannelRole(role)
        self.rate_hz = rate_hz
        self.frame_ms = frame_ms
        self.frame_samples = frame_samples(rate_hz, frame_ms)
        self._frame_bytes = 2 * self.frame_samples
        self._buf = bytearray()
        self._next_sample = start_sample

    @property
    def next_sample(self) -> int:
        """``start_sample`` of the next chunk to be emitted."""
        return self._next_sample

    @property
    def pending_bytes(self) -> int:
        """Bytes received but not yet emitted (less than one frame)."""
        return len(self._buf)

    def frames_ready_after(self, n_bytes: int) -> int:
        """How many chunks :meth:`push` would emit for ``n_bytes`` more bytes."""
        return (len(self._buf) + n_bytes) // self._frame_bytes

    def push(self, pcm: bytes | bytearray | memoryview | np.ndarray) -> list[AudioChunk]:
        """Add bytes (or int16 samples); return the whole frames now complete."""
        if isinstance(pcm, np.ndarray):
            pcm = pcm.astype(_PCM16, copy=False).tobytes()
        buf = self._buf
        buf += pcm
        frame_bytes = self._frame_bytes
        n_frames = len(buf) // frame_bytes
        if not n_frames:
            return []
        chunks = []
        call_id, role, rate_hz = self.call_id, self.role, self.rate_hz
        sample = self._next_sample
        step = self.frame_samples
        for k in range(n_frames):
            chunks.append(
                AudioChunk(
                    call_id,
                    role,
                    rate_hz,
                    bytes(buf[k * frame_bytes : (k + 1) * frame_bytes]),
                    sample,
                )
            )
            sample += step
        del buf[: n_frames * frame_bytes]
        self._next_sample = sample
        return chunks

    def push_run(self, pcm: bytes | bytearray | memoryview) -> list[AudioChunk]:
        """Like :meth:`push`, but the whole frames now complete come as one
        chunk (their bytes and start joined), for a consumer that would join
        them anyway: one object instead of one per frame."""
        buf = self._buf
        buf += pcm
        whole = len(buf) // self._frame_bytes * self._frame_bytes
        if not whole:
            return []
        pcm16 = bytes(buf[:whole])
        chunk = AudioChunk(self.call_id, self.role, self.rate_hz, pcm16, self._next_sample)
        del buf[:whole]
        self._next_sample += whole // 2
        return [chunk]

    def flush(self, *, drop_odd_byte: bool = False) -> list[AudioChunk]:
        """Emit the remaining samples (shorter than a frame) as a last chunk.

        A stream that ends in the middle of a sample is malformed: by default
        that raises :class:`FramingError` and changes nothing (push the missing
        byte, or call again with ``drop_odd_byte=True``).
        """
        if len(self._buf) % 2:
            if not drop_odd_byte:
                raise FramingError(
                    f"call {self.call_id} ({self.role}): the PCM16 stream ended in the "
                    "middle of a sample (1 stray byte)"
                )
            del self._buf[-1:]
        if not self._buf:
            return []
        chunk = AudioChunk(
            self.call_id, self.role, self.rate_hz, bytes(self._buf), self._next_sample
        )
        self._next_sample += len(self._buf) // 2
        self._buf.clear()
        return [chunk]


def pcm16_to_float32(pcm: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """PCM16 (bytes or int16 array) -> float32 in [-1, 1) (divides by 32768)."""
    if isinstance(pcm, np.ndarray):
        samples = pcm.astype(np.int16, copy=False)
    else:
        if len(pcm) % 2:
            raise FramingError(f"PCM16 data has an odd byte count ({len(pcm)})")
        samples = np.frombuffer(pcm, dtype=_PCM16)
    return samples.astype(np.float32) * np.float32(1 / 32768)


def float32_to_pcm16(samples: np.ndarray) -> np.ndarray:
    """float samples in [-1, 1] -> int16 (rounded, saturated); exact inverse of
    :func:`pcm16_to_float32` on its outputs."""
    scaled = np.asarray(samples, dtype=np.float32) * np.float32(32768)
    np.rint(scaled, out=scaled)
    np.clip(scaled, -32768, 32767, out=scaled)
    return scaled.astype(np.int16)
