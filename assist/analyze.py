"""``ivr-assist analyze FILE...``: recordings through the feed loop, the
pipeline and the outbound chain (so what is printed is redacted like what
would be stored and shown), one summary or JSON line per file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def run_analyze(args: argparse.Namespace) -> int:
    from assist.analysis import format_summary, summarise, timeline
    from assist.chain.chain import EventChain
    from assist.chain.redaction import config_from_args, redactors
    from assist.engines import load_named_engine
    from assist.langcheck import wrong_language_warning
    from assist.offline import through_chain
    from assist.replay.batch_asr import UnsupportedLanguage, run_recognised
    from ivr.sources import AudioFileError, probe_audio_file

    if args.lang == "auto" and args.engine != "whisper":
        print("ivr-assist analyze: --lang auto needs --engine whisper", file=sys.stderr)
        return 2
    # Every input is checked before a model is loaded (or built): a typo is
    # reported at once, and with no usable file nothing is loaded at all.
    failed = 0
    usable: list[Path] = []
    for name in args.files:
        try:
            probe_audio_file(name)
        except AudioFileError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
            if args.json:
                print(json.dumps({"file": name, "error": str(exc)}, ensure_ascii=False))
            continue
        usable.append(Path(name))
    if not usable:
        return 2
    # The one outbound chain: what is printed is what would be stored and shown.
    chain = EventChain(redactor_for=redactors(config_from_args(args)), retain_ended_s=0.0)
    engine = load_named_engine(
        args.engine,
        "" if args.lang == "auto" else args.lang,
        model=args.model,
        whisper_model=args.whisper_model,
        allow_download=args.download,
        whisper_threads=args.whisper_threads,
        progress=not args.json,
    )
    for path in usable:
        try:
            run, batch = run_recognised(path, engine, customer_channel=args.customer_channel)
        except (AudioFileError, UnsupportedLanguage) as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
            if args.json:
                print(json.dumps({"file": str(path), "error": str(exc)}, ensure_ascii=False))
            continue
        run = through_chain(run, chain)
        summary = summarise(run)
        detected = batch is not None and batch.detected
        warning = None if detected else wrong_language_warning(path.name, args.lang, run.events)
        if warning:
            print(warning, file=sys.stderr)
        if args.json:
            extra: dict[str, object] = {"engine": args.engine}
            if warning:
                extra["language_warning"] = warning.removeprefix("warning: ")
            if batch is not None and detected:
                extra["language"] = batch.transcript.language
                extra["language_probability"] = round(batch.language_probability, 3)
            print(json.dumps({**summary, **extra, "timeline": timeline(run)}, ensure_ascii=False))
        else:
            if batch is not None and detected:
                print(
                    f"{path.name}: language detected: {batch.transcript.language} "
                    f"(p={batch.language_probability:.2f})"
                )
            print(format_summary(summary))
    return 1 if failed else 0
