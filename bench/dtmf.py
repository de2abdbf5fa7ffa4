"""Keypad-tone detection: detection rate, false keys in speech, speed.

1. Detection rate: every key (16) at -10 ... -30 dBm0 per tone, in white noise
   at several signal-to-noise ratios (noise power below the key's two tones),
   8 kHz through G.711 mu-law and 16 kHz linear; 60 ms presses at random
   alignments and phases. A trial counts only if exactly the pressed key is
   reported.
2. False keys per hour of speech: every fixture call (16 kHz customer, 8 kHz
   stereo both channels, 8 kHz AGC), as recorded, 12 dB hotter (clipping),
   12 dB quieter, and the 8 kHz ones through mu-law. Also with each of the two
   speech guards switched off (the minimum duration, the peak tone-energy
   ratio), to show what each one buys.
3. Speed: x real time per stream on one core (CPU time of the process), 60 s
   of speech with key presses, in 20 ms pieces (a telephone line) and in 1 s
   pieces.

Run: ``python -m bench.dtmf``.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from audio_fixtures import ensure_fixtures
from ivr.audio.g711 import mulaw_decode, mulaw_encode
from ivr.dtmf import DIGITS, DtmfDetector, DtmfSettings, amplitude_of_dbm0, dtmf_tone
from ivr.sources.wav import read_audio

LEVELS_DBM0 = (-10.0, -15.0, -20.0, -25.0, -30.0)
SNRS_DB = (30.0, 20.0, 15.0, 10.0, 5.0)
TRIALS = 4  # per key, level and SNR
TONE_S = 0.06
SPEED_S = 60.0


def _pcm(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


def _detect(samples: np.ndarray, rate_hz: int, settings: DtmfSettings | None = None) -> list[str]:
    detector = DtmfDetector(rate_hz, settings)
    return [d.digit for d in detector.feed(samples) + detector.flush()]


def _trial(digit: str, rate_hz: int, level: float, snr: float, rng: np.random.Generator) -> bool:
    lead = round(rate_hz * (0.03 + 0.01 * rng.random()))
    skip = int(rng.integers(0, rate_hz // 100))  # a random starting phase of the tones
    tone = dtmf_tone(digit, rate_hz, TONE_S + skip / rate_hz, level)[skip:]
    signal = np.concatenate((np.zeros(lead), tone, np.zeros(rate_hz // 20)))
    noise_sd = np.sqrt(amplitude_of_dbm0(level) ** 2 / 10 ** (snr / 10))
    samples = _pcm(signal + rng.normal(0.0, noise_sd, signal.size))
    if rate_hz == 8000:
        samples = mulaw_decode(mulaw_encode(samples))
    return _detect(samples, rate_hz) == [digit]


def detection_rates() -> None:
    rng = np.random.default_rng(2024)
    for rate_hz, line in ((8000, "8 kHz through mu-law"), (16000, "16 kHz linear")):
        trials = f"{len(DIGITS)} keys x {TRIALS} trials, {TONE_S * 1000:.0f} ms presses"
        print(f"\ndetection rate, {line}, {trials}")
        print("level dBm0 | " + " | ".join(f"SNR {snr:4.0f} dB" for snr in SNRS_DB))
        for level in LEVELS_DBM0:
            cells = []
            for snr in SNRS_DB:
                hits = sum(
                    _trial(digit, rate_hz, level, snr, rng)
                    for digit in DIGITS
                    for _ in range(TRIALS)
                )
                cells.append(f"{100 * hits / (len(DIGITS) * TRIALS):10.1f} %")
            print(f"{level:10.0f} | " + " | ".join(cells))


def _speech_streams() -> list[tuple[str, np.ndarray, int]]:
    folder = ensure_fixtures()
    streams = []
    for pattern in ("*.16k.wav", "*.8k.stereo.wav", "*.8k.agc.wav"):
        for path in sorted(folder.glob(pattern)):
            samples, rate_hz = read_audio(path)
            for channel in range(samples.shape[1]):
                voice = samples[:, channel].astype(np.float64)
                for gain_db in (0.0, 12.0, -12.0):
                    version = _pcm(voice * 10 ** (gain_db / 20))
                    streams.append((f"{path.name}:{channel}:{gain_db:+.0f}dB", version, rate_hz))
                    if rate_hz == 8000:
                        coded = mulaw_decode(mulaw_encode(version))
                        streams.append(
                            (f"{path.name}:{channel}:{gain_db:+.0f}dB:mulaw", coded, 8000)
                        )
    return streams


def false_keys() -> None:
    streams = _speech_streams()
    hours = sum(s.size / rate for _, s, rate in streams) / 3600
    base = DtmfSettings()
    variants = {
        "default settings": base,
        "without the minimum duration": replace(base, min_tone_s=0.0),
        "without the peak energy-ratio check": replace(base, min_peak_energy_ratio=0.01),
        "without both": replace(base, min_tone_s=0.0, min_peak_energy_ratio=0.01),
    }
    print(f"\nfalse keys in {hours * 60:.1f} min of fixture speech ({len(streams)} streams)")
    for name, settings in variants.items():
        found = []
        for label, samples, rate_hz in streams:
            found += [(label, d) for d in _detect(samples, rate_hz, settings)]
        print(f"  {name:38s} {len(found):5d} keys = {len(found) / hours:8.1f} per hour")
        if settings is base:
            for label, digit in found[:10]:
                print(f"    {label}: {digit}")


def _speed_signal(rate_hz: int) -> tuple[np.ndarray, int]:
    """SPEED_S of fixture speech (repeated) with a key press every 2 s; and the presses."""
    folder = ensure_fixtures()
    name = "*.16k.wav" if rate_hz == 16000 else "*.8k.agc.wav"
    speech = np.concatenate([read_audio(p)[0][:, 0] for p in sorted(folder.glob(name))])
    n = round(SPEED_S * rate_hz)
    signal = np.resize(speech, n).astype(np.int16)
    starts = range(rate_hz, n - rate_hz, 2 * rate_hz)
    for k, start in enumerate(starts):
        tone = dtmf_tone(DIGITS[k % 16], rate_hz, 0.08, -15.0)
        signal[start : start + tone.size] = tone
    return signal, len(starts)


def speed() -> None:
    print(f"\nspeed: {SPEED_S:.0f} s per stream, CPU time of this process (best of 3)")
    for rate_hz in (8000, 16000):
        signal, presses = _speed_signal(rate_hz)
        for piece_s in (0.02, 1.0):
            piece = round(piece_s * rate_hz)
            best = float("inf")
            keys = 0
            for _ in range(3):
                detector = DtmfDetector(rate_hz)
                c0 = time.process_time()
                found = []
                for start in range(0, signal.size, piece):
                    found += detector.feed(signal[start : start + piece])
                found += detector.flush()
                best = min(best, time.process_time() - c0)
                keys = len(found)
            print(
                f"  {rate_hz:5d} Hz, {piece_s * 1000:4.0f} ms pieces: "
                f"{SPEED_S / best:7.0f}x real time per stream ({keys} of {presses} keys found)"
            )


def main() -> None:
    settings = DtmfSettings()
    detector = DtmfDetector(8000)
    print(
        f"DTMF detector: {detector.block_samples}-sample blocks at 8 kHz, hop "
        f"{detector.hop_samples}; min level {settings.min_level_dbm0} dBm0 per tone, twist "
        f"{settings.twist_min_db:+.0f}..{settings.twist_max_db:+.0f} dB, min tone "
        f"{settings.min_tone_s * 1000:.0f} ms measured, min gap {settings.min_gap_s * 1000:.0f} ms"
    )
    detection_rates()
    false_keys()
    speed()


if __name__ == "__main__":
    main()
