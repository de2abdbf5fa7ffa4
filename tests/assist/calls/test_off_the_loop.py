"""A live call's pipeline works in the recognition pool's thread, never on
the event loop: the audio's analysis, and what the recogniser's results
become (keywords, the anger meter, the advisor). The loop only publishes
the events, in the order the pipeline made them."""

import asyncio
import threading
import wave
from concurrent.futures import ThreadPoolExecutor

import pytest

from assist.calls.feed import CallFeed
from assist.pipeline import CallPipeline
from assist.shipped_models import shipped_model_dir
from audio_fixtures import ensure_fixtures
from ivr import events as ev
from ivr.asr.vosk_engine import VoskEngine


def test_results_and_audio_are_heard_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    with wave.open(str(ensure_fixtures() / "en_angry.8k.agc.wav")) as w:
        rate_hz, pcm = w.getframerate(), w.readframes(w.getnframes())
    engine = VoskEngine(shipped_model_dir("en"), "en")
    threads: dict[str, set[int]] = {"on_audio": set(), "on_asr": set()}
    for name in threads:
        plain = getattr(CallPipeline, name)

        def spy(self, *args, _plain=plain, _name=name):  # type: ignore[no-untyped-def]
            threads[_name].add(threading.get_ident())
            return _plain(self, *args)

        monkeypatch.setattr(CallPipeline, name, spy)
    published: list[ev.Event] = []

    async def call() -> int:
        with ThreadPoolExecutor(1) as pool:
            feed = CallFeed(CallPipeline.create("c1", "en"), engine, published.append, pool)
            channel = feed.channel(ev.ChannelRole.CUSTOMER, rate_hz)
            step = int(0.2 * rate_hz) * 2
            for start in range(0, len(pcm), step):
                channel.feed_pcm(pcm[start : start + step])
                await asyncio.sleep(0)
            await feed.end()
        return threading.get_ident()

    loop_thread = asyncio.run(call())
    assert threads["on_audio"] and threads["on_asr"]
    assert loop_thread not in threads["on_audio"] | threads["on_asr"]
    finals = [e for e in published if isinstance(e, ev.TranscriptFinal)]
    assert finals and any(isinstance(e, ev.AngerUpdate) for e in published)
    assert isinstance(published[0], ev.CallStarted) and isinstance(published[-1], ev.CallEnded)
    times_s = [e.at_s for e in finals]
    assert times_s == sorted(times_s)
