"""Prompts to the machine's speaker (PyAudio), for trying a menu by voice.

Writes happen on a thread of their own, so a blocking sound card never holds
up the event loop; frames queue up in order and are played as the card takes
them.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

from ivr.sources.mic import MicrophoneError, _open_portaudio


class NoOutputDeviceError(MicrophoneError):
    """There is no sound output to play prompts on."""


class Speaker:
    def __init__(self, rate_hz: int) -> None:
        self.rate_hz = rate_hz
        self._pa: Any = _open_portaudio()
        try:
            self._pa.get_default_output_device_info()
            self._stream = self._pa.open(
                format=self._pa.get_format_from_width(2), channels=1, rate=rate_hz, output=True
            )
        except Exception as exc:  # PortAudio reports a missing device in several ways
            self._pa.terminate()
            raise NoOutputDeviceError(
                f"no sound output device to play prompts on ({exc}); "
                "use --local CALLER.wav --record OUT.wav instead"
            ) from None
        self._frames: queue.Queue[bytes | None] = queue.Queue()
        self._thread = threading.Thread(target=self._play, name="speaker", daemon=True)
        self._thread.start()

    def __call__(self, pcm: bytes) -> None:
        self._frames.put(pcm)

    def _play(self) -> None:
        while (frame := self._frames.get()) is not None:
            self._stream.write(frame)

    def close(self) -> None:
        self._frames.put(None)
        self._thread.join(5)
        self._stream.close()
        self._pa.terminate()
