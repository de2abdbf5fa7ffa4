"""Recorder-style transcripts of the fixture calls, from their labels: each
turn's words spread evenly over the turn (what a recorder's ASR would give)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def transcript_from_labels(labels: dict[str, Any], **extra: Any) -> dict[str, Any]:
    channels: dict[str, list[dict[str, Any]]] = {"customer": [], "agent": []}
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
                        "conf": 0.95,
                    }
                    for i, w in enumerate(words)
                ]
            }
        )
    return {"version": 1, "language": labels["language"], "channels": channels, **extra}


def write_transcript(path: Path, labels: dict[str, Any], **extra: Any) -> Path:
    path.write_text(
        json.dumps(transcript_from_labels(labels, **extra), ensure_ascii=False), encoding="utf-8"
    )
    return path
