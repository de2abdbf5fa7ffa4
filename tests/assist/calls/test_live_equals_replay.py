"""A recording replays exactly as it ran live: the same fixture call streamed
to ``serve`` (vosk-protocol ingest, 0.2 s messages) and replayed from its
file store the same event types with the same numbering and the same words
and anger, through the same feed loop and the same outbound chain."""

import asyncio
import json
import shutil
import wave

from websockets.asyncio.client import connect

from assist.cli import main
from assist.serve import ServeOptions, running_hub
from assist.shipped_models import shipped_model_dir
from assist.store import SqliteStore
from audio_fixtures import ensure_fixtures
from ivr import events as ev

MESSAGE_S = 0.2  # the feed loop's batch: the ingest client sends the same


def _comparable(event: ev.Event) -> tuple:
    """What must match between the live and the replayed call (not the call
    id, the source label or who took the call)."""
    match event:
        case ev.CallStarted():
            return ("CallStarted", event.seq, event.language)
        case ev.CallEnded():
            return ("CallEnded", event.seq, round(event.at_s, 2))
        case ev.TranscriptPartial() | ev.TranscriptFinal():
            return (type(event).__name__, event.seq, event.role, event.text, round(event.at_s, 2))
        case ev.AngerUpdate():
            reasons = tuple((r.kind, r.words) for r in event.reasons)
            return ("AngerUpdate", event.seq, round(event.score, 3), event.level, reasons)
        case ev.Suggestion():
            return ("Suggestion", event.seq, event.text, round(event.at_s, 2))
    return (type(event).__name__, event.seq, round(getattr(event, "at_s", 0.0), 2))


async def _stream(port: int, call_id: str, pcm: bytes, rate_hz: int) -> None:
    url = f"ws://127.0.0.1:{port}/ws/ingest?call={call_id}&lang=en&seat=s1"
    step = int(MESSAGE_S * rate_hz) * 2
    async with connect(url) as ws:
        await ws.send(json.dumps({"config": {"sample_rate": rate_hz}}))
        for start in range(0, len(pcm), step):
            await ws.send(pcm[start : start + step])
            await ws.recv()
        await ws.send(json.dumps({"eof": 1}))
        await ws.recv()


def test_a_replayed_recording_stores_what_the_same_audio_stored_live(tmp_path):
    source = ensure_fixtures() / "en_escalating.8k.agc.wav"  # customer only, 8 kHz
    with wave.open(str(source)) as w:
        rate_hz, pcm = w.getframerate(), w.readframes(w.getnframes())
    model = shipped_model_dir("en")
    store_path = tmp_path / "calls.sqlite"

    async def live() -> None:
        options = ServeOptions(
            port=0,
            languages=("en",),
            model=model,
            store_path=store_path,
            log_events=False,
        )
        async with running_hub(options) as running:
            await _stream(running.hub.port, "live-call", pcm, rate_hz)
            for _ in range(100):  # the call ends when its leg has gone
                summary = running.chain.calls.get("live-call")
                if summary is not None and not summary.live:
                    break
                await asyncio.sleep(0.05)

    asyncio.run(live())
    recording = tmp_path / "replayed.wav"
    shutil.copy(source, recording)
    args = ["replay", str(recording), "--store", str(store_path), "--lang", "en"]
    code = main([*args, "--model", str(model)])
    assert code == 0
    with SqliteStore(store_path) as store:
        live_events = store.events_after("live-call")
        replayed = store.events_after("replayed")
    assert any(isinstance(e, ev.TranscriptFinal) for e in live_events)
    assert any(
        isinstance(e, ev.AngerUpdate) and e.level is not ev.AngerLevel.CALM for e in live_events
    )
    assert not any(isinstance(e, ev.ProsodyFrame) for e in live_events + replayed)
    assert [_comparable(e) for e in replayed] == [_comparable(e) for e in live_events]
