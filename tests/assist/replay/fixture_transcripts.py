"""Recorder-style transcripts of the fixture calls written where a replay finds them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from audio_fixtures import recorder_transcript


def write_transcript(path: Path, labels: dict[str, Any], **extra: Any) -> Path:
    path.write_text(
        json.dumps(recorder_transcript(labels, **extra), ensure_ascii=False), encoding="utf-8"
    )
    return path
