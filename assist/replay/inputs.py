"""Which calls a replay covers: files, folders (recursively) and globs,
recordings paired with their recorder transcripts, a call id for each.

A path that names nothing, or a transcript that names no recording, becomes
a :class:`ReplayInput` with a ``problem``, so it is reported as failed with
the batch going on; unreadable recordings are found out when replayed.
"""

from __future__ import annotations

import glob
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assist.replay.transcript_file import (
    TRANSCRIPT_SUFFIX,
    is_transcript_file,
    transcript_beside,
)
from ivr.sources import RAW_G711_EXTENSIONS, AudioFileError, probe_audio_file

AUDIO_EXTENSIONS: frozenset[str] = frozenset({".wav", ".wave", *RAW_G711_EXTENSIONS})
_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class ReplayInput:
    label: str  # what to call it in messages (the path as found)
    audio: Path | None
    transcript: Path | None = None
    call_id: str = ""  # the transcript's call_id if it has one; unique after discover()
    problem: str | None = None  # why it cannot be replayed at all


def discover(paths: Sequence[str]) -> list[ReplayInput]:
    """The calls named by ``paths``, in the order given (folders sorted),
    each recording once, with unique call ids."""
    found: list[ReplayInput] = []
    for arg in paths:
        path = Path(arg).expanduser()
        if path.is_dir():
            found += [_one(p) for p in _walk(path)]
        elif path.exists():
            found.append(_one(path))
        elif _GLOB_CHARS.search(arg):
            matches = sorted(glob.glob(str(path), recursive=True))
            if not matches:
                found.append(ReplayInput(arg, None, problem="no files match this pattern"))
            for match in matches:
                p = Path(match)
                found += [_one(q) for q in _walk(p)] if p.is_dir() else [_one(p)]
        else:
            found.append(ReplayInput(arg, None, problem="no such file or folder"))
    return _unique_ids(_merge(found))


def _walk(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and (p.suffix.lower() in AUDIO_EXTENSIONS or is_transcript_file(p))
    )


def _one(path: Path) -> ReplayInput:
    if not is_transcript_file(path):
        beside = transcript_beside(path)
        if not beside.is_file():
            try:
                probe_audio_file(path)  # a broken file fails here, before any model is loaded
            except AudioFileError as exc:
                return ReplayInput(str(path), path, problem=exc.problem)
            return ReplayInput(str(path), path)
        return ReplayInput(str(path), path, beside, call_id=_peek(beside).get("call_id", ""))
    audio, problem = _audio_of(path)
    return ReplayInput(
        str(path), audio, path, call_id=_peek(path).get("call_id", ""), problem=problem
    )


def _peek(transcript: Path) -> dict[str, str]:
    """The transcript's string keys, read leniently (it is checked in full when replayed)."""
    try:
        data = json.loads(transcript.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str) and v.strip()}


def _audio_of(transcript: Path) -> tuple[Path | None, str | None]:
    """The recording a transcript belongs to: its "audio" key, else a
    recording beside it with the same name."""
    try:
        json.loads(transcript.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, f"transcript cannot be read ({exc})"
    named = _peek(transcript).get("audio")
    if named:
        return transcript.parent / named, None
    stem = transcript.name[: -len(TRANSCRIPT_SUFFIX)]
    for ext in sorted(AUDIO_EXTENSIONS):
        for candidate in (
            transcript.with_name(stem + ext),
            transcript.with_name(stem + ext.upper()),
        ):
            if candidate.is_file():
                return candidate, None
    return None, (
        f'no recording for this transcript: add "audio" to it or put {stem}.wav beside it '
        "(replay analyses the audio; the transcript only replaces recognition)"
    )


def _merge(found: list[ReplayInput]) -> list[ReplayInput]:
    """One input per recording: a recording and its transcript named
    separately (or found twice) become one."""
    out: list[ReplayInput] = []
    by_audio: dict[Path, int] = {}
    for item in found:
        if item.audio is None:
            out.append(item)
            continue
        key = item.audio.resolve()
        index = by_audio.get(key)
        item = replace(item, label=str(item.audio))  # name calls by their recording
        if index is None:
            by_audio[key] = len(out)
            out.append(item)
        elif out[index].transcript is None and item.transcript is not None:
            out[index] = replace(out[index], transcript=item.transcript, call_id=item.call_id)
    return out


def _unique_ids(items: list[ReplayInput]) -> list[ReplayInput]:
    taken: dict[str, int] = {}
    out = []
    for item in items:
        if item.call_id:
            base = item.call_id  # the recorder's own id, from its transcript
        elif item.audio is not None:
            base = item.audio.stem
        else:
            base = Path(item.label).stem
        count = taken.get(base, 0) + 1
        taken[base] = count
        out.append(replace(item, call_id=base if count == 1 else f"{base}-{count}"))
    return out
