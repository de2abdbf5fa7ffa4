"""The chain's redactor stage, as a driver asks for it: PII redaction on by
default with ``assist/data/redact.toml`` (or a site's file), off with
``--no-redact`` for a site that must keep everything, said once in the log
at start so nobody runs without it unknowingly."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from assist.chain.chain import RedactorFactory, no_redaction
from assist.redact import CallRedactor, RedactionConfig, load_redaction_config

log = logging.getLogger("assist.redact")

NOT_REDACTING = (
    "PII redaction is OFF (--no-redact): card, phone, account and passport numbers "
    "go to the store, screens, reports and logs as said"
)


def redaction_config(
    path: Path | None = None, *, enabled: bool = True, quiet: bool = False
) -> RedactionConfig:
    """The redaction settings (``path`` None: the default file); a
    disabled config for ``--no-redact``, announced on stderr and in the log
    (unless ``quiet``: asked again for the same run)."""
    if not enabled and quiet:
        return RedactionConfig.disabled()
    if not enabled:
        log.warning(NOT_REDACTING)
        print(f"ivr-assist: {NOT_REDACTING}", file=sys.stderr, flush=True)
        return RedactionConfig.disabled()
    return load_redaction_config(path)


def redactors(config: RedactionConfig) -> RedactorFactory:
    """A chain's redactor factory: one :class:`CallRedactor` per call."""
    if not config.enabled:
        return no_redaction

    def make(call_id: str, language: str) -> CallRedactor:
        return CallRedactor(config, language)

    return make


def add_redact_options(parser: argparse.ArgumentParser) -> None:
    """``--no-redact`` and ``--redact-config FILE`` for every command whose
    calls' words leave the pipeline."""
    parser.add_argument(
        "--no-redact",
        action="store_true",
        help="keep card, phone, account and passport numbers as said (said in the log at start)",
    )
    parser.add_argument(
        "--redact-config",
        type=Path,
        metavar="FILE",
        help="what is redacted (default: assist/data/redact.toml)",
    )


def config_from_args(args: argparse.Namespace) -> RedactionConfig:
    return redaction_config(
        getattr(args, "redact_config", None), enabled=not getattr(args, "no_redact", False)
    )
