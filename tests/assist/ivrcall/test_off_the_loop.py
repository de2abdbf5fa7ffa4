"""The IVR's per-frame analysis (the anger core hearing the caller's audio,
the keypad-tone detector looking for keys in it) runs in the recognition
pool's threads, never on the event loop that plays the prompts and serves
every other call; the call behaves as before (the keys found in the audio
still route the caller)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from assist.anger import AngerCore
from ivr import events as ev
from ivr.dtmf.detector import DtmfDetector, DtmfDigit
from ivr.telephony.clients import AudioSocketCaller

from .harness import Screen, keypresses, running_ivr, silence


def test_the_anger_core_and_the_keypad_hear_ivr_audio_off_the_event_loop(
    random_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard_in: list[int] = []
    keys_in: list[int] = []
    keys: list[DtmfDigit] = []
    frames: list[ev.ProsodyFrame] = []
    plain = AngerCore.feed_audio
    plain_keys = DtmfDetector.feed

    def feed_keys(self: DtmfDetector, pcm: bytes) -> list[DtmfDigit]:
        keys_in.append(threading.get_ident())
        found = plain_keys(self, pcm)
        keys.extend(found)
        return found

    def feed_audio(self: AngerCore, chunk: ev.AudioChunk) -> list[ev.Event]:
        heard_in.append(threading.get_ident())
        out = plain(self, chunk)
        frames.extend(e for e in out if isinstance(e, ev.ProsodyFrame))
        return out

    monkeypatch.setattr(AngerCore, "feed_audio", feed_audio)
    monkeypatch.setattr(DtmfDetector, "feed", feed_keys)

    async def scenario() -> tuple[int, ev.IvrAction]:
        loop_thread = threading.get_ident()
        async with running_ivr(random_model, tmp_path / "prompts") as servers:
            async with Screen(servers.hub_port, "a1") as screen:
                port = servers.audiosocket_ports[0]
                caller = await AudioSocketCaller("127.0.0.1", port).connect()
                await caller.send_audio(keypresses("11") + silence(1.0))
                sending = asyncio.create_task(caller.send_audio(silence(4.0)))
                handoff = await screen.wait_for_handoff(15)
                sending.cancel()
                await caller.hangup()
                return loop_thread, handoff

    loop_thread, handoff = asyncio.run(scenario())
    assert heard_in, "the anger core heard nothing"
    assert loop_thread not in heard_in
    assert keys_in, "the keypad detector heard nothing"
    assert loop_thread not in keys_in
    assert [k.digit for k in keys] == ["1", "1"]  # found in the audio, in the worker
    assert handoff.detail["path"].startswith("main > internet")
    assert len(frames) >= 20  # the caller's seconds of audio were analysed (one per 0.1 s)
