"""Synthetic fixture calls for tests and the demo, rendered from calls.toml.

Per call id (e.g. ``ru_escalating``) the fixture directory holds:

- ``<id>.16k.wav``: 16 kHz mono, customer only (silent while the agent speaks);
- ``<id>.8k.stereo.wav``: 8 kHz telephone band, left customer, right agent;
- ``<id>.8k.agc.wav``: 8 kHz customer, every turn at the same RMS (line AGC);
- ``<id>.json``: labels with turn times (exact from sample counts) and anger onset.
"""

from __future__ import annotations

import json
from pathlib import Path

FIXTURE_DIR: Path = Path(__file__).with_name("generated")

ANGRY_WITHIN_S = 3.0  # after the labelled anger onset
EARLY_TOLERANCE_S = 0.5

__all__ = [
    "FIXTURE_DIR",
    "angry_window_s",
    "call_ids",
    "ensure_fixtures",
    "fixture_vocabulary",
    "load_labels",
    "recorder_transcript",
]


def ensure_fixtures(out: Path | None = None) -> Path:
    """Generate the fixture calls into `out` (default FIXTURE_DIR) unless current; return it."""
    from .make_fixtures import generate  # lazy: keeps `python -m ...make_fixtures` clean

    target = Path(out) if out is not None else FIXTURE_DIR
    generate(target, quiet=True)
    return target


def load_labels(call_id: str, out: Path | None = None) -> dict:
    """The label dict of one call (see make_fixtures), generating the fixtures if needed."""
    if call_id not in call_ids():
        raise KeyError(f"no fixture call {call_id!r}; known: {', '.join(call_ids())}")
    path = ensure_fixtures(out) / f"{call_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def angry_window_s(labels: dict) -> tuple[float, float]:
    """When an escalating or angry call should first be flagged angry: not
    while the customer still speaks calmly (from half a second before their
    first tense or angry turn), and at the latest 3 s after the labelled onset
    or half a second after the first angry turn ends (its words may only be
    heard at its end)."""
    customer = [t for t in labels["turns"] if t["role"] == "customer"]
    heated_from = min(t["start_s"] for t in customer if t.get("style", "calm") != "calm")
    angry_turn_end = min(t["end_s"] for t in customer if t.get("style") == "angry")
    latest = max(labels["anger_onset_s"] + ANGRY_WITHIN_S, angry_turn_end + EARLY_TOLERANCE_S)
    return heated_from - EARLY_TOLERANCE_S, latest


def call_ids() -> list[str]:
    """Ids of all fixture calls, in file order."""
    from .make_fixtures import load_calls

    return [call.id for call in load_calls().calls]


def fixture_vocabulary(lang: str) -> list[str]:
    """Sorted distinct words spoken (customer and agent) in the calls of language `lang`."""
    from .make_fixtures import load_calls

    return load_calls().vocabulary(lang)


def recorder_transcript(labels: dict, *, conf: float = 0.95, **extra: object) -> dict:
    """A call's labels as a call-centre recorder's transcript (the replay's
    JSON format): each turn's words spread evenly over the turn."""
    channels: dict[str, list[dict]] = {"customer": [], "agent": []}
    for turn in labels["turns"]:
        words = turn["text"].split()
        step = (turn["end_s"] - turn["start_s"]) / len(words)
        channels[turn["role"]].append(
            {
                "words": [
                    {
                        "word": w,
                        "start_s": round(turn["start_s"] + i * step, 3),
                        "end_s": round(turn["start_s"] + (i + 0.9) * step, 3),
                        "conf": conf,
                    }
                    for i, w in enumerate(words)
                ]
            }
        )
    return {"version": 1, "language": labels["language"], "channels": channels, **extra}
