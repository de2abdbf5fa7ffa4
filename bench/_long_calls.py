"""Long calls: does the anger core leave a calm caller alone for minutes,
and does it still catch one who turns angry?

The two-clip calls of :mod:`bench.real_voices` ask one question per call;
a real call asks it every phrase. Voice only, 8 kHz:

- **calm**: each dev speaker's neutral clips (same session, up to 25) joined
  with 0.6 s pauses into one call, and, where Debian's Asterisk prompts are
  installed, 40 calm prompts of one professional voice at a time (a 2-minute
  call); printed: the calls ever angry and the share of their time angry;
- **escalating**: a dev speaker's first 10 neutral clips, then 4 of their
  angry clips; printed: the calls called angry before the onset, the calls
  flagged after it and how soon, and the share of each part's time angry.
  A rule that quiets long calm calls must be judged on both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import cache

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
ESCALATING_CALM_CLIPS = 10
ESCALATING_ANGRY_CLIPS = 4
MIN_ANGRY_CLIPS = 3


def angry_times(pcm: np.ndarray, rate_hz: int, lang: str) -> tuple[np.ndarray, np.ndarray]:
    """The call on a 0.1 s grid: (time s, whether the level was angry)."""
    core = AngerCore("long", lang)
    step = rate_hz // 50
    changes: list[tuple[float, bool]] = []
    for i in range(0, pcm.size - step + 1, step):
        chunk = ev.AudioChunk(
            "long", ev.ChannelRole.CUSTOMER, rate_hz, pcm[i : i + step].tobytes(), i
        )
        for event in core.feed_audio(chunk):
            if isinstance(event, ev.AngerUpdate):
                changes.append((event.at_s, event.level is ev.AngerLevel.ANGRY))
    grid = np.arange(0.0, pcm.size / rate_hz, 0.1)
    angry = np.zeros(grid.size, bool)
    for at_s, is_angry in changes:
        angry[grid >= at_s] = is_angry
    return grid, angry


def _joined(parts: list[np.ndarray], rate_hz: int) -> np.ndarray:
    pause = np.zeros(round(PAUSE_S * rate_hz))
    x = np.concatenate([p for part in parts for p in (part.astype(np.float64), pause)])
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


@cache
def _dev_clips() -> tuple[dict[tuple[str, str], list], dict[tuple[str, str], list]]:
    """(neutral, angry) clip paths per (set, speaker), sorted."""
    neutral: dict[tuple[str, str], set] = defaultdict(set)
    angry: dict[tuple[str, str], set] = defaultdict(set)
    for call in load_calls():
        (angry if call.test.angry else neutral)[(call.corpus, call.test.speaker)].add(
            call.test.path
        )
    return (
        {k: sorted(v) for k, v in sorted(neutral.items())},
        {k: sorted(v) for k, v in sorted(angry.items())},
    )


def _phone(x: np.ndarray) -> np.ndarray:
    return signal.resample_poly(x, 1, 2).astype(np.int16)


def dev_speaker_calls() -> Iterator[tuple[str, np.ndarray, int]]:
    """(set, samples at 8 kHz, rate) per speaker with enough neutral clips."""
    neutral, _ = _dev_clips()
    for (corpus, _), paths in neutral.items():
        if len(paths) >= MIN_CLIPS:
            x = _joined([read_clip(p) for p in paths[:MAX_CLIPS]], RATE_HZ)
            yield corpus, _phone(x), RATE_HZ // 2


def escalating_calls() -> Iterator[tuple[str, np.ndarray, int, float]]:
    """(set, samples at 8 kHz, rate, onset s): calm clips, then angry ones."""
    neutral, angry = _dev_clips()
    for key, calm in neutral.items():
        hot = angry.get(key, [])
        if len(calm) >= MIN_CLIPS and len(hot) >= MIN_ANGRY_CLIPS:
            calm_part = _joined([read_clip(p) for p in calm[:ESCALATING_CALM_CLIPS]], RATE_HZ)
            hot_part = _joined([read_clip(p) for p in hot[:ESCALATING_ANGRY_CLIPS]], RATE_HZ)
            x = np.concatenate([calm_part, hot_part])
            yield key[0], _phone(x), RATE_HZ // 2, calm_part.size / RATE_HZ


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


def print_long_calls() -> None:
    print(
        "\nLONG CALM CALLS (voice only, 8 kHz; a dev speaker's neutral clips joined, or 40 "
        "of Asterisk's calm prompts): calls ever angry, share of the time angry"
    )
    shares: dict[str, list[float]] = defaultdict(list)
    for group, pcm, rate in [*dev_speaker_calls(), *prompt_calls()]:
        lang = group.split()[-1] if group.startswith("asterisk") else "en"
        shares[group].append(float(angry_times(pcm, rate, lang)[1].mean()))
    for group, values in shares.items():
        v = np.array(values)
        per_call = np.round(100 * v).astype(int).tolist()
        print(
            f"  {group:<15} {len(v):>3} calls: {np.mean(v > 0):4.0%} ever angry, "
            f"angry {v.mean():4.0%} of the time (per call {per_call} %)"
        )
    print(
        f"ESCALATING CALLS (voice only, 8 kHz; a dev speaker's {ESCALATING_CALM_CLIPS} "
        f"neutral clips, then {ESCALATING_ANGRY_CLIPS} of their angry clips)"
    )
    rows: dict[str, list[tuple[bool, float | None, float, float]]] = defaultdict(list)
    for group, pcm, rate, onset_s in escalating_calls():
        grid, angry = angry_times(pcm, rate, "en")
        after = grid >= onset_s
        entered = grid[after & angry & ~np.r_[False, angry[:-1]]]
        delay = float(entered[0] - onset_s) if entered.size else None
        calm, hot = angry[~after], angry[after]
        rows[group].append((bool(calm.any()), delay, float(calm.mean()), float(hot.mean())))
    everything = [r for group in rows.values() for r in group]
    for group, got in [*rows.items(), ("ALL", everything)]:
        delays = [d for _, d, _, _ in got if d is not None]
        median_s = np.median(delays) if delays else np.nan
        print(
            f"  {group:<15} {len(got):>3} calls: angry before the onset in "
            f"{np.mean([r[0] for r in got]):4.0%}, entered angry after it in "
            f"{len(delays) / len(got):4.0%} (median {median_s:.1f} s after); "
            f"time angry: calm part {np.mean([r[2] for r in got]):4.0%}, "
            f"angry part {np.mean([r[3] for r in got]):4.0%}"
        )
