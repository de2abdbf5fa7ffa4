"""Long calm calls: does the anger core leave a calm caller alone for minutes?

The two-clip calls of :mod:`bench.real_voices` ask one question per call;
a real call asks it every phrase. Here each dev speaker's neutral clips
(same session, up to 25) are joined with 0.6 s pauses into one call, and,
where Debian's Asterisk prompts are installed, 40 calm prompts of one
professional voice at a time make a 2-minute call (phone band). Voice only;
printed: the calls ever angry and the share of their time spent angry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import numpy as np
from scipy import signal

from assist.anger import AngerCore
from bench._voice_calls import RATE_HZ, load_calls, read_clip
from ivr import events as ev

PAUSE_S = 0.6
MAX_CLIPS = 25
MIN_CLIPS = 8
PROMPTS_PER_CALL = 40
PROMPT_CALLS = 6


def angry_share(pcm: np.ndarray, rate_hz: int, lang: str) -> float:
    """Share of the call's time spent at level angry."""
    core = AngerCore("long", lang)
    step = rate_hz // 50
    level, since, angry_s = ev.AngerLevel.CALM, 0.0, 0.0
    for i in range(0, pcm.size - step + 1, step):
        chunk = ev.AudioChunk(
            "long", ev.ChannelRole.CUSTOMER, rate_hz, pcm[i : i + step].tobytes(), i
        )
        for event in core.feed_audio(chunk):
            if isinstance(event, ev.AngerUpdate):
                if level is ev.AngerLevel.ANGRY:
                    angry_s += event.at_s - since
                level, since = event.level, event.at_s
    if level is ev.AngerLevel.ANGRY:
        angry_s += pcm.size / rate_hz - since
    return angry_s / (pcm.size / rate_hz)


def _joined(parts: list[np.ndarray], rate_hz: int) -> np.ndarray:
    pause = np.zeros(round(PAUSE_S * rate_hz))
    x = np.concatenate([p for part in parts for p in (part.astype(np.float64), pause)])
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def dev_speaker_calls() -> Iterator[tuple[str, np.ndarray, int]]:
    """(set, samples at 8 kHz, rate) per speaker with enough neutral clips."""
    clips: dict[tuple[str, str], set] = defaultdict(set)
    for call in load_calls():
        if not call.test.angry:
            clips[(call.corpus, call.test.speaker)].add(call.test.path)
    for (corpus, _), paths in sorted(clips.items()):
        if len(paths) >= MIN_CLIPS:
            x = _joined([read_clip(p) for p in sorted(paths)[:MAX_CLIPS]], RATE_HZ)
            yield corpus, signal.resample_poly(x, 1, 2).astype(np.int16), RATE_HZ // 2


def prompt_calls() -> Iterator[tuple[str, np.ndarray, int]]:
    """(language, samples, rate): Asterisk's calm prompts, when installed."""
    from bench.real_speech_corpus import load, missing_packages, prompts, sample

    for lang in ("ru", "en"):
        if missing_packages((lang,)):
            continue
        chosen = sample(prompts(lang), PROMPT_CALLS * PROMPTS_PER_CALL, seed=7)
        for k in range(PROMPT_CALLS):
            parts = [
                load(p, "phone") for p in chosen[k * PROMPTS_PER_CALL : (k + 1) * PROMPTS_PER_CALL]
            ]
            yield f"asterisk {lang}", _joined([x for x, _ in parts], parts[0][1]), parts[0][1]


def print_long_calm() -> None:
    print(
        "\nLONG CALM CALLS (voice only; a dev speaker's neutral clips joined, or 40 of "
        "Asterisk's calm prompts): calls ever angry, share of the time angry"
    )
    shares: dict[str, list[float]] = defaultdict(list)
    for group, pcm, rate in [*dev_speaker_calls(), *prompt_calls()]:
        lang = group.split()[-1] if group.startswith("asterisk") else "en"
        shares[group].append(angry_share(pcm, rate, lang))
    for group, values in shares.items():
        v = np.array(values)
        per_call = np.round(100 * v).astype(int).tolist()
        print(
            f"  {group:<15} {len(v):>3} calls: {np.mean(v > 0):4.0%} ever angry, "
            f"angry {v.mean():4.0%} of the time (per call {per_call} %)"
        )
