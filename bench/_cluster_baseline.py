"""The baselines ``bench.cluster`` sets a node against, measured in the bench's
own process on the very audio the callers send (8 kHz, 0.2 s pieces).

- **bare vosk**: ``vosk.KaldiRecognizer`` alone (it resamples to the
  model's rate itself), words on, each piece's result parsed as JSON;
- **anger core**: :class:`~assist.anger.AngerCore` alone, fed the same
  audio as 20 ms chunks (what the node's feed gives it).

Each is measured twice: *hot* (one call after another as fast as the CPU
goes) and *paced* (K calls at real-time pace, vosk in a pool of two threads
as in ``serve``). On a machine shared with other work the paced figure is
the fair one: between two 0.2 s pieces other processes run and evict the
model from the caches, so the same decoding costs more CPU than in a hot
loop. Only the cores' own calls are timed (``time.thread_time`` around
each), never the pacing.

How much the paced figure is inflated depends on what else the machine is
doing at that moment (1.5-2.5x the hot one here, from one minute to the
next), so ``bench.cluster`` measures it in a process of its own
(``python -m bench._cluster_baseline K STEP_S``) *while* the node serves
its first K callers: both see the same machine.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import vosk

from assist.anger import AngerCore
from assist.shipped_models import shipped_model
from bench._cluster_load import PIECE_S, RATE_HZ
from ivr import events as ev
from ivr.audio.frames import Framer

vosk.SetLogLevel(-1)


@dataclass
class Cost:
    """CPU seconds spent in a core over the audio seconds it was fed."""

    cpu_s: float = 0.0
    audio_s: float = 0.0

    @property
    def per_audio_s(self) -> float:
        return self.cpu_s / self.audio_s if self.audio_s else float("nan")


def _model() -> vosk.Model:
    model_dir = shipped_model("en")
    if model_dir is None:
        raise SystemExit("bench: the shipped English model is missing or stale")
    return vosk.Model(str(model_dir))


def _recognizer(model: vosk.Model) -> vosk.KaldiRecognizer:
    rec = vosk.KaldiRecognizer(model, RATE_HZ)
    rec.SetWords(True)
    return rec


def _decode(rec: vosk.KaldiRecognizer, piece: bytes) -> float:
    """One piece through vosk; the CPU time it took this thread."""
    start = time.thread_time()
    if rec.AcceptWaveform(piece):
        json.loads(rec.Result())
    else:
        json.loads(rec.PartialResult())
    return time.thread_time() - start


class _AngerFeed:
    """One call's anger core fed 20 ms chunks, timed."""

    def __init__(self, call_id: str) -> None:
        self.core = AngerCore(call_id, "en")
        self.framer = Framer(call_id, ev.ChannelRole.CUSTOMER, RATE_HZ)

    def feed(self, piece: bytes) -> float:
        start = time.thread_time()
        for chunk in self.framer.push(piece):
            self.core.feed_audio(chunk)
        return time.thread_time() - start


def _pieces(pcm: bytes, duration_s: float) -> list[bytes]:
    """The pieces a caller of ``bench._cluster_load.stream_call`` sends."""
    size = int(PIECE_S * RATE_HZ) * 2
    offsets = ((i * size) % max(size, len(pcm) - size) for i in range(int(duration_s / PIECE_S)))
    return [pcm[offset : offset + size] for offset in offsets]


def hot(pcms: list[bytes], audio_s: float = 30.0) -> tuple[Cost, Cost]:
    """(bare vosk, anger core) over ``audio_s`` of calls one after another."""
    model = _model()
    AngerCore("warm-up", "en")  # the lexicon's first load is start-up, not per call
    vosk_cost, anger_cost = Cost(), Cost()
    n = 0
    while vosk_cost.audio_s < audio_s:
        pcm = pcms[n % len(pcms)]
        rec, anger = _recognizer(model), _AngerFeed(f"hot-{n}")
        for piece in _pieces(pcm, len(pcm) / (2 * RATE_HZ)):
            vosk_cost.cpu_s += _decode(rec, piece)
            anger_cost.cpu_s += anger.feed(piece)
            vosk_cost.audio_s += PIECE_S
            anger_cost.audio_s += PIECE_S
        n += 1
    return vosk_cost, anger_cost


async def paced(
    pcms: list[bytes], k: int, step_s: float, ready: Callable[[], object] | None = None
) -> tuple[Cost, Cost]:
    """(bare vosk, anger core) for K calls at real-time pace for ``step_s``,
    started as ``bench.cluster.load_step`` starts its callers (``ready`` is
    called once the model is loaded, right before)."""
    model = _model()
    AngerCore("warm-up", "en")
    if ready is not None:
        ready()
    vosk_cost, anger_cost = Cost(), Cost()
    loop = asyncio.get_running_loop()

    async def call(i: int, executor: ThreadPoolExecutor) -> None:
        await asyncio.sleep(0.2 * i / k)
        rec = await loop.run_in_executor(executor, _recognizer, model)
        anger = _AngerFeed(f"paced-{i}")
        start = time.monotonic()
        for n, piece in enumerate(_pieces(pcms[i % len(pcms)], step_s)):
            await asyncio.sleep(max(0.0, start + n * PIECE_S - time.monotonic()))
            vosk_cost.cpu_s += await loop.run_in_executor(executor, _decode, rec, piece)
            anger_cost.cpu_s += anger.feed(piece)
            vosk_cost.audio_s += PIECE_S
            anger_cost.audio_s += PIECE_S

    with ThreadPoolExecutor(max_workers=2) as executor:
        await asyncio.gather(*(call(i, executor) for i in range(k)))
    return vosk_cost, anger_cost


def main(argv: list[str]) -> None:
    """``K STEP_S``: "ready" once the model is loaded, then the paced
    baselines as ``vosk_cpu_s vosk_audio_s anger_cpu_s anger_audio_s``."""
    from bench.cluster import CALLS, _customer_pcm

    k, step_s = int(argv[0]), float(argv[1])
    pcms = [_customer_pcm(c) for c in CALLS]
    costs = asyncio.run(paced(pcms, k, step_s, ready=lambda: print("ready", flush=True)))
    print(*(x for cost in costs for x in (cost.cpu_s, cost.audio_s)), flush=True)


class PacedProcess:
    """:func:`paced` in a process of its own, so it can run alongside a
    node's load step (``await started()``, the step, ``await costs()``)."""

    def __init__(self, k: int, step_s: float) -> None:
        self.args = (str(k), str(step_s))
        self.proc: asyncio.subprocess.Process | None = None

    async def started(self) -> None:
        """Start it; return once its calls are about to begin."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench._cluster_baseline", *self.args,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self.proc.stdout is not None
        if (await self.proc.stdout.readline()).strip() != b"ready":
            raise SystemExit("bench: the paced baseline did not start")

    async def costs(self) -> tuple[Cost, Cost]:
        """(bare vosk, anger core), once its calls are over."""
        assert self.proc is not None
        out, _ = await self.proc.communicate()
        if self.proc.returncode != 0:
            raise SystemExit("bench: the paced baseline failed")
        vosk_cpu, vosk_audio, anger_cpu, anger_audio = map(float, out.split())
        return Cost(vosk_cpu, vosk_audio), Cost(anger_cpu, anger_audio)


if __name__ == "__main__":
    main(sys.argv[1:])
