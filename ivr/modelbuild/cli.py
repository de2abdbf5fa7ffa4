"""Command line: build a vosk model for a vocabulary file.

``python -m ivr.modelbuild --lang ru --vocab FILE --out DIR [--seed N]``
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ivr.modelbuild.build import PRESETS, build_model
from ivr.modelbuild.synth import SynthesisError
from ivr.modelbuild.vocab import read_vocabulary_file
from ivr.modelbuild.voices import LANGUAGES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", required=True, choices=sorted(LANGUAGES))
    parser.add_argument(
        "--vocab", required=True, type=Path, help="one word per line, # starts a comment"
    )
    parser.add_argument("--out", required=True, type=Path, help="model directory to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--preset", default="default", choices=sorted(PRESETS))
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    """Build the model; return a process exit status (errors go to stderr)."""
    try:
        words = read_vocabulary_file(args.vocab)
        report = build_model(
            args.lang,
            words,
            args.out,
            seed=args.seed,
            progress=not args.quiet,
            preset=args.preset,
        )
    except (ValueError, SynthesisError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {report.out_dir} ({len(report.words)} words + [unk], "
        f"{report.model_bytes / 1e6:.1f} MB) in {report.total_s:.0f} s"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ivr.modelbuild",
        description="Build a small vosk model from synthetic espeak-ng speech "
        "(for tests, demos and closed-vocabulary IVR prompts; not a model of human speech).",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
