"""A running IVR (hub + AudioSocket + media websockets on 127.0.0.1) and
scripted callers that press keys inside their audio."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
from websockets.asyncio.client import connect

from assist.ivrcall.command import IvrOptions, IvrServers, Listener, run_ivr
from assist.serve import ServeOptions
from ivr import events as ev
from ivr import wire
from ivr.dtmf.tones import dtmf_tone
from ivr.menu.loader import example_menu_path

RATE_HZ = 8000


@contextlib.asynccontextmanager
async def running_ivr(
    model: Path, prompt_cache: Path, seats: tuple[str, ...] = ("a1",)
) -> AsyncIterator[IvrServers]:
    stop = asyncio.Event()
    ready: asyncio.Future[IvrServers] = asyncio.get_running_loop().create_future()
    options = IvrOptions(
        menu_path=example_menu_path(),
        hub=ServeOptions(port=0, model=model, log_events=False, use_store=False),
        audiosocket=(Listener("127.0.0.1", 0, "ru"), Listener("127.0.0.1", 0, "en")),
        media_ws=Listener("127.0.0.1", 0),
        seats=seats,
        prompt_cache=prompt_cache,
    )
    task = asyncio.create_task(run_ivr(options, stop, ready.set_result))
    done, _ = await asyncio.wait({task, ready}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises what went wrong
    servers = ready.result()
    try:
        yield servers
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * RATE_HZ) * 2)


def key(digit: str, level_dbm0: float = -12.0) -> bytes:
    """A key press inside the audio: 100 ms of the digit's two tones."""
    return dtmf_tone(digit, RATE_HZ, duration_s=0.1, level_dbm0=level_dbm0).astype("<i2").tobytes()


def keypresses(digits: str, gap_s: float = 0.8) -> bytes:
    """Some silence, then each key with a pause after it."""
    out = silence(0.6)
    for digit in digits:
        out += key(digit) + silence(gap_s)
    return out


def louder(pcm: bytes, gain_db: float) -> bytes:
    audio = np.frombuffer(pcm, dtype="<i2").astype(np.float64) * 10 ** (gain_db / 20)
    return np.clip(audio, -32768, 32767).astype("<i2").tobytes()


class Screen:
    """An agent seat's screen stream (the same socket the agent page uses)."""

    def __init__(self, hub_port: int, seat: str) -> None:
        self.url = f"ws://127.0.0.1:{hub_port}/ws/agent?seat={seat}"
        self.events: list[ev.Event] = []
        self._task: asyncio.Task[None] | None = None
        self._ws = None

    async def __aenter__(self) -> Screen:
        self._ws = await connect(self.url)
        self._task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None and self._ws is not None
        self._task.cancel()
        await self._ws.close()

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            self.events.append(wire.decode(message))

    def handoff(self) -> ev.IvrAction | None:
        return next(
            (e for e in self.events if isinstance(e, ev.IvrAction) and e.action == "handoff"),
            None,
        )

    async def wait_for_handoff(self, timeout_s: float) -> ev.IvrAction:
        async def poll() -> ev.IvrAction:
            while (found := self.handoff()) is None:
                await asyncio.sleep(0.05)
            return found

        return await asyncio.wait_for(poll(), timeout_s)


def spoken(path: Path, text: str, voice: str, espeak_args: list[str], gain_db: float) -> bytes:
    """espeak-ng speech through the 8 kHz telephone band, as PCM16 bytes."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, *espeak_args, "-w", str(raw), text], check=True)
    telephone_band = ["sinc", "300-3400", "gain", "-l", str(gain_db)]
    subprocess.run(
        ["sox", "-V1", str(raw), "-r", "8000", "-b", "16", "-c", "1", str(path), *telephone_band],
        check=True,
    )
    with wave.open(str(path)) as w:
        return w.readframes(w.getnframes())
