"""Speech engines on real recorded human speech: word error rate and speed.

The corpus is Debian's Asterisk prompts (:mod:`bench.real_speech_corpus`):
professionally recorded IVR prompts in Russian and English with the text
that was read, at 16 kHz (the G.722 takes) and through the 8 kHz phone band
(the 8 kHz takes through G.711 mu-law). For each engine, language and band
it prints the WER over all prompts of the sample (total edits / total
reference words, both sides scored by the same rules, :mod:`ivr.asr.scoring`:
the engines' token form, and spelling that is not recognition, such as
"что бы" / "чтобы" or "Asterisk" / "астериск", not counted), the WER over
the prompts of three words or more, the WER "as written" (the token form
only, every spelling difference an error), and the speed as x real time per
core (audio seconds / CPU seconds of this process) and on the wall clock.
``--show N`` prints the N worst prompts of each row aligned word by word.

Engines: Whisper base (faster-whisper, int8) with the model the product
would use, and vosk with the model the product would use (a published vosk
model if one is cached, else the project's own synthetic model if it has
been built; it is not built here).

Then two checks on the same audio:

- anger keywords on calm speech: the prompts' transcripts through the
  per-call pipeline (as ``analyze --engine ...`` runs them); a prompt with a
  keyword reason is a false alarm (the prompts are calm IVR speech), the
  engine's when the keyword's words were not said (not in the reference),
  the lexicon's when they were ("try again" read by the IVR voice);
- replay throughput: minutes-long stereo calls assembled from the prompts
  (phone band, customer and agent taking turns) through ``replay --engine
  whisper``'s workers, with the jobs x threads settings given, and the
  decoder's own settings beside it in the same process
  (:mod:`bench.real_speech_calls`).

Targets (issue 13): Whisper base WER <= 12 % ru and <= 8 % en at 16 kHz,
<= 18 % / 12 % through the phone band; replay --engine whisper >= 3x real
time on this 2-core machine; no anger keyword reason on the calm prompts.

Default run (about 15 minutes on 2 busy cores): a fixed sample of 60
prompts per language, two 90 s calls timed in two rounds with one job of 2
threads and the decoder variants. ``--all`` for every prompt (about 23 min of
audio per language), ``--prompts N``, ``--calls N --call-s S``, ``--settings
1x2 2x1`` (jobs x threads), ``--rounds N``, ``--no-decoder-variants``,
``--no-replay``, ``--engines``, ``--bands``, ``--show N``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.real_speech_calls import assemble_calls, measure_calls
from bench.real_speech_corpus import (
    LANGUAGES,
    CorpusMissing,
    Prompt,
    load,
    prompts,
    sample,
)
from ivr.asr.base import AsrResult, SpeechEngine
from ivr.asr.scoring import (
    alignment,
    scoring_pair,
    scoring_tokens,
    show_alignment,
    written_tokens,
)
from ivr.modelbuild.evaluate import edit_distance, word_error_rate

TARGETS = {
    ("whisper", "ru", "16k"): 0.12,
    ("whisper", "en", "16k"): 0.08,
    ("whisper", "ru", "phone"): 0.18,
    ("whisper", "en", "phone"): 0.12,
}
FEED_S = 0.2


@dataclass
class Row:
    engine: str
    lang: str
    band: str
    refs: list[list[str]] = field(default_factory=list)
    hyps: list[list[str]] = field(default_factory=list)
    written: list[tuple[list[str], list[str]]] = field(default_factory=list)  # strict scoring
    names: list[str] = field(default_factory=list)
    utterances: list[tuple[AsrResult, ...]] = field(default_factory=list)
    audio_s: float = 0.0
    cpu_s: float = 0.0
    wall_s: float = 0.0

    def wer(self, min_words: int = 0) -> float:
        pairs = [(r, h) for r, h in zip(self.refs, self.hyps, strict=True) if len(r) >= min_words]
        return word_error_rate(pairs)

    def written_wer(self) -> float:
        """The WER with only the engines' token form (no spelling rules)."""
        return word_error_rate(self.written)

    def worst(self, n: int) -> list[str]:
        scored = sorted(
            zip(self.names, self.refs, self.hyps, strict=True),
            key=lambda t: -edit_distance(t[1], t[2]),
        )
        return [
            f"    {name} ({edit_distance(r, h)}): {show_alignment(alignment(r, h))}"
            for name, r, h in scored[:n]
            if edit_distance(r, h)
        ]


def _decode_streaming(engine: SpeechEngine, samples: np.ndarray, rate_hz: int) -> list[AsrResult]:
    recognizer = engine.recognizer(rate_hz)
    step = int(FEED_S * rate_hz)
    finals = []
    for at in range(0, len(samples), step):
        result = recognizer.accept(samples[at : at + step].astype("<i2").tobytes())
        if result.final and result.words:
            finals.append(result)
    last = recognizer.finish()
    if last.words:
        finals.append(last)
    return finals


def decoder_for(engine: SpeechEngine) -> Callable[[np.ndarray, int], list[AsrResult]]:
    transcribe = getattr(engine, "transcribe", None)
    if transcribe is not None:
        return lambda samples, rate_hz: list(transcribe(samples, rate_hz).utterances)
    return lambda samples, rate_hz: _decode_streaming(engine, samples, rate_hz)


def measure(name: str, engine: SpeechEngine, items: Sequence[Prompt], band: str) -> Row:
    row = Row(name, items[0].lang, band)
    decode = decoder_for(engine)
    decode(*load(items[0], band))  # warm-up, not timed
    for prompt in items:
        samples, rate_hz = load(prompt, band)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        utterances = decode(samples, rate_hz)
        row.cpu_s += time.process_time() - cpu0
        row.wall_s += time.perf_counter() - wall0
        row.audio_s += len(samples) / rate_hz
        words = [w.word for u in utterances for w in u.words]
        ref, hyp = scoring_pair(prompt.tokens, words, prompt.lang)
        row.refs.append(ref)
        row.hyps.append(hyp)
        row.written.append(
            (written_tokens(prompt.tokens, prompt.lang), written_tokens(words, prompt.lang))
        )
        row.names.append(prompt.name)
        row.utterances.append(tuple(utterances))
    return row


def vosk_engine(lang: str) -> tuple[SpeechEngine | None, str]:
    """The vosk model the product would use, without building one."""
    from ivr.asr.models import ModelNotFound, resolve_model
    from ivr.asr.vosk_engine import ModelLoadError, VoskEngine
    from ivr.modelbuild import ModelDirError, validate_model_dir
    from ivr.modelbuild.cache import model_cache_dir

    try:
        resolved = resolve_model(None, lang)
        return VoskEngine(resolved.path, lang), f"published model {resolved.path.name}"
    except (ModelNotFound, ModelLoadError):
        pass
    own = model_cache_dir(lang)
    try:
        validate_model_dir(own)
    except ModelDirError:
        return None, (
            f"no vosk model for {lang}: the project's own model is not built "
            f"(ivr-assist build-model --lang {lang}, about 9 minutes)"
        )
    return VoskEngine(own, lang), "the project's own synthetic model"


def whisper_engine(lang: str, threads: int) -> tuple[SpeechEngine | None, str]:
    from ivr.asr.models import ModelNotFound
    from ivr.asr.vosk_engine import ModelLoadError
    from ivr.asr.whisper_engine import WhisperEngine
    from ivr.asr.whisper_model import resolve_whisper_model

    try:
        resolved = resolve_whisper_model()
        engine = WhisperEngine(resolved.path, lang, cpu_threads=threads)
    except (ModelNotFound, ModelLoadError) as exc:
        return None, f"no Whisper engine: {exc}"
    return engine, (
        f"Whisper base int8, {threads} thread(s), beam {engine.beam_size}, VAD, "
        f"temperature fallback from a repetition ratio of {engine.repetition_limit}, "
        f"{engine.edge_pad_s} s of silence at the edges ({resolved.origin})"
    )


def keyword_alarms(row: Row, items: Sequence[Prompt]) -> tuple[int, int, list[str]]:
    """Prompts whose transcript gives a keyword anger reason in the pipeline:
    (how many, how many of them on words the speaker did not say, the list).
    A keyword that was really said is the lexicon's call, not the engine's."""
    from assist.replay.transcribed import run_transcribed
    from assist.replay.transcript_file import RecordedTranscript, Utterance
    from ivr import events as ev

    alarms = []
    invented = 0
    for prompt, utterances, ref in zip(items, row.utterances, row.refs, strict=True):
        said = [
            Utterance(ev.ChannelRole.CUSTOMER, u.text, tuple(u.words))
            for u in utterances
            if u.words
        ]
        transcript = RecordedTranscript(
            prompt.wav_path, prompt.name, row.lang, "", prompt.wav_path, tuple(said)
        )
        run = run_transcribed(prompt.wav_path, transcript, row.lang, call_id=prompt.name)
        found = {
            (r.kind, r.words)
            for e in run.events
            if isinstance(e, ev.AngerUpdate)
            for r in e.reasons
            if r.kind.startswith("keyword")
        }
        if not found:
            continue
        said = set(ref)
        not_said = [w for _, w in found if not set(scoring_tokens(w, row.lang)) <= said]
        invented += bool(not_said)
        where = "NOT SAID (the engine's error)" if not_said else "said (the lexicon's call)"
        reasons = ", ".join(f"{kind} '{words}'" for kind, words in sorted(found))
        heard = " ".join(u.text for u in utterances)
        alarms.append(
            f"    {prompt.name}: {reasons}: {where}\n"
            f"      read: {prompt.text}\n      heard: {heard}"
        )
    return len(alarms), invented, alarms


def _print_row(row: Row, show: int) -> None:
    target = TARGETS.get((row.engine, row.lang, row.band))
    verdict = ""
    if target is not None:
        verdict = f"  target <= {target:.0%}: {'met' if row.wer() <= target else 'NOT met'}"
    print(
        f"  {row.engine:8} {row.lang}  {row.band:5}  {len(row.refs):4} prompts "
        f"{sum(map(len, row.refs)):5} words  WER {row.wer():6.1%}  "
        f"(3+ words {row.wer(3):6.1%}; as written {row.written_wer():6.1%})  "
        f"{row.audio_s / max(row.cpu_s, 1e-9):6.1f}x RT per core, "
        f"{row.audio_s / max(row.wall_s, 1e-9):6.1f}x wall{verdict}",
        flush=True,
    )
    for line in row.worst(show):
        print(line)


def _setting(text: str) -> tuple[int, int]:
    try:
        jobs, threads = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"JOBSxTHREADS, e.g. 2x1, not {text!r}") from None
    return jobs, threads


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.real_speech", description=__doc__)
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument(
        "--engines", nargs="+", choices=("whisper", "vosk"), default=["whisper", "vosk"]
    )
    parser.add_argument("--bands", nargs="+", choices=("16k", "phone"), default=["16k", "phone"])
    parser.add_argument("--prompts", type=int, default=60, help="prompts per language (default 60)")
    parser.add_argument("--all", action="store_true", help="every prompt (about 550 per language)")
    parser.add_argument(
        "--threads", type=int, default=2, help="Whisper decoder threads (default 2)"
    )
    parser.add_argument("--calls", type=int, default=2, help="calls per replay setting (default 2)")
    parser.add_argument("--call-s", type=float, default=90.0, help="call length (default 90 s)")
    parser.add_argument(
        "--settings",
        nargs="+",
        type=_setting,
        default=[(1, 2)],
        metavar="JOBSxTHREADS",
        help="replay settings to time (default 1x2; e.g. 1x2 2x1 1x1)",
    )
    parser.add_argument("--no-replay", action="store_true", help="skip the replay timing")
    parser.add_argument(
        "--rounds", type=int, default=2, help="timing rounds, settings in alternation (default 2)"
    )
    parser.add_argument(
        "--no-decoder-variants",
        action="store_true",
        help="time only replay, not the decoder settings beside it",
    )
    parser.add_argument("--show", type=int, default=0, metavar="N", help="N worst prompts per row")
    args = parser.parse_args([] if argv is None else argv)  # ./run bench: the defaults

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    n = None if args.all else args.prompts
    print(
        f"real-speech corpus: Debian's Asterisk prompts, {'all' if n is None else n} per language; "
        f"cores: {os.cpu_count()}"
    )
    chosen: dict[str, list[Prompt]] = {}
    for lang in args.lang:
        try:
            chosen[lang] = sample(prompts(lang), n)
        except CorpusMissing as exc:
            print(f"  {lang}: skipped: {exc}")
    whisper_rows: dict[tuple[str, str], Row] = {}
    for lang, items in chosen.items():
        for name in args.engines:
            engine, what = (
                whisper_engine(lang, args.threads) if name == "whisper" else vosk_engine(lang)
            )
            print(f"{name} {lang}: {what}", flush=True)
            if engine is None:
                continue
            for band in args.bands:
                row = measure(name, engine, items, band)
                _print_row(row, args.show)
                if band == "16k":
                    whisper_rows[(name, lang)] = row
    print("anger keyword reasons on the calm prompts (16 kHz transcripts through the pipeline):")
    for (name, lang), row in whisper_rows.items():
        try:
            count, invented, lines = keyword_alarms(row, chosen[lang])
        except Exception as exc:  # the lexicon is data people edit: report, go on
            print(f"  {name} {lang}: not checked ({type(exc).__name__}: {exc})")
            continue
        print(
            f"  {name} {lang}: {count} of {len(row.refs)} prompts, {invented} of them on "
            "words not said" + (":" if lines else "")
        )
        for line in lines:
            print(line)
    if args.no_replay or "whisper" not in args.engines:
        return
    from ivr.asr.whisper_model import resolve_whisper_model

    try:
        model_dir = Path(resolve_whisper_model().path)
    except Exception as exc:
        print(f"replay --engine whisper: skipped ({exc})")
        return
    for lang, items in chosen.items():
        with tempfile.TemporaryDirectory(prefix="real-speech-calls-") as tmp:
            calls = assemble_calls(items, args.calls, args.call_s, Path(tmp))
            measure_calls(
                lang,
                calls,
                model_dir,
                args.settings,
                rounds=args.rounds,
                decoder_variants=not args.no_decoder_variants,
            )


if __name__ == "__main__":
    main(sys.argv[1:])
