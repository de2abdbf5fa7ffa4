"""The readable text of each anger reason, in the call's language.

Templates live in ``assist/data/anger_reasons.toml`` (one table per
language); every template is tried with sample values at load, so a typo in a
placeholder is an error naming the file and line, not a crash mid-call.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ivr.datafile import DataFileError, load_toml
from ivr.tomllines import KeyLines

from .lexicon import DATA_DIR

REASONS_PATH: Path = DATA_DIR / "anger_reasons.toml"
KINDS = (
    "pitch", "pitch_range", "loudness", "brightness", "rate", "voice_quality",
    "pitch_prior", "pitch_range_prior", "loudness_prior", "brightness_prior", "rate_prior",
    "voice_quality_prior",
    "talk_over", "keyword", "phrase",
)  # fmt: skip
_SAMPLE = {
    "pct": 12.0, "st": 3.0, "db": 4.0, "hz": 240.0, "seconds": 5.0,
    "words": "word", "label": "label", "times": "",
}  # fmt: skip


class ReasonTexts:
    """Templates of one language."""

    def __init__(self, templates: dict[str, str]) -> None:
        self._templates = templates

    def render(self, kind: str, **values: float | str) -> str:
        return self._templates[kind].format(**values)


@cache
def reason_texts(language: str, path: Path = REASONS_PATH) -> ReasonTexts:
    """The templates for ``language`` (``ru`` or ``en``; others fall back to ``en``)."""
    data, lines = load_toml(path)
    keys = KeyLines(lines)
    lang = language if language in data else "en"
    table = data.get(lang)
    if not isinstance(table, dict):
        raise DataFileError(path, None, f"no [{lang}] table of reason texts")
    for kind in KINDS:
        template = table.get(kind)
        if not isinstance(template, str):
            raise DataFileError(path, keys.line((lang,)), f"[{lang}] needs a text for '{kind}'")
        try:
            template.format(**_SAMPLE)
        except (KeyError, ValueError, IndexError) as exc:
            raise DataFileError(
                path, keys.line((lang, kind)), f"'{kind}': bad placeholder ({exc})"
            ) from None
    unknown = sorted(set(table) - set(KINDS))
    if unknown:
        raise DataFileError(
            path, keys.line((lang, unknown[0])), f"unknown reason kind(s) {unknown}"
        )
    return ReasonTexts({k: table[k] for k in KINDS})
