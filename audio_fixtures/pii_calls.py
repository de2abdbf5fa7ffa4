"""Fixture calls for the PII redactor, rendered from pii_calls.toml.

They are made exactly like the other fixture calls (espeak-ng and sox, by
:func:`audio_fixtures.make_fixtures.generate`, same outputs per call id) but
into their own folder and outside :func:`audio_fixtures.fixture_vocabulary`,
so the shipped speech models, built from that vocabulary, stay current.

Usage: python -m audio_fixtures.pii_calls [--out DIR] [--force]
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

from .make_fixtures import CallsFileError, ToolMissingError, generate, load_calls

PII_CALLS_FILE = Path(__file__).with_name("pii_calls.toml")
PII_FIXTURE_DIR = Path(__file__).with_name("generated") / "pii"

__all__ = [
    "PII_CALLS_FILE",
    "PII_FIXTURE_DIR",
    "ensure_pii_fixtures",
    "load_pii_labels",
    "pii_call_ids",
    "pii_expectations",
]


def ensure_pii_fixtures(out: Path | None = None) -> Path:
    """Generate the PII fixture calls into ``out`` (default PII_FIXTURE_DIR) unless current."""
    target = Path(out) if out is not None else PII_FIXTURE_DIR
    generate(target, calls_file=PII_CALLS_FILE, quiet=True)
    return target


def pii_call_ids() -> list[str]:
    return [call.id for call in load_calls(PII_CALLS_FILE).calls]


def load_pii_labels(call_id: str, out: Path | None = None) -> dict:
    """A PII call's labels (turn times and texts), generating the calls if needed."""
    if call_id not in pii_call_ids():
        raise KeyError(f"no PII fixture call {call_id!r}; known: {', '.join(pii_call_ids())}")
    path = ensure_pii_fixtures(out) / f"{call_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def pii_expectations(call_id: str) -> tuple[list[str], list[str]]:
    """(secrets, keep) of a call: digit strings that must never get out, and
    phrases with numbers that are not PII and must survive."""
    load_calls(PII_CALLS_FILE)  # the usual checks, with file:line errors
    data = tomllib.loads(PII_CALLS_FILE.read_text(encoding="utf-8"))
    for call in data["calls"]:
        if call["id"] == call_id:
            secrets, keep = call.get("secrets", []), call.get("keep", [])
            if not all(isinstance(s, str) and s.isdigit() for s in secrets):
                raise CallsFileError(f"{PII_CALLS_FILE}: call {call_id}: secrets are digit strings")
            return list(secrets), [str(k) for k in keep]
    raise KeyError(call_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PII_FIXTURE_DIR, help="output directory")
    parser.add_argument("--force", action="store_true", help="regenerate even if current")
    args = parser.parse_args(argv)
    try:
        made = generate(args.out, calls_file=PII_CALLS_FILE, force=args.force, quiet=False)
    except (CallsFileError, ToolMissingError, RuntimeError, OSError) as exc:
        print(f"pii_calls: error: {exc}", file=sys.stderr)
        return 1
    if not made:
        print(f"PII fixture calls in {args.out} are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
