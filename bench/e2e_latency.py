"""End to end: from the moment the audio holding a trigger word has been fed
(at real-time pace, through the ingest endpoint) to the suggestion it
causes arriving at the agent's client.

For each fixture call an agent client follows the call's seat and an
ingest client streams the customer channel in 100 ms pieces on the audio
clock. For the card a keyword raised while the advisor would answer at once
(the customer not calm, a trigger's first card, no card just shown, no
other keyword waiting: otherwise it waits on purpose), and every keyword
reason as it first shows on the anger meter, the keyword's end time in the
final transcript tells which audio carried it; its latency is the arrival
minus the moment that audio was sent.

    python -m bench.e2e_latency [--calls ru_escalating en_angry ...] [--model ru=DIR ...]
                                [--as-open-vocabulary]

A keyword counts on the meter as far as the recogniser is trusted: the
project's own small models (a closed vocabulary) earn it word by word, so a
keyword in the caller's very first words waits for its final result; a
published model with a large vocabulary is trusted from the first partial.
``--as-open-vocabulary`` runs the given model trusted as such a model would
be: its reaction time, with this model's recognition timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from websockets.asyncio.client import connect

from assist.advisor import load_advisor_settings
from assist.anger.lexicon import normalize_word, tokenize
from assist.calls.runner import CallRunner
from assist.chain.chain import EventChain
from assist.chain.redaction import redactors
from assist.engines import load_engine
from assist.hub.server import Hub
from assist.redact import load_redaction_config
from audio_fixtures import ensure_fixtures
from ivr.sources import read_audio

PIECE_S = 0.1
DEFAULT_CALLS = ("ru_escalating", "ru_angry", "en_escalating", "en_angry")
# "keyword 'x' (label) x2" in English, "слово «x» (label) x2" in Russian
_REASON = re.compile(r"^\S+ ['«]([^'»]+)['»] \([^)]*\)(?: x(\d+))?$")
_EARLY_S = 1.0  # a recogniser may guess a word before its end, not seconds before
_PACED_S = 5.0  # a card this recent paces the next (advisor.toml: min_gap_s, min_visible_s)
OPEN_VOCABULARY_WORDS = 200_000  # a published large model's vocabulary, roughly


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


def _final_tokens(log: list[tuple[float, dict]]) -> list[tuple[str, float]]:
    """The customer's words in final results, as lexicon tokens with their
    end times: where each keyword really ended (partial results may carry no
    word times, or early guesses)."""
    return [
        (normalize_word(token), float(w["end_s"]))
        for _, event in log
        if event["type"] == "TranscriptFinal" and event["role"] == "customer"
        for w in event["words"]
        for token in tokenize(w["word"])
    ]


def _spoken_end_s(
    tokens: list[tuple[str, float]], reason: str, at_s: float
) -> tuple[str, float] | None:
    """The words of a keyword reason and when they ended (``"keyword 'x'
    (label) x2"``: the second occurrence), or None if the final results do
    not have them by the reason's audio time (a partial hit taken back)."""
    match = _REASON.match(reason)
    if match is None:
        return None
    spoken, occurrence = match.group(1).split(), int(match.group(2) or 1)
    seen = 0
    for i in range(len(tokens) - len(spoken) + 1):
        if [t for t, _ in tokens[i : i + len(spoken)]] == spoken:
            seen += 1
            if seen == occurrence:
                end_s = tokens[i + len(spoken) - 1][1]
                return (match.group(1), end_s) if end_s <= at_s + _EARLY_S else None
    return None


def _fed_at(sent: list[tuple[float, float]], audio_s: float) -> float:
    """When the piece holding audio time ``audio_s`` was sent."""
    return next((t for end_s, t in sent if end_s >= audio_s), sent[-1][1])


def _latencies(
    log: list[tuple[float, dict]], sent: list[tuple[float, float]]
) -> tuple[list[tuple[str, float]], int]:
    """(keyword, seconds) from a keyword's audio to the card of its trigger,
    for keywords heard while the advisor would answer at once: the meter
    not calm (or rising), the trigger without a card yet in the call, no card
    in the last :data:`_PACED_S`, no other keyword waiting for one, and no
    behaviour cue fresh on screen unless the trigger is answered first (a
    demand). Otherwise the card waits on purpose (a calm customer gets none;
    gaps, cards kept readable, a shouting customer's cue left to work,
    demands answered first), which is not a reaction time. Also: how many
    keywords were words the final results took back."""
    settings = load_advisor_settings()
    triggers, choice = settings.triggers, settings.choice
    tokens = _final_tokens(log)
    carded: set[str] = set()  # triggers that had a card
    waiting: dict[str, tuple[str, float]] = {}  # trigger -> (keyword, its audio end)
    shown: set[str] = set()
    last_card_at = last_cue_at = float("-inf")
    out, unconfirmed = [], 0
    for received_at, event in log:
        if event["type"] == "AngerUpdate":
            for r in event["reasons"]:
                if not r["kind"].startswith("keyword") or r["text"] in shown:
                    continue
                shown.add(r["text"])
                trigger = triggers.get(r["kind"].removeprefix("keyword:"))
                heated = event["level"] != "calm" or event["trend"] == "rising"
                cue_fresh = received_at - last_cue_at < choice.stale_s
                free = (
                    heated
                    and not waiting
                    and received_at - last_card_at >= _PACED_S
                    and (not cue_fresh or trigger in choice.answer_first)
                )
                if trigger is None or trigger in carded or not free:
                    continue
                spoken = _spoken_end_s(tokens, r["text"], event["at_s"])
                if spoken is None:
                    unconfirmed += 1
                else:
                    waiting[trigger] = spoken
        elif event["type"] == "Suggestion":
            carded.add(event["trigger"])
            last_card_at = received_at
            if event["kind"] == "cue":
                last_cue_at = received_at
            if event["trigger"] in waiting:
                word, end_s = waiting.pop(event["trigger"])
                out.append((word, received_at - _fed_at(sent, end_s)))
    return out, unconfirmed


def _reason_latencies(
    log: list[tuple[float, dict]], sent: list[tuple[float, float]]
) -> tuple[list[tuple[str, float]], int]:
    """(keyword, seconds) for each keyword reason as it first appears on the
    agent's anger meter: recognition, the anger core and the push, without
    the advisor's pacing of cards (cooldowns, at most two on screen). A
    reason that leaves the meter and comes back is not timed again, nor is
    one whose words the final results took back (their number: second value).
    Negative: the recogniser guessed the word before its end was sent."""
    tokens = _final_tokens(log)
    shown: set[str] = set()
    out, unconfirmed = [], 0
    for received_at, event in log:
        if event["type"] != "AngerUpdate":
            continue
        now = {r["text"] for r in event["reasons"] if r["kind"].startswith("keyword")}
        for text in sorted(now - shown):
            spoken = _spoken_end_s(tokens, text, event["at_s"])
            if spoken is None:
                unconfirmed += 1
                continue
            out.append((spoken[0], received_at - _fed_at(sent, spoken[1])))
        shown |= now
    return out, unconfirmed


def _print_percentiles(what: str, seconds: list[float]) -> None:
    if len(seconds) < 2:
        print(f"only {len(seconds)} {what} seen: not enough for percentiles")
        return
    p50_ms = statistics.median(seconds) * 1000
    p95_ms = statistics.quantiles(seconds, n=20, method="inclusive")[18] * 1000
    print(f"{what}: {len(seconds)}; p50 {p50_ms:.0f} ms, p95 {p95_ms:.0f} ms")


async def _run(calls: tuple[str, ...], models: dict[str, Path], as_open: bool) -> None:
    fixture_dir = ensure_fixtures()
    languages = sorted({c.split("_")[0] for c in calls})
    engines = {lang: load_engine(lang, models.get(lang)) for lang in languages}
    for lang, engine in engines.items():
        words = engine.vocabulary_words
        if as_open:
            engine.vocabulary_words = OPEN_VOCABULARY_WORDS
        print(
            f"{lang}: model of {words} words"
            + (", trusted as an open vocabulary would be" if as_open else "")
        )
    bus = EventChain(redactor_for=redactors(load_redaction_config(None)))  # as serve runs it
    with ThreadPoolExecutor(max_workers=2) as executor:
        registry = CallRunner(lambda lang: engines[lang], bus.publish, executor)
        hub = Hub(bus, registry=registry)
        await hub.start("127.0.0.1", 0)
        url = f"ws://127.0.0.1:{hub.port}"
        results: dict[str, list[tuple[str, float]]] = {}
        reasons: dict[str, list[tuple[str, float]]] = {}
        unconfirmed = {"suggestions": 0, "meter reasons": 0}
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
            results[call], taken_back = _latencies(log, sent)
            unconfirmed["suggestions"] += taken_back
            reasons[call], taken_back = _reason_latencies(log, sent)
            unconfirmed["meter reasons"] += taken_back
        await hub.stop()
    for title, table in (("suggestion card", results), ("keyword on the anger meter", reasons)):
        print(f"\n{'call':<16} {'keyword':<24} {title}")
        for call, rows in table.items():
            for word, seconds in rows:
                print(f"{call:<16} {word:<24} {seconds * 1000:7.0f} ms")
    _print_percentiles(
        "cards for keywords the advisor answers at once",
        [s for r in results.values() for _, s in r],
    )
    _print_percentiles("keyword reasons on the meter", [s for r in reasons.values() for _, s in r])
    print(
        "not counted, the final results took the words back: "
        + ", ".join(f"{n} {what}" for what, n in unconfirmed.items())
    )
    print("(target: p95 under 1000 ms; cards the advisor paces on purpose are not timed)")


def _model_option(text: str) -> tuple[str, Path]:
    lang, sep, path = text.partition("=")
    if not sep or not lang or not path:
        raise argparse.ArgumentTypeError(f"expected LANG=DIR, got {text!r}")
    return lang, Path(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.e2e_latency")
    parser.add_argument("--calls", nargs="+", default=list(DEFAULT_CALLS))
    parser.add_argument(
        "--model",
        action="append",
        type=_model_option,
        default=[],
        metavar="LANG=DIR",
        help="the vosk model for a language (repeatable); default: found or built as usual",
    )
    parser.add_argument(
        "--as-open-vocabulary",
        action="store_true",
        help="trust the model's words as a large-vocabulary model's would be",
    )
    args = parser.parse_args(argv if argv is not None else [])
    asyncio.run(_run(tuple(args.calls), dict(args.model), args.as_open_vocabulary))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
