"""The ``ivr-assist`` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from assist.chain.redaction import add_redact_options
from assist.cluster.options import add_broker_option
from assist.listen import ListenError
from ivr.asr.models import LANGUAGES, ModelNotFound
from ivr.asr.vosk_engine import ModelLoadError
from ivr.datafile import DataFileError
from ivr.sources import AudioFileError, MicrophoneError


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model", type=Path, help="a vosk model directory (overrides --lang lookup)"
    )
    parser.add_argument(
        "--download",
        action="store_true",
        help="download vosk's published model when none is cached",
    )


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    """``--engine vosk|whisper`` and the Whisper engine's model and threads."""
    parser.add_argument(
        "--engine",
        choices=("vosk", "whisper"),
        default="vosk",
        help="speech engine: vosk (default, streaming) or whisper (slower, more accurate)",
    )
    _add_whisper_options(parser)


def _add_whisper_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--whisper-model",
        type=Path,
        metavar="DIR",
        help="a CTranslate2 Whisper model directory (default: $IVR_ASSIST_WHISPER_MODEL, "
        "then the user's cache)",
    )
    parser.add_argument(
        "--whisper-threads",
        type=int,
        default=None,
        metavar="N",
        help="CPU threads per Whisper decoder (default: $IVR_ASSIST_WHISPER_THREADS or automatic)",
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from assist.demo import DEMO_CALLS, DemoOptions, run_demo
    from assist.screen_text import check_screen_texts

    check_screen_texts()  # the pages' words: a broken file is one line now, not a blank page

    options = DemoOptions(
        calls=tuple(args.calls or DEMO_CALLS),
        host=args.host,
        port=args.port,
        speed=args.speed,
        stereo=not args.mono,
        exit_when_done=args.exit_when_done,
        model=args.model,
        allow_download=args.download,
        access_file=args.access,
        calls_dir=args.calls_dir,
        redact=not args.no_redact,
        redact_file=args.redact_config,
    )
    try:
        asyncio.run(run_demo(options))
    except KeyboardInterrupt:
        print("stopped.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from assist.screen_text import check_screen_texts
    from assist.serve import ServeOptions, serve_forever

    check_screen_texts()
    if getattr(args, "post_call", None) and getattr(args, "record", None) is None:
        print("ivr-assist serve: --post-call needs --record DIR", file=sys.stderr)
        return 2

    asyncio.run(serve_forever(ServeOptions.from_args(args, tuple(args.lang))))
    return 0


def cmd_build_model(args: argparse.Namespace) -> int:
    from assist.vocabulary import default_vocabulary
    from ivr.modelbuild import build_model, ensure_built_model, read_vocabulary_file

    words = read_vocabulary_file(args.vocab) if args.vocab else default_vocabulary(args.lang)
    if args.out is None:
        # Into the cache, with its manifest, so the demo and serve use it at once.
        out = ensure_built_model(args.lang, words, seed=args.seed, progress=not args.quiet)
        print(f"model for {args.lang} ({len(words)} words) ready in {out}")
        return 0
    report = build_model(args.lang, words, args.out, seed=args.seed, progress=not args.quiet)
    print(f"model for {args.lang} ({len(words)} words) written to {args.out}")
    print(report)
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from assist.analyze import run_analyze

    return run_analyze(args)


def cmd_replay(args: argparse.Namespace) -> int:
    from assist.replay.command import run_replay

    return run_replay(args)


def cmd_post_call(args: argparse.Namespace) -> int:
    from assist.postcall import run_post_call_command

    return run_post_call_command(args)


def _add_post_call(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    post = sub.add_parser(
        "post-call",
        help="transcribe finished calls again with Whisper and re-run the anger timeline",
        description=(
            "The post-call pass: each call's recording is transcribed by Whisper, the "
            "anger timeline is re-run on those words, and the store keeps them beside the "
            "live transcript, labelled by engine. CALL is a stored call id (its recording "
            "is CALL.wav in --recordings DIR) or a recording's path. Exit code 1 if any failed."
        ),
    )
    post.add_argument("calls", nargs="+", metavar="CALL", help="call id or recording")
    post.add_argument(
        "--recordings",
        type=Path,
        metavar="DIR",
        help="where the calls' recordings are (default $IVR_ASSIST_RECORDINGS or "
        "~/.local/share/ivr-assist/recordings)",
    )
    post.add_argument(
        "--lang", choices=LANGUAGES, help="language (default: the stored call's, else detected)"
    )
    post.add_argument("--customer-channel", choices=("left", "right"), default="left")
    post.add_argument("--report", type=Path, metavar="DIR", help="write the QA report here")
    where = post.add_mutually_exclusive_group()
    where.add_argument("--store", type=Path, metavar="FILE", help="the call store")
    where.add_argument("--no-store", action="store_true", help="do not write to the store")
    post.add_argument(
        "--download", action="store_true", help="let faster-whisper download its model by name"
    )
    _add_whisper_options(post)
    post.set_defaults(run=cmd_post_call)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add_replay(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    replay = sub.add_parser(
        "replay",
        help="recorded calls through the live pipeline, into the store and an HTML report",
        description=(
            "Replay recorded calls (files, folders, globs; WAV 8-48 kHz mono or stereo, "
            "mu-law/A-law WAV, raw .ul/.al) through the same pipeline as live calls. "
            "A NAME.transcript.json beside a recording (or given instead of it) replaces "
            "recognition with the recorder's words. Exit code 1 if any call failed."
        ),
    )
    replay.add_argument("paths", nargs="+", metavar="PATH", help="file, folder or glob")
    replay.add_argument("--lang", choices=LANGUAGES, default="ru")
    replay.add_argument(
        "--customer-channel",
        choices=("left", "right"),
        default="left",
        help="the customer's side of a stereo recording (default left)",
    )
    replay.add_argument(
        "--report",
        type=Path,
        metavar="DIR",
        help="write a page per call, index.html, summary.csv and summary.json",
    )
    replay.add_argument(
        "--jobs", type=_positive, default=1, metavar="N", help="worker processes (default 1)"
    )
    where = replay.add_mutually_exclusive_group()
    where.add_argument(
        "--store",
        type=Path,
        metavar="FILE",
        help="the call store (default $IVR_ASSIST_STORE or ~/.local/share/ivr-assist/calls.sqlite)",
    )
    where.add_argument("--no-store", action="store_true", help="do not write to the store")
    _add_model_options(replay)
    add_redact_options(replay)
    add_broker_option(replay, with_access=True)
    _add_engine_options(replay)
    replay.set_defaults(run=cmd_replay)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ivr-assist", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="stream the fixture calls live and serve the pages")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    demo.add_argument(
        "--access", type=Path, help="TOML file of tokens (required off loopback, as for serve)"
    )
    demo.add_argument("--speed", type=float, default=1.0, help="pace relative to real time")
    demo.add_argument(
        "--calls", nargs="+", help="demo call names (default: calm and escalating, ru and en)"
    )
    demo.add_argument(
        "--calls-dir",
        type=Path,
        help="folder of the demo calls (NAME.8k.stereo.wav; default: $IVR_ASSIST_DEMO_CALLS, "
        "else the repository's fixture calls)",
    )
    demo.add_argument(
        "--mono", action="store_true", help="customer-only 16 kHz audio instead of 8 kHz stereo"
    )
    demo.add_argument("--exit-when-done", action="store_true", help="stop when the calls end")
    _add_model_options(demo)
    add_redact_options(demo)
    demo.set_defaults(run=cmd_demo)

    serve = sub.add_parser(
        "serve", help="the live hub: pages, screens and audio ingest on one port"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--access", type=Path, help="TOML file of tokens (required off loopback)")
    serve.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    serve.add_argument("--quiet", action="store_true", help="no live event log")
    serve.add_argument(
        "--store", type=Path, help="call store file (default: the user's data folder)"
    )
    serve.add_argument("--no-store", action="store_true", help="keep calls in memory only")
    serve.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="keep each live call's audio as DIR/CALL_ID.wav (stereo when both legs arrive)",
    )
    serve.add_argument(
        "--post-call",
        choices=("whisper",),
        help="after each recorded call ends, transcribe it again with Whisper in a "
        "low-priority worker and keep that transcript in the store (needs --record)",
    )
    serve.add_argument("--tls-cert", type=Path, help="PEM certificate: serve https and wss")
    serve.add_argument("--tls-key", type=Path, help="PEM private key of --tls-cert")
    serve.add_argument(
        "--telephony",
        action="store_true",
        help="take Twilio media streams (/twilio) and FreeSWITCH audio_fork (/audio_fork) "
        "on the hub's port for live assist",
    )
    serve.add_argument(
        "--audiosocket",
        nargs="+",
        metavar="HOST:PORT[:LANG[:ROLE]]",
        help="Asterisk AudioSocket listeners for live assist (ROLE customer or agent)",
    )
    serve.add_argument(
        "--idle-timeout",
        type=float,
        default=20.0,
        metavar="S",
        help="end a call leg whose peer sends nothing for S seconds (default 20)",
    )
    serve.add_argument(
        "--retain-ended",
        type=float,
        default=300.0,
        metavar="S",
        help="keep an ended call in memory S seconds, then serve it from the store (default 300)",
    )
    serve.add_argument(
        "--recent-window",
        type=float,
        default=900.0,
        metavar="S",
        help="a new supervisor is shown calls that ended in the last S seconds (default 900)",
    )
    _add_model_options(serve)
    add_redact_options(serve)
    add_broker_option(serve)
    serve.set_defaults(run=cmd_serve)

    build = sub.add_parser("build-model", help="build the project's own synthetic vosk model")
    build.add_argument("--lang", choices=LANGUAGES, required=True)
    build.add_argument(
        "--vocab", type=Path, help="one word per line (default: the project's vocabulary)"
    )
    build.add_argument("--out", type=Path, help="model directory (default: the user's cache)")
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--quiet", action="store_true")
    build.set_defaults(run=cmd_build_model)

    analyze = sub.add_parser("analyze", help="anger timeline of recordings, as fast as possible")
    analyze.add_argument("files", nargs="+")
    analyze.add_argument("--json", action="store_true", help="one JSON object per file")
    analyze.add_argument(
        "--lang",
        choices=(*LANGUAGES, "auto"),
        default="ru",
        help="language (auto: detected per file, --engine whisper only)",
    )
    analyze.add_argument("--customer-channel", choices=("left", "right"), default="left")
    _add_model_options(analyze)
    add_redact_options(analyze)
    _add_engine_options(analyze)
    analyze.set_defaults(run=cmd_analyze)

    _add_replay(sub)
    _add_post_call(sub)
    from assist.ivrcall.cli import add_parsers as add_ivr

    add_ivr(sub, _add_model_options)

    from assist.text.command import add_parser as add_text

    add_text(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (
        ModelNotFound,
        ModelLoadError,
        DataFileError,
        AudioFileError,
        MicrophoneError,
        ListenError,
    ) as exc:
        print(f"ivr-assist: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
