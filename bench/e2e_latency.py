"""End to end: from the moment the audio holding a trigger word has been fed
(at real-time pace, through the ingest endpoint) to the suggestion it
causes arriving at the agent's client.

For each fixture call an agent client follows the call's seat and an
ingest client streams the customer channel in 100 ms pieces on the audio
clock. For every suggestion whose trigger is a keyword, the keyword's end
time in the transcript tells which audio carried it; its latency is the
suggestion's arrival minus the moment that audio was sent.

    python -m bench.e2e_latency [--calls ru_escalating en_angry ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from websockets.asyncio.client import connect

from assist.engines import load_engine
from assist.hub.bus import EventBus
from assist.hub.ingest import CallRegistry
from assist.hub.server import Hub
from audio_fixtures import ensure_fixtures
from ivr.sources import read_audio

PIECE_S = 0.1
DEFAULT_CALLS = ("ru_escalating", "ru_angry", "en_escalating", "en_angry")
_SPOKEN = re.compile(r"^(?:keyword|phrase) '([^']+)'")


async def _agent(url: str, seat: str, log: list[tuple[float, dict]], done: asyncio.Event) -> None:
    async with connect(f"{url}/ws/agent?seat={seat}") as ws:
        while True:
            message = json.loads(await ws.recv())
            log.append((time.monotonic(), message))
            if message["type"] == "CallEnded":
                done.set()
                return


async def _feed(
    url: str, call_id: str, lang: str, seat: str, path, sent: list[tuple[float, float]]
) -> None:
    samples, rate_hz = read_audio(path)
    pcm = samples[:, 0].astype("<i2").tobytes()
    piece = int(PIECE_S * rate_hz) * 2
    async with connect(f"{url}/ws/ingest?call={call_id}&lang={lang}&seat={seat}") as ws:
        await ws.send(json.dumps({"config": {"sample_rate": rate_hz}}))
        start = time.monotonic()
        for offset in range(0, len(pcm), piece):
            audio_end_s = (offset + piece) / 2 / rate_hz
            await asyncio.sleep(max(0.0, start + audio_end_s - time.monotonic()))  # real-time pace
            await ws.send(pcm[offset : offset + piece])
            sent.append((audio_end_s, time.monotonic()))
            await ws.recv()
        await ws.send('{"eof" : 1}')
        await ws.recv()


def _latencies(
    log: list[tuple[float, dict]], sent: list[tuple[float, float]]
) -> list[tuple[str, float]]:
    """(keyword, seconds) for each keyword-triggered suggestion."""
    word_end_s: dict[str, float] = {}
    last_reasons: list[dict] = []
    out = []
    for received_at, event in log:
        if (
            event["type"] in ("TranscriptPartial", "TranscriptFinal")
            and event["role"] == "customer"
        ):
            for w in event["words"]:  # the latest occurrence is the one that just triggered
                word_end_s[w["word"]] = w["end_s"]
        elif event["type"] == "AngerUpdate":
            last_reasons = event["reasons"]
        elif event["type"] == "Suggestion":
            keywords = [r for r in last_reasons if r["kind"].startswith("keyword")]
            if not keywords:
                continue
            match = _SPOKEN.match(max(keywords, key=lambda r: r["weight"])["text"])
            spoken = match.group(1).split() if match else []
            ends = [word_end_s[w] for w in spoken if w in word_end_s]
            if not ends:
                continue
            fed_at = next(t for audio_s, t in sent if audio_s >= max(ends))
            out.append((" ".join(spoken), received_at - fed_at))
    return out


def _reason_latencies(
    log: list[tuple[float, dict]], sent: list[tuple[float, float]]
) -> list[tuple[str, float]]:
    """(keyword, seconds) for each keyword reason as it first appears on the
    agent's anger meter: recognition, the anger core and the push, without
    the advisor's pacing of cards (cooldowns, at most two on screen)."""
    word_end_s: dict[str, float] = {}
    shown: set[str] = set()
    out = []
    for received_at, event in log:
        if (
            event["type"] in ("TranscriptPartial", "TranscriptFinal")
            and event["role"] == "customer"
        ):
            for w in event["words"]:
                word_end_s[w["word"]] = w["end_s"]
        elif event["type"] == "AngerUpdate":
            now = {r["text"] for r in event["reasons"] if r["kind"].startswith("keyword")}
            for text in now - shown:
                match = _SPOKEN.match(text)
                spoken = match.group(1).split() if match else []
                ends = [word_end_s[w] for w in spoken if w in word_end_s]
                if ends:
                    fed_at = next(t for audio_s, t in sent if audio_s >= max(ends))
                    out.append((" ".join(spoken), received_at - fed_at))
            shown = now
    return out


def _print_percentiles(what: str, seconds: list[float]) -> None:
    if len(seconds) < 2:
        print(f"only {len(seconds)} {what} seen: not enough for percentiles")
        return
    p50_ms = statistics.median(seconds) * 1000
    p95_ms = statistics.quantiles(seconds, n=20)[18] * 1000
    print(f"{what}: {len(seconds)}; p50 {p50_ms:.0f} ms, p95 {p95_ms:.0f} ms")


async def _run(calls: tuple[str, ...]) -> None:
    fixture_dir = ensure_fixtures()
    languages = sorted({c.split("_")[0] for c in calls})
    engines = {lang: load_engine(lang) for lang in languages}
    bus = EventBus()
    with ThreadPoolExecutor(max_workers=2) as executor:
        registry = CallRegistry(lambda lang: engines[lang], bus.publish, executor)
        hub = Hub(bus, registry=registry)
        await hub.start("127.0.0.1", 0)
        url = f"ws://127.0.0.1:{hub.port}"
        results: dict[str, list[tuple[str, float]]] = {}
        reasons: dict[str, list[tuple[str, float]]] = {}
        for call in calls:  # one call at a time: latency, not load
            log: list[tuple[float, dict]] = []
            sent: list[tuple[float, float]] = []
            done = asyncio.Event()
            seat = f"seat-{call}"
            agent = asyncio.create_task(_agent(url, seat, log, done))
            await asyncio.sleep(0.2)
            path = fixture_dir / f"{call}.16k.wav"
            await _feed(url, call, call.split("_")[0], seat, path, sent)
            await asyncio.wait_for(done.wait(), 30)
            await agent
            results[call] = _latencies(log, sent)
            reasons[call] = _reason_latencies(log, sent)
        await hub.stop()
    for title, table in (("suggestion card", results), ("keyword on the anger meter", reasons)):
        print(f"\n{'call':<16} {'keyword':<24} {title}")
        for call, rows in table.items():
            for word, seconds in rows:
                print(f"{call:<16} {word:<24} {seconds * 1000:7.0f} ms")
    _print_percentiles("keyword-triggered suggestions", [s for r in results.values() for _, s in r])
    _print_percentiles("keyword reasons on the meter", [s for r in reasons.values() for _, s in r])
    print("(target: p95 under 1000 ms; cards are paced by the advisor's cooldowns on purpose)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.e2e_latency")
    parser.add_argument("--calls", nargs="+", default=list(DEFAULT_CALLS))
    args = parser.parse_args(argv if argv is not None else [])
    asyncio.run(_run(tuple(args.calls)))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
