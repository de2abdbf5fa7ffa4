"""The anger core on real human voices (``../shared/devsets/voice``).

Every call is built the way the product meets a caller (the speaker's own
neutral clip, a pause, the clip under test; :mod:`bench._voice_calls`) and
goes through the per-call pipeline ``analyze`` uses (``assist.offline``), in
three variants: as recorded, RMS-equalised per segment, equalised at 8 kHz
through the phone band. A call is flagged when its peak level is ``angry``
(strict) or at least ``tense`` (loose).

Printed, per set and pooled:
- **held out**: the voice fusion refitted with each set left out and scored on
  that set (speakers and language unseen in the fit): the figure that says
  how the shipped settings should fare on new voices;
- **shipped**: the settings in ``assist/data/anger.toml`` (fitted on all sets,
  so not a held-out figure), with recall per class and, with a recogniser,
  the share of calm calls given any keyword reason;
- the best single cue chosen with hindsight (loudness, high-frequency energy
  share of the test clip against the speaker's neutral clip), as the baseline
  each set should meet;
- calls whose speaker has no neutral clip (scored against the population
  priors) apart, and every clip under test alone (:mod:`bench._cold_start`);
- long calls (:mod:`bench._long_calls`): the share of time a calm caller is
  called angry over minutes, and how an escalating caller is caught, where
  two-clip calls cannot tell;
- the core's speed, x real time per channel;
- with ``--ceiling``, what a classifier over many clip-level cues reaches
  with each set held out (:mod:`bench._ceiling`): the bound to judge the
  held-out figure against.

Usage: ``./run bench real_voices [--variants recorded equalised phone8k]
[--sets ased ...] [--limit N] [--asr | --no-asr] [--model DIR] [--jobs N]
[--iterations N] [--no-long-calls] [--no-cold-start] [--ceiling]``. With ``--asr`` (the
default when a model for English is at hand without building one; else
``--asr`` takes the project's shipped model) the recogniser runs too, in
English (``--lang ru`` for Russian) for
every set: what a closed-vocabulary model makes of speech it does not know
is exactly what the keyword figures measure.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assist.anger import CueTrace, load_anger_config
from assist.offline import run_recording
from assist.pipeline import CallPipeline
from assist.shipped_models import shipped_model
from bench._ceiling import call_cues, print_ceiling
from bench._cold_start import alone, print_cold_start
from bench._fusion_fit import FitData, Fusion, TracedCalls, fit, uar
from bench._long_calls import print_long_calls
from bench._single_cues import print_single_cues, single_cues
from bench._voice_calls import (
    DEVSETS,
    VARIANTS,
    VoiceCall,
    available,
    call_audio,
    load_calls,
)
from ivr import events as ev
from ivr.asr.base import AsrResult
from ivr.sources import write_wav

_LEVEL_RANK = {ev.AngerLevel.CALM: 0, ev.AngerLevel.TENSE: 1, ev.AngerLevel.ANGRY: 2}
_NOTHING = AsrResult("", (), False)


@dataclass(frozen=True)
class Scored:
    corpus: str
    angry: bool
    own_baseline: bool
    peak_rank: int  # 0 calm, 1 tense, 2 angry
    keyword_reason: bool
    trace: tuple[CueTrace, ...]
    loudness_db: float  # test clip RMS above the baseline clip's
    hf_share_db: float  # test clip's 1-4 kHz energy share above the baseline clip's
    clip_cues: np.ndarray | None  # bench._ceiling's cues (with --ceiling and a baseline clip)


class _Silent:
    """A recogniser that hears nothing (the voice-only run)."""

    rate_hz = 16000

    def accept(self, pcm: bytes) -> AsrResult:
        return _NOTHING

    def finish(self) -> AsrResult:
        return _NOTHING

    def reset(self) -> None:
        pass


class _NoSpeechEngine:
    language = "en"
    vocabulary_words: int | None = None

    def recognizer(self, rate_hz: int, phrases: object = None) -> _Silent:
        return _Silent()


_engine: object = None
_lang = "en"
_ceiling = False


def _init_worker(model: str | None, asr: bool, lang: str, ceiling: bool = False) -> None:
    global _engine, _lang, _ceiling
    _lang = lang
    _ceiling = ceiling
    if asr:
        from assist.engines import load_engine

        _engine = load_engine(lang, model, build=False, progress=False)
    else:
        _engine = _NoSpeechEngine()


def _score(job: tuple[VoiceCall, str]) -> Scored:
    call, variant = job
    pcm, rate_hz = call_audio(call, variant)
    pipeline = CallPipeline.create(call.call_id, _lang)
    pipeline.anger.trace = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "call.wav"
        write_wav(path, pcm, rate_hz)
        run = run_recording(path, _engine, pipeline=pipeline)  # type: ignore[arg-type]
    peak = 0
    keyword = False
    for event in run.events:
        if isinstance(event, ev.AngerUpdate):
            peak = max(peak, _LEVEL_RANK[event.level])
            keyword = keyword or any(r.kind.startswith("keyword") for r in event.reasons)
    loud, hf = single_cues(call, pcm, rate_hz)
    return Scored(
        call.corpus,
        call.test.angry,
        call.own_baseline,
        peak,
        keyword,
        tuple(pipeline.anger.trace),
        loud,
        hf,
        call_cues(call, pcm, rate_hz) if _ceiling else None,
    )


def _core_speed(calls: list[VoiceCall]) -> float:
    """The anger core alone (voice path), x real time per channel."""
    from assist.anger import AngerCore

    audio_s = cpu_s = 0.0
    for call in calls:
        pcm, rate = call_audio(call, "phone8k")
        core = AngerCore("speed", "en")
        step = rate // 50
        chunks = [
            ev.AudioChunk("speed", ev.ChannelRole.CUSTOMER, rate, pcm[i : i + step].tobytes(), i)
            for i in range(0, pcm.size, step)
        ]
        t = time.process_time()
        for chunk in chunks:
            core.feed_audio(chunk)
        core.flush()
        cpu_s += time.process_time() - t
        audio_s += pcm.size / rate
    return audio_s / max(cpu_s, 1e-9)


def _line(name: str, cells: list[str]) -> str:
    return f"  {name:<15}" + "".join(f"{c:>11}" for c in cells)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench real_voices")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--sets", nargs="+", help="only these sets (default: all)")
    parser.add_argument("--limit", type=int, default=0, help="at most N calls per set")
    parser.add_argument("--asr", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--model", help="vosk model directory for --asr")
    parser.add_argument(
        "--lang", default="en", choices=("en", "ru"), help="the calls' language (lexicon, model)"
    )
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--iterations", type=int, default=1500, help="fit search steps per fold")
    parser.add_argument(
        "--long-calls",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also long calls: calm (a speaker's neutral clips joined; Asterisk prompts) "
        "and escalating (neutral clips, then angry ones)",
    )
    parser.add_argument(
        "--cold-start",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also each clip under test alone, against the population priors",
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also what a classifier over many clip-level cues reaches with each set held out "
        "(bench._ceiling): the bound to judge the held-out figure against",
    )
    args = parser.parse_args(argv if argv is not None else [])
    if not available():
        print(
            f"real_voices: no dev set at {DEVSETS} (it sits beside the repo as "
            "../shared/devsets/voice); nothing to measure"
        )
        return
    asr = args.asr
    if asr is None:
        asr = _model_at_hand(args.model, args.lang)
    elif asr and not _model_at_hand(args.model, args.lang):
        # --asr with no model found: the project's own shipped model, which
        # the worker processes would otherwise fail to find one by one.
        shipped = shipped_model(args.lang)
        if shipped is None:
            raise SystemExit(f"real_voices: --asr needs a vosk model for {args.lang}: --model DIR")
        args.model = str(shipped)
    calls = load_calls(corpora=args.sets)
    if args.limit:
        by_set: dict[str, list[VoiceCall]] = defaultdict(list)
        for call in calls:
            by_set[call.corpus].append(call)
        calls = [c for group in by_set.values() for c in group[: args.limit]]
    config = load_anger_config()
    print(
        f"{len(calls)} calls from {len({c.corpus for c in calls})} sets; recogniser: "
        f"{f'the {args.lang} model' if asr else 'none (voice only; --asr to add it)'}"
    )
    results: dict[str, list[Scored]] = {}
    cold: dict[str, list[Scored]] = {}
    t0 = time.perf_counter()
    with ProcessPoolExecutor(
        args.jobs, initializer=_init_worker, initargs=(args.model, asr, args.lang, args.ceiling)
    ) as pool:
        for variant in args.variants:
            results[variant] = list(pool.map(_score, [(c, variant) for c in calls], chunksize=8))
            if args.cold_start:
                jobs = [(c, variant) for c in alone(calls)]
                cold[variant] = list(pool.map(_score, jobs, chunksize=8))
    print(f"scored in {time.perf_counter() - t0:.0f} s")
    corpora = sorted({c.corpus for c in calls})
    _print_held_out(results, corpora, config, args.iterations)
    _print_shipped(results, corpora, asr)
    print_single_cues(results, corpora, _line)
    if args.ceiling:
        print_ceiling(results, corpora, _line)
    if cold:
        print_cold_start(cold, corpora, _line)
    if args.long_calls:
        print_long_calls()
    print(
        f"\nanger core speed: {_core_speed(calls[:: max(1, len(calls) // 60)]):.0f}x real time "
        "per channel (8 kHz, voice path)"
    )


def _model_at_hand(model: str | None, lang: str) -> bool:
    from ivr.asr.models import ModelNotFound, resolve_model

    try:
        resolve_model(model, lang, allow_download=False, build=None)
    except ModelNotFound:
        return False
    return True


def _fit_data(scored: list[Scored]) -> FitData:
    own = [s for s in scored if s.own_baseline]
    return FitData(
        TracedCalls([s.trace for s in own]),
        np.array([s.angry for s in own]),
        np.array([s.corpus for s in own]),
    )


def _print_held_out(
    results: dict[str, list[Scored]], corpora: list[str], config, iterations: int
) -> None:
    """Leave one set out: fit on the others, score the one left out (voice only)."""
    data = {v: _fit_data(s) for v, s in results.items()}
    ranks = {v: np.array([s.peak_rank for s in r if s.own_baseline]) for v, r in results.items()}
    cap, lv = config.prosody.cap, config.levels
    shipped = Fusion.of(config)
    flagged: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    print(f"\nHELD OUT (fusion refitted without the set, {iterations} steps; voice only)")
    for held in corpora:
        train = {c for c in corpora if c != held}
        fusion, _ = fit(
            list(data.values()),
            shipped,
            cap=cap,
            threshold=lv.angry_enter,
            groups=train,
            iterations=iterations,
        )
        for v, d in data.items():
            m = d.group == held
            flagged[v][held] = d.calls.peaks(fusion, cap)[m]
    for v, d in data.items():
        print(f" {v}: strict UAR (peak angry) | loose UAR (peak >= tense)")
        print(_line("set", ["strict", "loose", "angry rec", "calm rec"]))
        pooled_s, pooled_l, ys = [], [], []
        for held in corpora:
            y = d.angry[d.group == held]
            peaks = flagged[v][held]
            strict, loose = peaks >= lv.angry_enter, peaks >= lv.tense_enter
            pooled_s.append(strict)
            pooled_l.append(loose)
            ys.append(y)
            print(
                _line(
                    held,
                    [
                        f"{uar(y, strict):.3f}",
                        f"{uar(y, loose):.3f}",
                        f"{strict[y].mean():.2f}",
                        f"{(~strict[~y]).mean():.2f}",
                    ],
                )
            )
        y, s, lo = np.concatenate(ys), np.concatenate(pooled_s), np.concatenate(pooled_l)
        print(
            _line(
                "POOLED",
                [
                    f"{uar(y, s):.3f}",
                    f"{uar(y, lo):.3f}",
                    f"{s[y].mean():.2f}",
                    f"{(~s[~y]).mean():.2f}",
                ],
            )
        )
    agree = [
        float(np.mean((d.calls.peaks(shipped, cap) >= lv.angry_enter) == (ranks[v] >= 2)))
        for v, d in data.items()
    ]
    print(
        f" check: replaying the traces with the shipped settings agrees with the pipeline's "
        f"own angry flags on {min(agree):.1%} of calls or more (voice only: keywords excluded)"
    )
    fusion, score = fit(
        list(data.values()),
        shipped,
        cap=cap,
        threshold=lv.angry_enter,
        groups=set(corpora),
        iterations=iterations,
    )
    print(
        f" fitted on all sets (mean per-set strict UAR {score:.3f}; compare with the shipped file):"
    )
    print("   " + fusion.toml().replace("\n", "\n   "))


def _print_shipped(results: dict[str, list[Scored]], corpora: list[str], asr: bool) -> None:
    print("\nSHIPPED SETTINGS (assist/data/anger.toml, fitted on these sets: not held out)")
    for v, scored in results.items():
        print(f" {v}:")
        print(_line("set", ["strict", "loose", "angry rec", "calm rec", "calm+kw"]))
        groups = [(c, [s for s in scored if s.corpus == c and s.own_baseline]) for c in corpora]
        groups.append(("POOLED", [s for s in scored if s.own_baseline]))
        groups.append(("no own neutral", [s for s in scored if not s.own_baseline]))
        for name, group in groups:
            if not group:
                continue
            y = np.array([s.angry for s in group])
            rank = np.array([s.peak_rank for s in group])
            strict, loose = rank >= 2, rank >= 1
            calm_kw = [s.keyword_reason for s in group if not s.angry]
            print(
                _line(
                    name,
                    [
                        f"{uar(y, strict):.3f}",
                        f"{uar(y, loose):.3f}",
                        f"{strict[y].mean():.2f}" if y.any() else "-",
                        f"{(~strict[~y]).mean():.2f}" if (~y).any() else "-",
                        f"{np.mean(calm_kw):.1%}" if asr and calm_kw else "-",
                    ],
                )
            )
