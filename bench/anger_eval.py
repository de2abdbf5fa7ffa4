"""Anger core over the fixture calls: when does it flag, against the labels?

For every fixture call and audio variant (16 kHz customer only, 8 kHz stereo
telephone band, 8 kHz loudness-normalised) the core gets the audio in 20 ms
chunks and the recognition results a streaming recogniser would give, built
from the labelled turn texts: word times spread over each customer turn by
word length, a partial result every 0.5 s with the words spoken so far, the
final result when the turn ends (all confidences 1.0).

Printed per call: first tense and first angry time against the labelled anger
onset, peak score, and whether the quality bars hold: escalating and angry
calls reach "angry" not while the customer still speaks calmly and within 3 s
of the onset or by the end of the first angry turn
(:func:`audio_fixtures.angry_window_s`), calm calls never leave "calm". Two
diagnostic runs follow, not part of the bars: audio only (prosody alone) and
transcripts only (keywords alone).

Run: python -m bench.anger_eval
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from assist.anger import AngerCore
from audio_fixtures import angry_window_s, call_ids, ensure_fixtures, load_labels
from ivr.events import (
    AngerLevel,
    AngerUpdate,
    ChannelRole,
    TranscriptFinal,
    TranscriptPartial,
    Word,
)
from ivr.sources.wav import WavSource

VARIANTS = ("16k", "8k.stereo", "8k.agc")
PARTIAL_EVERY_S = 0.5


def transcript_events(labels: dict) -> list[TranscriptPartial | TranscriptFinal]:
    """What a streaming recogniser would send for the customer turns."""
    call_id = labels["call_id"]
    events: list[TranscriptPartial | TranscriptFinal] = []
    for turn in labels["turns"]:
        if turn["role"] != "customer":
            continue
        texts = turn["text"].split()
        start, end = float(turn["start_s"]), float(turn["end_s"])
        total = sum(len(w) + 1 for w in texts)
        words: list[Word] = []
        t = start
        for w in texts:
            d = (end - start) * (len(w) + 1) / total
            words.append(Word(w, round(t, 3), round(t + d, 3), 1.0))
            t += d
        at = start + PARTIAL_EVERY_S
        while at < end:
            said = tuple(x for x in words if x.end_s <= at)
            if said:
                events.append(
                    TranscriptPartial(
                        call_id,
                        ChannelRole.CUSTOMER,
                        " ".join(x.word for x in said),
                        said,
                        round(at, 3),
                    )
                )
            at += PARTIAL_EVERY_S
        events.append(
            TranscriptFinal(
                call_id, ChannelRole.CUSTOMER, turn["text"], tuple(words), round(end, 3)
            )
        )
    return events


@dataclass
class Run:
    updates: list[AngerUpdate]
    audio_s: float
    cpu_s: float

    def first(self, level: AngerLevel) -> float | None:
        order = [AngerLevel.CALM, AngerLevel.TENSE, AngerLevel.ANGRY]
        for u in self.updates:
            if order.index(u.level) >= order.index(level):
                return u.at_s
        return None

    @property
    def peak(self) -> AngerUpdate | None:
        return max(self.updates, key=lambda u: u.score, default=None)


def run_call(path: Path, labels: dict, *, audio: bool = True, words: bool = True) -> Run:
    core = AngerCore(labels["call_id"], labels["language"])
    pending = transcript_events(labels) if words else []
    updates: list[AngerUpdate] = []
    source = WavSource(path, call_id=labels["call_id"])
    started = time.process_time()
    audio_s = 0.0
    for chunk in source:
        while pending and pending[0].at_s <= chunk.start_s:
            updates += [
                e for e in core.feed_transcript(pending.pop(0)) if isinstance(e, AngerUpdate)
            ]
        if audio:
            updates += [e for e in core.feed_audio(chunk) if isinstance(e, AngerUpdate)]
        if chunk.role is ChannelRole.CUSTOMER:
            audio_s = chunk.end_s
    for event in pending:
        updates += [e for e in core.feed_transcript(event) if isinstance(e, AngerUpdate)]
    updates += [e for e in core.flush() if isinstance(e, AngerUpdate)]
    return Run(updates, audio_s, time.process_time() - started)


def _fmt(t: float | None) -> str:
    return "   -  " if t is None else f"{t:6.2f}"


def _verdict(labels: dict, onset: float | None, run: Run) -> tuple[bool, str]:
    kind = labels["kind"]
    angry, tense = run.first(AngerLevel.ANGRY), run.first(AngerLevel.TENSE)
    if kind == "calm":
        ok = tense is None
        return ok, "stays calm" if ok else f"left calm at {tense:.2f} s"
    assert onset is not None
    if angry is None:
        return False, "never angry"
    earliest_s, latest_s = angry_window_s(labels)
    ok = earliest_s <= angry <= latest_s
    return ok, f"angry {angry - onset:+.2f} s from onset"


def _table(
    title: str, directory: Path, *, audio: bool, words: bool, bars: bool
) -> tuple[int, int, float, float]:
    print(f"\n{title}")
    print(f"{'call':15} {'variant':10} {'onset':>6} {'tense':>6} {'angry':>6} {'peak':>5}  verdict")
    passed = total = 0
    audio_s = cpu_s = 0.0
    for call_id in call_ids():
        labels = load_labels(call_id, directory)
        onset = labels.get("anger_onset_s")
        for variant in VARIANTS:
            run = run_call(directory / f"{call_id}.{variant}.wav", labels, audio=audio, words=words)
            audio_s += run.audio_s
            cpu_s += run.cpu_s
            ok, text = _verdict(labels, onset, run)
            peak = run.peak
            total += 1
            passed += ok
            mark = ("PASS" if ok else "FAIL") if bars else ("ok  " if ok else "miss")
            print(
                f"{call_id:15} {variant:10} {_fmt(onset)} {_fmt(run.first(AngerLevel.TENSE))} "
                f"{_fmt(run.first(AngerLevel.ANGRY))} {peak.score if peak else 0:5.2f}  "
                f"{mark} {text}"
            )
    return passed, total, audio_s, cpu_s


def main() -> None:
    directory = ensure_fixtures()
    passed, total, audio_s, cpu_s = _table(
        "Audio + recognised words (quality bars)", directory, audio=True, words=True, bars=True
    )
    print(f"\nquality bars: {passed}/{total} call variants pass")
    print(
        f"core speed: {audio_s:.0f} s of calls in {cpu_s:.2f} s CPU = "
        f"{audio_s / max(cpu_s, 1e-9):.0f}x real time (whole core, per call)"
    )
    p, t, _, _ = _table(
        "Diagnostic: audio only (prosody alone)", directory, audio=True, words=False, bars=False
    )
    print(f"prosody alone: {p}/{t}")
    p, t, _, _ = _table(
        "Diagnostic: words only (keywords alone)", directory, audio=False, words=True, bars=False
    )
    print(f"keywords alone: {p}/{t}")


if __name__ == "__main__":
    main()
