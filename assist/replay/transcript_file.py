"""Transcripts a call-centre's recorder already made, so replay can skip
speech recognition and run only the audio analysis.

The file is JSON, named ``<recording stem>.transcript.json`` beside the
recording (``call-0412.wav`` + ``call-0412.transcript.json``), or given on its
own with ``"audio"`` naming the recording::

    {
      "version": 1,
      "call_id": "call-0412",          optional; default: the recording's stem
      "language": "ru",                optional; default: replay's --lang
      "agent_id": "a17",               optional: who took the call
      "audio": "call-0412.wav",        optional; relative to this file
      "channels": {                    "customer" and/or "agent"
        "customer": [                  utterances, each one recogniser "final"
          {"words": [
             {"word": "алло", "start_s": 0.42, "end_s": 0.80, "conf": 0.97},
             {"word": "это",  "start_s": 0.85, "end_s": 1.02}
          ]}
        ],
        "agent": []
      }
    }

Times are seconds from the start of the recording. ``conf`` (0..1) is
optional and defaults to 1.0; an utterance may carry its ``"text"``,
otherwise its words joined by spaces. Anything else is refused with
:class:`TranscriptFileError` naming the file and the place in it.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ivr import events as ev

TRANSCRIPT_SUFFIX = ".transcript.json"
FORMAT_VERSION = 1

_TOP_KEYS = {"version", "call_id", "language", "agent_id", "audio", "channels"}
_UTTERANCE_KEYS = {"words", "text"}
_WORD_KEYS = {"word", "start_s", "end_s", "conf"}
_MAX_BYTES = 64 * 1024 * 1024


class TranscriptFileError(ValueError):
    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@dataclass(frozen=True)
class Utterance:
    role: ev.ChannelRole
    text: str
    words: tuple[ev.Word, ...]

    @property
    def end_s(self) -> float:
        return self.words[-1].end_s


@dataclass(frozen=True)
class RecordedTranscript:
    path: Path
    call_id: str | None
    language: str | None
    agent_id: str
    audio: Path | None  # resolved against the file's folder
    utterances: tuple[Utterance, ...]  # in order of their end time


def transcript_beside(audio: Path) -> Path:
    """Where a recording's transcript would be: ``<stem>.transcript.json``."""
    return audio.with_name(audio.stem + TRANSCRIPT_SUFFIX)


def is_transcript_file(path: Path) -> bool:
    return path.name.lower().endswith(TRANSCRIPT_SUFFIX)


def read_transcript(path: str | os.PathLike[str]) -> RecordedTranscript:
    path = Path(path)
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise TranscriptFileError(path, f"larger than {_MAX_BYTES // 2**20} MB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TranscriptFileError(path, "no such file") from None
    except IsADirectoryError:
        raise TranscriptFileError(path, "is a directory, not a transcript") from None
    except OSError as exc:
        raise TranscriptFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise TranscriptFileError(path, "not UTF-8 text") from None
    except ValueError as exc:
        raise TranscriptFileError(path, f"not valid JSON ({exc})") from None
    return parse_transcript(data, path)


def parse_transcript(data: Any, path: Path) -> RecordedTranscript:
    """Check and convert a transcript's JSON data (``path`` names it in errors)."""

    def fail(where: str, problem: str) -> TranscriptFileError:
        return TranscriptFileError(path, f"{where}: {problem}" if where else problem)

    if not isinstance(data, dict):
        raise fail("", "a transcript is a JSON object")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise fail("", f"unknown key(s) {sorted(unknown)}; known: {sorted(_TOP_KEYS)}")
    if data.get("version") != FORMAT_VERSION:
        raise fail("version", f"must be {FORMAT_VERSION}, found {data.get('version')!r}")
    for key in ("call_id", "language", "agent_id", "audio"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            raise fail(key, "must be a non-empty string")
    channels = data.get("channels")
    if not isinstance(channels, dict):
        raise fail("channels", "missing, or not an object of customer/agent utterances")
    utterances: list[Utterance] = []
    for name, items in channels.items():
        try:
            role = ev.ChannelRole(name)
        except ValueError:
            raise fail(f"channels.{name}", "unknown channel (customer or agent)") from None
        if not isinstance(items, list):
            raise fail(f"channels.{name}", "must be a list of utterances")
        for n, item in enumerate(items):
            utterances.append(_utterance(item, role, f"channels.{name}[{n}]", fail))
    utterances.sort(key=lambda u: (u.end_s, u.role is not ev.ChannelRole.CUSTOMER))
    audio = data.get("audio")
    return RecordedTranscript(
        path=path,
        call_id=data.get("call_id"),
        language=data.get("language"),
        agent_id=data.get("agent_id", ""),
        audio=(path.parent / audio) if audio else None,
        utterances=tuple(utterances),
    )


def _utterance(item: Any, role: ev.ChannelRole, where: str, fail: Any) -> Utterance:
    if not isinstance(item, dict):
        raise fail(where, "an utterance is an object with 'words'")
    unknown = set(item) - _UTTERANCE_KEYS
    if unknown:
        raise fail(where, f"unknown key(s) {sorted(unknown)}")
    raw_words = item.get("words")
    if not isinstance(raw_words, list) or not raw_words:
        raise fail(f"{where}.words", "must be a non-empty list of words")
    words: list[ev.Word] = []
    for n, raw in enumerate(raw_words):
        at = f"{where}.words[{n}]"
        if not isinstance(raw, dict):
            raise fail(at, "a word is an object with word, start_s, end_s")
        unknown = set(raw) - _WORD_KEYS
        if unknown:
            raise fail(at, f"unknown key(s) {sorted(unknown)}")
        word = raw.get("word")
        if not isinstance(word, str) or not word.strip():
            raise fail(f"{at}.word", "must be a non-empty string")
        start_s = _seconds(raw.get("start_s"), f"{at}.start_s", fail)
        end_s = _seconds(raw.get("end_s"), f"{at}.end_s", fail)
        if end_s < start_s:
            raise fail(at, f"ends ({end_s}) before it starts ({start_s})")
        if words and start_s < words[-1].start_s:
            raise fail(at, "words must be in time order")
        conf = raw.get("conf", 1.0)
        if isinstance(conf, bool) or not isinstance(conf, (int, float)) or not 0 <= conf <= 1:
            raise fail(f"{at}.conf", "must be a number from 0 to 1")
        words.append(ev.Word(word.strip(), start_s, end_s, float(conf)))
    text = item.get("text")
    if text is not None and not isinstance(text, str):
        raise fail(f"{where}.text", "must be a string")
    return Utterance(role, text if text else " ".join(w.word for w in words), tuple(words))


def _seconds(value: Any, where: str, fail: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(where, "must be a number of seconds")
    if not math.isfinite(value) or value < 0:
        raise fail(where, f"must be a finite, non-negative number of seconds, not {value}")
    return float(value)


def transcript_to_dict(transcript: RecordedTranscript) -> dict[str, Any]:
    """The transcript in this file format (what :func:`parse_transcript` reads back)."""
    channels: dict[str, list[dict[str, Any]]] = {}
    for u in transcript.utterances:
        channels.setdefault(u.role.value, []).append(
            {
                "text": u.text,
                "words": [
                    {"word": w.word, "start_s": w.start_s, "end_s": w.end_s, "conf": w.conf}
                    for w in u.words
                ],
            }
        )
    data: dict[str, Any] = {"version": FORMAT_VERSION}
    if transcript.call_id:
        data["call_id"] = transcript.call_id
    if transcript.language:
        data["language"] = transcript.language
    if transcript.agent_id:
        data["agent_id"] = transcript.agent_id
    if transcript.audio is not None:
        data["audio"] = transcript.audio.name
    data["channels"] = channels
    return data
