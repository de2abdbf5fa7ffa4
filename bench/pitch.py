"""Pitch tracker accuracy and prosody speed.

1. Gross pitch error (estimate more than 20 % off the truth) of the anger
   core's own F0 tracker on signals with known F0:
   - synthetic voiced signals: harmonic tones and glides 80-400 Hz (harmonics
     with 1/k amplitudes and random phases) in white noise at 20, 10 and 5 dB SNR,
     at 16 kHz, 8 kHz, and 8 kHz telephone band (300-3400 Hz, no fundamental
     for low voices);
   - espeak-ng speech with the pitch set: a voice variant ``pitch P P`` makes
     espeak-ng speak on one flat pitch of P - 9 Hz (``voices.c`` sets the base
     to ``pitch1 - 9`` and the range to ``pitch2 - pitch1``), Russian and
     English, at the same three versions.
   Each tracker's GPE is counted over the frames it calls voiced (for
   synthetic signals every frame is voiced, so the voiced share is recall).
2. The same for a reference tracker installed only for this benchmark:
   Praat's autocorrelation method through ``praat-parselmouth`` (imported
   lazily; skipped with a note if missing).
3. Speed: tracker and whole prosody path (resampling, F0, spectrum, syllable
   nuclei, 100 ms prosody frames) and the whole anger core, as x real time on
   one core, at 8 and 16 kHz.

Run: python -m bench.pitch
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assist.anger import AngerCore
from assist.anger.pitch import PitchTracker
from assist.anger.prosody import ChannelAnalyzer
from ivr.audio.resample import resample
from ivr.events import AudioChunk, ChannelRole

F0_MIN_HZ, F0_MAX_HZ = 60.0, 500.0
GPE_LIMIT = 0.2
RNG_SEED = 20240601

Tracker = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]  # -> (times_s, f0_hz with nan)


@dataclass
class Score:
    frames: int = 0  # frames with a truth
    voiced: int = 0  # ... of which the tracker called voiced
    gross: int = 0  # ... of which more than 20 % off

    def add(self, truth: np.ndarray, estimate: np.ndarray) -> None:
        has_truth = ~np.isnan(truth)
        voiced = has_truth & ~np.isnan(estimate)
        self.frames += int(has_truth.sum())
        self.voiced += int(voiced.sum())
        self.gross += int((np.abs(estimate[voiced] / truth[voiced] - 1.0) > GPE_LIMIT).sum())

    @property
    def gpe(self) -> float:
        return self.gross / self.voiced if self.voiced else float("nan")

    @property
    def voiced_share(self) -> float:
        return self.voiced / self.frames if self.frames else float("nan")


# ---------------------------------------------------------------- trackers


def ours(samples: np.ndarray, rate_hz: int) -> tuple[np.ndarray, np.ndarray]:
    times, frames = PitchTracker(rate_hz).track(samples)
    return times, frames.f0_hz


def praat() -> Tracker | None:
    try:
        import parselmouth  # type: ignore[import-not-found]  # benchmark-only reference
    except ImportError:
        return None

    def track(samples: np.ndarray, rate_hz: int) -> tuple[np.ndarray, np.ndarray]:
        sound = parselmouth.Sound(samples.astype(np.float64) / 32768.0, sampling_frequency=rate_hz)
        pitch = sound.to_pitch_ac(time_step=0.01, pitch_floor=F0_MIN_HZ, pitch_ceiling=F0_MAX_HZ)
        f0 = pitch.selected_array["frequency"].astype(np.float64)
        f0[f0 <= 0] = np.nan
        return np.asarray(pitch.xs()), f0

    return track


# ---------------------------------------------------------------- signals


def _telephone(samples_8k: np.ndarray) -> np.ndarray:
    """300 Hz high-pass (windowed sinc) on 8 kHz audio; 3.4 kHz comes from the resampler."""
    taps = 201
    n = np.arange(taps) - (taps - 1) / 2
    low = 2 * (300 / 8000) * np.sinc(2 * (300 / 8000) * n) * np.blackman(taps)
    high = -low
    high[(taps - 1) // 2] += 1.0
    return np.convolve(samples_8k, high, mode="same")


def versions(samples_16k: np.ndarray) -> dict[str, tuple[np.ndarray, int]]:
    s8 = resample(samples_16k.astype(np.int16), 16000, 8000).astype(np.float64)
    return {
        "16 kHz": (samples_16k, 16000),
        "8 kHz": (s8, 8000),
        "8 kHz phone": (_telephone(s8), 8000),
    }


def synthetic(
    rng: np.random.Generator,
) -> list[tuple[str, np.ndarray, Callable[[np.ndarray], np.ndarray]]]:
    """(name, 16 kHz samples, truth(times) -> Hz) for tones and glides with noise."""
    rate, dur = 16000, 1.5
    out = []
    cases = [(f, f) for f in (80, 100, 130, 170, 220, 280, 350, 400)]
    cases += [(80, 160), (160, 80), (120, 300), (300, 150), (200, 400), (400, 220)]
    for f_start, f_end in cases:
        for snr_db in (20.0, 10.0, 5.0):
            n = int(rate * dur)
            t = np.arange(n) / rate
            f = f_start * (f_end / f_start) ** (t / dur)
            phase = 2 * np.pi * np.cumsum(f) / rate
            x = np.zeros(n)
            for k in range(1, 60):
                below = k * f < 7600
                if not below.any():
                    break
                x += below * np.sin(k * phase + rng.uniform(0, 2 * np.pi)) / k
            x /= np.sqrt(np.mean(x**2))
            x += rng.normal(size=n) * 10 ** (-snr_db / 20)
            x *= 3000.0

            def truth(times: np.ndarray, a: float = f_start, b: float = f_end) -> np.ndarray:
                inside = (times >= 0.05) & (times <= dur - 0.05)
                return np.where(inside, a * (b / a) ** (np.clip(times, 0, dur) / dur), np.nan)

            kind = "tone" if f_start == f_end else "glide"
            out.append((f"{kind} {f_start}-{f_end} Hz {snr_db:.0f} dB", x, truth))
    return out


def espeak_data_dir() -> Path | None:
    if shutil.which("espeak-ng") is None:
        return None
    info = subprocess.run(
        ["espeak-ng", "--version"], capture_output=True, text=True, check=False
    ).stdout
    if "Data at:" not in info:
        return None
    return Path(info.split("Data at:")[1].strip())


ESPEAK_TEXTS = {
    "ru": "здравствуйте, у меня не работает интернет уже третий день, я звоню снова",
    "en-us": "hello, my internet has not been working for three days and I am calling again",
}
ESPEAK_PITCHES = (90, 120, 160, 220, 300)  # espeak-ng units; the voice sounds at P - 9 Hz


def espeak_speech(workdir: Path) -> list[tuple[str, np.ndarray, float]]:
    """(name, 16 kHz samples, flat F0 in Hz) for each language and set pitch."""
    data = espeak_data_dir()
    if data is None:
        return []
    root = workdir / "espeak"
    shutil.copytree(data, root / "espeak-ng-data")
    out = []
    for pitch in ESPEAK_PITCHES:
        variant = root / "espeak-ng-data" / "voices" / "!v" / f"flat{pitch}"
        variant.write_text(
            f"language variant\nname flat{pitch}\ngender male\npitch {pitch} {pitch}\n"
        )
        for voice, text in ESPEAK_TEXTS.items():
            wav = workdir / f"{voice}_{pitch}.wav"
            subprocess.run(
                ["espeak-ng", f"--path={root}", "-v", f"{voice}+flat{pitch}", "-w", str(wav), text],
                check=True,
                capture_output=True,
            )
            with wave.open(str(wav)) as w:
                rate = w.getframerate()
                x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
            out.append(
                (
                    f"espeak {voice} {pitch - 9} Hz",
                    resample(x, rate, 16000).astype(np.float64),
                    pitch - 9.0,
                )
            )
    return out


# ---------------------------------------------------------------- runs


Speech = list[tuple[str, np.ndarray, float]]


def accuracy(trackers: dict[str, Tracker], speech: Speech) -> None:
    rng = np.random.default_rng(RNG_SEED)
    sets: dict[str, list[tuple[str, np.ndarray, Callable[[np.ndarray], np.ndarray]]]] = {
        "synthetic tones and glides": synthetic(rng)
    }
    if speech:
        sets["espeak-ng speech, set pitch"] = [
            (name, x, lambda times, f=f0: np.full(times.shape, f)) for name, x, f0 in speech
        ]
    else:
        print("(espeak-ng not found: speech part skipped)")
    for title, signals in sets.items():
        print(f"\n{title}: gross pitch error (>20 % off) over the frames each tracker calls voiced")
        print(f"  {'version':13}" + "".join(f"{name:>34}" for name in trackers))
        print(
            f"  {'':13}" + "".join(f"{'GPE %':>14}{'voiced %':>10}{'x RT':>10}" for _ in trackers)
        )
        for version in ("16 kHz", "8 kHz", "8 kHz phone"):
            row = f"  {version:13}"
            for tracker in trackers.values():
                score = Score()
                cpu = audio = 0.0
                for _, x16, truth in signals:
                    x, rate = versions(x16)[version]
                    started = time.process_time()
                    times, f0 = tracker(x, rate)
                    cpu += time.process_time() - started
                    audio += x.size / rate
                    score.add(truth(times), f0)
                row += f"{100 * score.gpe:14.2f}{100 * score.voiced_share:10.1f}{audio / cpu:10.0f}"
            print(row)


def _speech_like(rate_hz: int, seconds: float, speech: Speech) -> np.ndarray:
    """espeak-ng speech repeated (or tones if espeak-ng is missing) for speed runs."""
    if speech:
        x16 = np.concatenate([x for _, x, _ in speech])
    else:
        x16 = np.concatenate([x for _, x, _ in synthetic(np.random.default_rng(1))])
    x = (
        x16
        if rate_hz == 16000
        else resample(x16.astype(np.int16), 16000, rate_hz).astype(np.float64)
    )
    reps = int(np.ceil(seconds * rate_hz / x.size))
    return np.tile(x, reps)[: int(seconds * rate_hz)].astype(np.int16)


def speed(speech: Speech) -> None:
    print("\nspeed on one core (process CPU time; 20 ms chunks)")
    seconds = 60.0
    for rate in (8000, 16000):
        x = _speech_like(rate, seconds, speech)
        step = rate // 50
        started = time.process_time()
        tracker = PitchTracker(rate)
        for i in range(0, x.size, step):
            tracker.process(x[i : i + step])
        tracker.flush()
        f0_x = seconds / (time.process_time() - started)

        started = time.process_time()
        analyzer = ChannelAnalyzer(rate)
        for i in range(0, x.size, step):
            analyzer.feed(x[i : i + step], i)
        prosody_x = seconds / (time.process_time() - started)

        chunks = [
            AudioChunk("bench", role, rate, x[i : i + step].tobytes(), i)
            for i in range(0, x.size, step)
            for role in (ChannelRole.CUSTOMER, ChannelRole.AGENT)
        ]
        started = time.process_time()
        core = AngerCore("bench", "en")
        for chunk in chunks:
            core.feed_audio(chunk)
        core_x = 2 * seconds / (time.process_time() - started)
        print(
            f"  {rate // 1000:2d} kHz: F0 tracker {f0_x:5.0f}x real time, "
            f"prosody path {prosody_x:5.0f}x, "
            f"whole anger core (both channels) {core_x:5.0f}x per channel"
        )


def main() -> None:
    trackers: dict[str, Tracker] = {"ours (YIN-style, numpy)": ours}
    reference = praat()
    if reference is None:
        print(
            "reference tracker: praat-parselmouth is not installed (pip install praat-parselmouth)"
        )
    else:
        import parselmouth  # type: ignore[import-not-found]

        trackers[f"Praat ac (parselmouth {parselmouth.__version__})"] = reference
    with tempfile.TemporaryDirectory() as tmp:
        speech = espeak_speech(Path(tmp))
    accuracy(trackers, speech)
    speed(speech)


if __name__ == "__main__":
    main()
