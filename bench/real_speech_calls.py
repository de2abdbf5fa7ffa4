"""``replay --engine whisper`` on minutes-long calls made of real recorded
speech: x real time per jobs x threads setting, and, in the same process, what
the decoder's own settings do to it.

The calls are stereo 8 kHz phone-band recordings assembled from the Asterisk
prompts (:mod:`bench.real_speech_corpus`), the customer (left) and the agent
(right) taking turns. Two measurements, repeated in alternation for
``rounds`` so a burst of other work on a shared machine hits every setting
alike (the median is printed, with the load average around it):

- the product path: ``replay --engine whisper``'s runner and worker processes
  (:func:`assist.replay.runner.replay_all`) at each jobs x threads setting;
- the decoder alone on the same calls (both channels of each call, as replay
  transcribes them): the current settings against the earlier repetition
  limit (2.4), one thread, and the two channels decoded at once by two
  threads of one model (faster-whisper's ``num_workers=2``, 1 thread each).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from bench.real_speech_corpus import Prompt, phone_band
from ivr.sources import read_audio, write_wav

REPLAY_TARGET_X = 3.0

Call = tuple[Path, float]  # stereo recording, its duration in seconds


def assemble_calls(
    items: Sequence[Prompt], n_calls: int, call_s: float, folder: Path
) -> list[Call]:
    """Stereo 8 kHz calls: prompts in turn on the customer (left) and agent
    (right) channels, 0.5 s apart, each call about ``call_s`` long."""
    rate_hz = 8000
    gap = np.zeros(rate_hz // 2, dtype=np.int16)
    pool = [phone_band(read_audio(p.wav_path)[0][:, 0]) for p in items]
    calls = []
    at = 0
    for n in range(n_calls):
        left: list[np.ndarray] = []
        right: list[np.ndarray] = []
        length = 0
        turn = 0
        while length < call_s * rate_hz:
            clip = pool[at % len(pool)]
            at += 1
            silent = np.zeros_like(clip)
            left += [clip if turn == 0 else silent, gap]
            right += [silent if turn == 0 else clip, gap]
            length += clip.size + gap.size
            turn ^= 1
        stereo = np.stack([np.concatenate(left), np.concatenate(right)], axis=1)
        path = folder / f"call{n + 1:02d}.wav"
        write_wav(path, stereo, rate_hz)
        calls.append((path, stereo.shape[0] / rate_hz))
    return calls


def replay_speed(lang: str, calls: list[Call], jobs: int, threads: int, model_dir: Path) -> float:
    """Wall seconds for ``replay --engine whisper`` over ``calls``; raises if a call failed."""
    from assist.replay.inputs import discover
    from assist.replay.runner import replay_all
    from assist.replay.worker import ReplaySettings

    inputs = discover([str(p) for p, _ in calls])
    settings = ReplaySettings(
        language=lang, model_dir=model_dir, engine="whisper", whisper_threads=threads
    )
    started = time.perf_counter()
    results = replay_all(inputs, settings, jobs=jobs)
    wall_s = time.perf_counter() - started
    failed = [r for r in results if not r.ok]
    if failed:
        raise RuntimeError(f"{len(failed)} call(s) failed in replay: {failed[0].problem}")
    return wall_s


def _decoder(
    model_dir: Path, lang: str, *, threads: int, parallel: bool = False, **settings: object
) -> Callable[[list[Call]], float]:
    """A function timing the decoder alone over both channels of each call."""
    from ivr.asr.whisper_engine import WhisperEngine

    engine = WhisperEngine(
        model_dir, lang, cpu_threads=threads, num_workers=2 if parallel else 1, **settings
    )

    def run(calls: list[Call]) -> float:
        audio = [read_audio(path) for path, _ in calls]
        started = time.perf_counter()
        for samples, rate_hz in audio:
            pieces = [np.ascontiguousarray(samples[:, c]) for c in range(samples.shape[1])]
            if parallel:
                with ThreadPoolExecutor(len(pieces)) as pool:
                    list(pool.map(engine.transcribe, pieces, [rate_hz] * len(pieces)))
            else:
                for piece in pieces:
                    engine.transcribe(piece, rate_hz)
        return time.perf_counter() - started

    return run


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (5 min {five:.1f})"


def measure_calls(
    lang: str,
    calls: list[Call],
    model_dir: Path,
    settings: Sequence[tuple[int, int]],
    *,
    rounds: int = 2,
    decoder_variants: bool = True,
) -> None:
    """Print the replay and decoder speeds (see the module notes)."""
    audio_s = sum(d for _, d in calls)
    print(
        f"replay --engine whisper {lang}: {len(calls)} stereo 8 kHz calls, "
        f"{audio_s / 60:.1f} min of audio; {os.cpu_count()} cores, {_load()}",
        flush=True,
    )
    timings: dict[str, list[float]] = {}
    runners: dict[str, Callable[[], float]] = {
        f"replay --jobs {jobs}, {threads} thread(s) each": (
            lambda jobs=jobs, threads=threads: replay_speed(lang, calls, jobs, threads, model_dir)
        )
        for jobs, threads in settings
    }
    if decoder_variants:
        variants = {
            "decoder, 2 threads (current settings)": _decoder(model_dir, lang, threads=2),
            "decoder, 2 threads, earlier repetition limit 2.4": _decoder(
                model_dir, lang, threads=2, repetition_limit=2.4
            ),
            "decoder, 1 thread": _decoder(model_dir, lang, threads=1),
            "decoder, 2 channels at once (num_workers 2, 1 thread each)": _decoder(
                model_dir, lang, threads=1, parallel=True
            ),
        }
        for label, run in variants.items():
            runners[label] = lambda run=run: run(calls)
    for _ in range(rounds):
        for label, run in runners.items():
            timings.setdefault(label, []).append(run())
    baseline: float | None = None
    for label, walls in timings.items():
        x = audio_s / statistics.median(walls)
        if label.startswith("decoder") and baseline is None:
            baseline = x
        versus = f", {x / baseline:.2f} of the first decoder row" if baseline else ""
        verdict = ""
        if label.startswith("replay"):
            verdict = f"; target >= {REPLAY_TARGET_X:.0f}x: " + (
                "met" if x >= REPLAY_TARGET_X else "NOT met"
            )
        spread = ", ".join(f"{audio_s / w:.1f}" for w in walls)
        print(f"  {label}: {x:.1f}x real time (rounds {spread}){versus}{verdict}", flush=True)
    print(f"  after: {_load()}")
