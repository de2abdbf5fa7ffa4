"""Live microphone audio through PyAudio (PortAudio).

Opening the microphone on a machine without one (a server, a container)
raises :class:`NoInputDeviceError` with what was found and what to do,
instead of a PortAudio stack trace. The diagnostics PortAudio, ALSA and JACK
print straight to the process's stderr while probing are silenced.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import os
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from ivr.audio.frames import FRAME_MS, Framer, frame_samples
from ivr.events import AudioChunk, ChannelRole

__all__ = [
    "InputDevice",
    "MicSource",
    "MicrophoneError",
    "NoInputDeviceError",
    "list_input_devices",
]

_ADVICE = (
    "Connect a microphone (or check that this user may open the sound devices, "
    "e.g. membership of the 'audio' group), or use a recorded file or a network "
    "stream as the audio source instead."
)


class MicrophoneError(RuntimeError):
    """The microphone cannot be used (PyAudio missing, device failed to open...)."""


class NoInputDeviceError(MicrophoneError):
    """No audio input device is available on this machine (or none matched)."""


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    default_rate_hz: int


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the duration (C libraries write there
    directly, so redirecting ``sys.stderr`` is not enough)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
        finally:
            os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


_ALSA_HANDLER: Any = None


def _silence_alsa() -> None:
    """Install a no-op ALSA error handler so later device probing stays quiet too."""
    global _ALSA_HANDLER
    if _ALSA_HANDLER is not None:
        return
    name = ctypes.util.find_library("asound")
    if name is None:
        return
    try:
        asound = ctypes.CDLL(name)
        handler_type = ctypes.CFUNCTYPE(
            None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
        )
        handler = handler_type(lambda *_args: None)
        asound.snd_lib_error_set_handler(handler)
    except (OSError, AttributeError):
        return
    _ALSA_HANDLER = handler  # keep the callback alive as long as ALSA may call it


def _import_pyaudio() -> Any:
    try:
        import pyaudio
    except ImportError as exc:
        raise MicrophoneError(
            "microphone input needs PyAudio, which is not installed "
            f"({exc}); install the project's 'mic' extra (and the PortAudio library)"
        ) from None
    return pyaudio


def _open_portaudio() -> Any:
    pyaudio = _import_pyaudio()
    _silence_alsa()
    with _quiet_stderr():
        try:
            return pyaudio.PyAudio()
        except Exception as exc:  # PortAudio initialisation errors come in several types
            raise MicrophoneError(f"PortAudio could not start: {exc}. {_ADVICE}") from None


def _input_devices(pa: Any) -> tuple[list[InputDevice], int, list[str]]:
    """(input devices, number of devices of any kind, host API names)."""
    apis = []
    with _quiet_stderr():
        for i in range(pa.get_host_api_count()):
            apis.append(str(pa.get_host_api_info_by_index(i).get("name", f"API {i}")))
        count = pa.get_device_count()
        devices = []
        for i in range(count):
            info = pa.get_device_info_by_index(i)
            if int(info.get("maxInputChannels", 0)) <= 0:
                continue
            api_index = int(info.get("hostApi", -1))
            devices.append(
                InputDevice(
                    index=i,
                    name=str(info.get("name", f"device {i}")),
                    host_api=apis[api_index] if 0 <= api_index < len(apis) else "?",
                    max_input_channels=int(info["maxInputChannels"]),
                    default_rate_hz=int(float(info.get("defaultSampleRate", 0))),
                )
            )
    return devices, count, apis


def list_input_devices() -> list[InputDevice]:
    """Input devices PortAudio can see (empty on a machine without a sound card)."""
    pa = _open_portaudio()
    try:
        return _input_devices(pa)[0]
    finally:
        with _quiet_stderr():
            pa.terminate()


def _no_device_message(count: int, apis: list[str]) -> str:
    seen = ", ".join(apis) if apis else "none"
    return (
        f"no audio input device found: PortAudio sees {count} device(s) and none can "
        f"record (audio systems checked: {seen}). {_ADVICE}"
    )


class MicSource:
    """One channel of microphone audio as 20 ms :class:`AudioChunk` s.

    :meth:`open` checks the device (raising :class:`NoInputDeviceError` if
    there is none); ``async for chunk in source`` opens if needed, records
    until :meth:`close`, and stamps chunks from the sample count. PortAudio
    delivers audio on its own thread; the chunks are handed to the event loop
    through a bounded queue (on overflow the oldest audio is dropped and
    counted in :attr:`dropped_chunks`; audio time still counts it).
    """

    def __init__(
        self,
        *,
        call_id: str = "mic",
        role: ChannelRole = ChannelRole.CUSTOMER,
        rate_hz: int = 16000,
        device_index: int | None = None,
        frame_ms: int = FRAME_MS,
        max_queued_chunks: int = 500,
    ) -> None:
        self.call_id = call_id
        self.role = ChannelRole(role)
        self.rate_hz = rate_hz
        self.device_index = device_index
        self.frame_ms = frame_ms
        self._frame_samples = frame_samples(rate_hz, frame_ms)
        self._max_queued = max_queued_chunks
        self._pa: Any = None
        self._stream: Any = None
        self._device: InputDevice | None = None
        self._queue: asyncio.Queue[AudioChunk | None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._framer = Framer(call_id, self.role, rate_hz, frame_ms=frame_ms)
        self.dropped_chunks = 0
        self._closed = False

    @property
    def device(self) -> InputDevice | None:
        """The device in use once opened."""
        return self._device

    def open(self) -> InputDevice:
        """Find the input device; raise :class:`NoInputDeviceError` if there is none."""
        if self._device is not None:
            return self._device
        pa = _open_portaudio()
        try:
            devices, count, apis = _input_devices(pa)
            if not devices:
                raise NoInputDeviceError(_no_device_message(count, apis))
            if self.device_index is None:
                device = self._default_device(pa, devices)
            else:
                matches = [d for d in devices if d.index == self.device_index]
                if not matches:
                    listed = "; ".join(f"{d.index}: {d.name}" for d in devices)
                    raise NoInputDeviceError(
                        f"input device {self.device_index} does not exist or cannot record; "
                        f"input devices: {listed}"
                    )
                device = matches[0]
        except BaseException:
            with _quiet_stderr():
                pa.terminate()
            raise
        self._pa = pa
        self._device = device
        return device

    @staticmethod
    def _default_device(pa: Any, devices: list[InputDevice]) -> InputDevice:
        with _quiet_stderr():
            try:
                index = int(pa.get_default_input_device_info()["index"])
            except (OSError, KeyError, ValueError):
                return devices[0]
        return next((d for d in devices if d.index == index), devices[0])

    def _start(self) -> None:
        device = self.open()
        pyaudio = _import_pyaudio()
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()

        def on_audio(data: bytes, _frames: int, _time: Any, _status: int) -> tuple[None, int]:
            # PortAudio thread: hand the bytes to the loop; framing happens there.
            assert self._loop is not None
            self._loop.call_soon_threadsafe(self._on_audio, data)
            return None, pyaudio.paContinue

        with _quiet_stderr():
            try:
                self._stream = self._pa.open(
                    format=pyaudio.paInt16,
                    channels=1,
                    rate=self.rate_hz,
                    input=True,
                    input_device_index=device.index,
                    frames_per_buffer=self._frame_samples,
                    stream_callback=on_audio,
                )
            except Exception as exc:  # PortAudio reports failures as OSError or ValueError
                raise MicrophoneError(
                    f"cannot record from input device {device.index} ({device.name}) at "
                    f"{self.rate_hz} Hz: {exc}"
                ) from None

    def _on_audio(self, data: bytes) -> None:
        queue = self._queue
        if queue is None or self._closed:
            return
        for chunk in self._framer.push(data):
            if queue.qsize() >= self._max_queued:
                queue.get_nowait()
                self.dropped_chunks += 1
            queue.put_nowait(chunk)

    async def __aiter__(self) -> AsyncIterator[AudioChunk]:
        if self._closed:
            raise MicrophoneError("this microphone source was closed; create a new one")
        if self._stream is None:
            self._start()
        assert self._queue is not None
        while True:
            chunk = await self._queue.get()
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        """Stop recording and release PortAudio; a running ``async for`` ends."""
        with _quiet_stderr():
            if self._stream is not None:
                with contextlib.suppress(Exception):
                    self._stream.stop_stream()
                    self._stream.close()
            if self._pa is not None:
                self._pa.terminate()
        self._stream = None
        self._pa = None
        self._device = None
        if self._queue is not None and not self._closed:
            self._queue.put_nowait(None)
        self._closed = True

    def __enter__(self) -> MicSource:
        self.open()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
