"""How many times faster than real time the audio layer runs on one core.

Pipeline, as a telephone stream delivers it: 60 s of 8 kHz G.711 mu-law in
20 ms pieces (160 bytes) -> decode -> streaming resample 8 -> 16 kHz -> 20 ms
AudioChunks. Baseline in the same process: the same audio decoded whole,
resampled whole with scipy.signal.resample_poly, and framed.

The "per core" figure divides audio time by the CPU time of this process
(all threads), so it does not flatter a multi-threaded library; wall-clock
figures are printed next to it. Run: ``python -m bench.audio_layer``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy.signal import resample_poly

from ivr.audio.frames import Framer
from ivr.audio.g711 import mulaw_decode, mulaw_encode
from ivr.audio.resample import Resampler
from ivr.events import ChannelRole

IN_RATE_HZ = 8000
OUT_RATE_HZ = 16000
DURATION_S = 60.0
PIECE_BYTES = 160  # 20 ms of 8 kHz mu-law
REPEATS = 7
TARGET_X = 500.0


def telephone_audio(duration_s: float = DURATION_S, seed: int = 7) -> bytes:
    """Speech-like mu-law: voiced harmonics with a wandering pitch, syllable-rate
    loudness, pauses and line noise (deterministic)."""
    rng = np.random.default_rng(seed)
    n = round(duration_s * IN_RATE_HZ)
    t = np.arange(n) / IN_RATE_HZ
    f0_hz = 140 + 40 * np.sin(2 * np.pi * 0.3 * t) + 15 * np.sin(2 * np.pi * 2.1 * t)
    phase = 2 * np.pi * np.cumsum(f0_hz) / IN_RATE_HZ
    voiced = sum(np.sin(k * phase) / k for k in range(1, 20) if k * 180 < 3400)
    envelope = np.clip(np.sin(2 * np.pi * 4.0 * t), 0, None) * (np.sin(2 * np.pi * 0.2 * t) > -0.5)
    signal = 6000 * voiced * envelope + rng.normal(0, 60, n)
    pcm = np.clip(signal, -32768, 32767).astype(np.int16)
    return mulaw_encode(pcm).tobytes()


def streaming_pipeline(codes: bytes) -> int:
    """Decode, resample and frame 20 ms piece by piece; returns the number of chunks."""
    resampler = Resampler(IN_RATE_HZ, OUT_RATE_HZ)
    framer = Framer("bench", ChannelRole.CUSTOMER, OUT_RATE_HZ)
    n_chunks = 0
    view = memoryview(codes)
    for start in range(0, len(codes), PIECE_BYTES):
        piece = mulaw_decode(view[start : start + PIECE_BYTES])
        n_chunks += len(framer.push(resampler.process(piece)))
    n_chunks += len(framer.push(resampler.flush()))
    n_chunks += len(framer.flush())
    return n_chunks


def decode_only(codes: bytes) -> int:
    view = memoryview(codes)
    for start in range(0, len(codes), PIECE_BYTES):
        mulaw_decode(view[start : start + PIECE_BYTES])
    return 0


def decode_and_resample(codes: bytes) -> int:
    resampler = Resampler(IN_RATE_HZ, OUT_RATE_HZ)
    view = memoryview(codes)
    for start in range(0, len(codes), PIECE_BYTES):
        resampler.process(mulaw_decode(view[start : start + PIECE_BYTES]))
    resampler.flush()
    return 0


def scipy_whole_signal(codes: bytes) -> int:
    """Baseline: decode everything, resample_poly on the whole signal, frame it."""
    samples = mulaw_decode(codes).astype(np.float64)
    resampled = resample_poly(samples, OUT_RATE_HZ // IN_RATE_HZ, 1)
    pcm = np.clip(np.rint(resampled), -32768, 32767).astype(np.int16)
    framer = Framer("bench", ChannelRole.CUSTOMER, OUT_RATE_HZ)
    return len(framer.push(pcm)) + len(framer.flush())


def measure(run: Callable[[bytes], int], codes: bytes) -> tuple[float, float, int]:
    """(best CPU seconds, best wall seconds, result) over REPEATS runs."""
    cpu, wall = [], []
    result = 0
    run(codes)  # warm-up: filter design, table building, caches
    for _ in range(REPEATS):
        c0, w0 = time.process_time(), time.perf_counter()
        result = run(codes)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return min(cpu), min(wall), result


def main() -> None:
    codes = telephone_audio()
    audio_s = len(codes) / IN_RATE_HZ
    n_pieces = -(-len(codes) // PIECE_BYTES)
    print(
        f"audio layer benchmark: {audio_s:.0f} s of {IN_RATE_HZ} Hz mu-law in "
        f"{n_pieces} pieces of {PIECE_BYTES} bytes -> {OUT_RATE_HZ} Hz 20 ms chunks"
    )
    resampler = Resampler(IN_RATE_HZ, OUT_RATE_HZ)
    print(
        f"resampler: {resampler.taps} taps per output sample, "
        f"look-ahead {1000 * resampler.delay_samples / IN_RATE_HZ:.2f} ms"
    )
    rows = [
        ("decode only (streaming)", decode_only),
        ("decode + resample (streaming)", decode_and_resample),
        ("decode + resample + frame (streaming)", streaming_pipeline),
        ("baseline: scipy resample_poly, whole signal", scipy_whole_signal),
    ]
    results: dict[str, tuple[float, float, int]] = {}
    print(f"{'stage':45s} {'x real time/core':>17s} {'x real time wall':>17s} {'us/piece':>9s}")
    for name, run in rows:
        cpu_s, wall_s, result = measure(run, codes)
        results[name] = (cpu_s, wall_s, result)
        print(
            f"{name:45s} {audio_s / cpu_s:17.0f} {audio_s / wall_s:17.0f} "
            f"{1e6 * cpu_s / n_pieces:9.1f}"
        )
    full_cpu, _, n_chunks = results["decode + resample + frame (streaming)"]
    _, _, baseline_chunks = results["baseline: scipy resample_poly, whole signal"]
    if n_chunks != baseline_chunks:
        print(f"WARNING: chunk counts differ: streaming {n_chunks}, baseline {baseline_chunks}")
    figure = audio_s / full_cpu
    verdict = "meets" if figure >= TARGET_X else "MISSES"
    print(
        f"audio layer: {figure:.0f}x real time per core ({n_chunks} chunks); "
        f"{verdict} the {TARGET_X:.0f}x target"
    )


if __name__ == "__main__":
    main()
