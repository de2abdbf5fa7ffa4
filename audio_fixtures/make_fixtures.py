"""Render the fixture calls in calls.toml to audio and label files with espeak-ng and sox.

Usage: python -m audio_fixtures.make_fixtures [--out DIR] [--quiet] [--force]

Outputs per call (see the package docstring): <id>.16k.wav, <id>.8k.stereo.wav,
<id>.8k.agc.wav and <id>.json. A stamp (hash of this script, the calls file and
the espeak-ng and sox versions) makes a re-run with nothing changed a no-op.
"""

from __future__ import annotations

import argparse
import fcntl
import functools
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ivr.sources import write_wav

CALLS_FILE = Path(__file__).with_name("calls.toml")
DEFAULT_OUT = Path(__file__).with_name("generated")
RATE_HZ = 16_000
PHONE_RATE_HZ = 8_000
PHONE_BAND_HZ = (300, 3400)
AGC_RMS_DBFS = -24.0
GAP_S = 0.4  # silence before, between and after turns
MAX_WORDS_PER_LANGUAGE = 120
CALL_DURATION_S = (12.0, 25.0)
MIN_CALM_BASELINE_S = 5.0  # escalating: calm customer speech before anger
MIN_WARMUP_S = 2.0  # angry: less heated customer speech before anger
STYLES = ("calm", "tense", "angry")
KINDS = ("calm", "escalating", "angry")
OUTPUT_SUFFIXES = (".16k.wav", ".8k.stereo.wav", ".8k.agc.wav", ".json")
ALPHABETS = {"ru": "абвгдежзийклмнопрстуфхцчшщъыьэюя", "en": "abcdefghijklmnopqrstuvwxyz"}
PUNCTUATION = ".,!?;: "
STAMP_NAME = ".stamp"


class CallsFileError(ValueError):
    """The calls file is malformed; the message starts with 'file:line:'."""


class ToolMissingError(RuntimeError):
    """espeak-ng or sox is not installed."""


@dataclass(frozen=True)
class Style:
    rate_wpm: int
    pitch: int
    range_pct: int
    peak_dbfs: float
    treble_db: float


@dataclass(frozen=True)
class Turn:
    role: str
    text: str
    style: str
    line: int

    @property
    def words(self) -> list[str]:
        return re.findall(r"[^\W\d_]+", self.text)


@dataclass(frozen=True)
class Call:
    id: str
    language: str
    kind: str
    customer_voice: str
    agent_voice: str
    turns: tuple[Turn, ...]
    line: int


@dataclass(frozen=True)
class Script:
    path: Path
    styles: dict[str, Style]
    calls: tuple[Call, ...]

    def vocabulary(self, language: str) -> list[str]:
        return sorted(
            {w for c in self.calls if c.language == language for t in c.turns for w in t.words}
        )


class _Source:
    """The raw lines of the calls file, to point errors at a line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def find(self, pattern: str, after: int = 1) -> int:
        """1-based line of the first match of `pattern` at or after line `after`, else `after`."""
        rx = re.compile(pattern)
        for i in range(after - 1, len(self.lines)):
            if rx.search(self.lines[i]):
                return i + 1
        return after

    def error(self, line: int, message: str) -> CallsFileError:
        return CallsFileError(f"{self.path}:{line}: {message}")


def _get(src: _Source, table: dict, key: str, kind: type, line: int, default: object = None):
    """table[key] checked against `kind`; errors point at the key's line after `line`."""
    if key not in table:
        if default is None:
            raise src.error(line, f"missing key '{key}'")
        return default
    value = table[key]
    ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        where = src.find(rf"^\s*{re.escape(key)}\s*=", line)
        raise src.error(where, f"'{key}' must be {kind.__name__}, not {value!r}")
    return value


def _parse_style(src: _Source, name: str, table: dict) -> Style:
    line = src.find(rf"^\s*\[\s*styles\.{re.escape(name)}\s*\]")
    if name not in STYLES:
        raise src.error(line, f"unknown style '{name}' (use {', '.join(STYLES)})")
    style = Style(
        _get(src, table, "rate_wpm", int, line),
        _get(src, table, "pitch", int, line),
        _get(src, table, "range_pct", int, line),
        _get(src, table, "peak_dbfs", float, line),
        _get(src, table, "treble_db", float, line),
    )
    limits = {
        "rate_wpm": (80, 400),
        "pitch": (0, 99),
        "range_pct": (-100, 200),
        "peak_dbfs": (-40.0, -1.0),
        "treble_db": (0.0, 12.0),
    }
    for key, (lo, hi) in limits.items():
        if not lo <= getattr(style, key) <= hi:
            where = src.find(rf"^\s*{key}\s*=", line)
            raise src.error(where, f"'{key}' must be within {lo}..{hi}")
    return style


def _parse_turn(src: _Source, call_line: int, lang: str, styles: dict, raw: object) -> Turn:
    if not isinstance(raw, dict):
        raise src.error(call_line, f"a turn must be a table, not {raw!r}")
    roles = [r for r in ("customer", "agent") if r in raw]
    text = raw.get(roles[0]) if len(roles) == 1 else None
    line = (
        src.find(f"[\"']{re.escape(text)}[\"']", call_line) if isinstance(text, str) else call_line
    )
    if len(roles) != 1 or not isinstance(text, str) or set(raw) - {roles[0], "style"}:
        raise src.error(
            line,
            f'a turn is {{ customer = "..." }} or {{ agent = "..." }} '
            f"with an optional style, not {raw!r}",
        )
    style = raw.get("style", "calm")
    if style not in styles:
        raise src.error(line, f"unknown style {style!r} (defined: {', '.join(styles)})")
    bad = sorted(set(text) - set(ALPHABETS[lang]) - set(PUNCTUATION))
    if bad:
        raise src.error(
            line,
            f"characters {''.join(bad)!r} not allowed: write lowercase "
            f"'{lang}' words, numbers as words, punctuation from {PUNCTUATION!r}",
        )
    turn = Turn(roles[0], text, style, line)
    if not turn.words:
        raise src.error(line, "empty turn")
    return turn


def _parse_call(src: _Source, line: int, raw: dict, styles: dict, languages: dict) -> Call:
    call_id = _get(src, raw, "id", str, line)
    if not re.fullmatch(r"[a-z0-9_]+", call_id):
        raise src.error(src.find(r"^\s*id\s*=", line), f"bad call id {call_id!r}")
    lang = _get(src, raw, "language", str, line)
    if lang not in languages:
        where = src.find(r"^\s*language\s*=", line)
        raise src.error(where, f"language {lang!r} has no [languages.{lang}] table")
    kind = _get(src, raw, "kind", str, line)
    if kind not in KINDS:
        raise src.error(src.find(r"^\s*kind\s*=", line), f"kind must be one of {KINDS}")
    voice = languages[lang]
    customer = _get(src, raw, "customer_variant", str, line, voice["customer_variant"])
    turns = tuple(
        _parse_turn(src, line, lang, styles, t) for t in _get(src, raw, "turns", list, line)
    )
    if not turns:
        raise src.error(line, f"call {call_id} has no turns")
    for prev, turn in itertools.pairwise(turns):
        if prev.role == turn.role:
            raise src.error(turn.line, "customer and agent turns must alternate")
    for turn in turns:
        if turn.role == "agent" and turn.style != "calm":
            raise src.error(turn.line, "agents speak calmly: drop the style of agent turns")
    cust = [t for t in turns if t.role == "customer"]
    first_angry = next((i for i, t in enumerate(cust) if t.style == "angry"), None)
    rule = {
        "calm": first_angry is None and all(t.style == "calm" for t in cust),
        "escalating": first_angry is not None and cust[0].style == "calm",
        "angry": first_angry == 1,
    }[kind]
    if not rule:
        needs = {
            "calm": "only calm customer turns",
            "escalating": "a calm first customer turn and a later angry one",
            "angry": "a less heated first customer turn and an angry second one",
        }[kind]
        raise src.error(line, f"a {kind} call needs {needs}")
    return Call(
        call_id,
        lang,
        kind,
        f"{voice['voice']}+{customer}",
        f"{voice['voice']}+{voice['agent_variant']}",
        turns,
        line,
    )


def load_calls(path: Path = CALLS_FILE) -> Script:
    """Parse and validate the calls file; raise CallsFileError naming file and line."""
    text = path.read_text(encoding="utf-8")
    src = _Source(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise src.error(int(found.group(1)) if found else 1, str(exc)) from None
    unknown = set(data) - {"styles", "languages", "calls"}
    if unknown:
        raise src.error(src.find(re.escape(sorted(unknown)[0])), f"unknown keys {sorted(unknown)}")
    styles = {
        name: _parse_style(src, name, t if isinstance(t, dict) else {})
        for name, t in _get(src, data, "styles", dict, 1).items()
    }
    languages = _get(src, data, "languages", dict, 1)
    for lang, table in languages.items():
        line = src.find(rf"^\s*\[\s*languages\.{re.escape(lang)}\s*\]")
        if lang not in ALPHABETS:
            raise src.error(line, f"unsupported language {lang!r} (use {', '.join(ALPHABETS)})")
        for key in ("voice", "customer_variant", "agent_variant"):
            _get(src, table, key, str, line)
    headers = [i + 1 for i, s in enumerate(src.lines) if re.match(r"\s*\[\[\s*calls\s*\]\]", s)]
    raw_calls = _get(src, data, "calls", list, 1)
    headers += [len(src.lines)] * (len(raw_calls) - len(headers))
    calls = tuple(
        _parse_call(src, line, raw, styles, languages)
        for line, raw in zip(headers, raw_calls, strict=False)
    )
    seen: set[str] = set()
    for call in calls:
        if call.id in seen:
            raise src.error(call.line, f"duplicate call id {call.id!r}")
        seen.add(call.id)
    script = Script(path, styles, calls)
    for lang in languages:
        words: set[str] = set()
        for turn in (t for c in calls if c.language == lang for t in c.turns):
            words.update(turn.words)
            if len(words) > MAX_WORDS_PER_LANGUAGE:
                raise src.error(
                    turn.line,
                    f"more than {MAX_WORDS_PER_LANGUAGE} distinct "
                    f"'{lang}' words; reuse words already spoken",
                )
    return script


# ------------------------------------------------------------------ rendering


def _run(cmd: list[str], data: bytes | None = None) -> bytes:
    if shutil.which(cmd[0]) is None:
        raise ToolMissingError(
            f"'{cmd[0]}' is not installed; the fixture calls need espeak-ng "
            "and sox (Debian: apt-get install espeak-ng sox)"
        )
    done = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{' '.join(cmd[:3])} ... failed: {detail}")
    return done.stdout


def _sox_raw(channels: int, rate_hz: int) -> list[str]:
    return [
        "-t",
        "raw",
        "-e",
        "signed-integer",
        "-b",
        "16",
        "-c",
        str(channels),
        "-r",
        str(rate_hz),
    ]


def render_turn(voice: str, style: Style, text: str) -> np.ndarray:
    """One turn as int16 samples at RATE_HZ, silence trimmed, padded to an even length."""
    ssml = f'<speak><prosody range="{style.range_pct:+d}%">{text}</prosody></speak>'
    wav = _run(
        [
            "espeak-ng",
            "-m",
            "-z",
            "-v",
            voice,
            "-s",
            str(style.rate_wpm),
            "-p",
            str(style.pitch),
            "--stdout",
            ssml,
        ]
    )
    raw = _run(
        [
            "sox",
            "-D",
            "-t",
            "wav",
            "-",
            *_sox_raw(1, RATE_HZ),
            "-",
            "gain",
            "-6",
            "treble",
            f"{style.treble_db:g}",
            "rate",
            "-h",
            str(RATE_HZ),
            "gain",
            "-n",
            f"{style.peak_dbfs:g}",
        ],
        wav,
    )
    x = np.frombuffer(raw, dtype="<i2")
    loud = np.flatnonzero(np.abs(x.astype(np.int32)) > 64)  # about -54 dBFS
    x = x[loud[0] : loud[-1] + 1] if loud.size else x[:0]
    return np.concatenate([x, np.zeros(len(x) % 2, np.int16)])


def _telephone(stereo_16k: np.ndarray) -> np.ndarray:
    """Band-limit to the phone band and resample to PHONE_RATE_HZ; (n, 2) -> (n // 2, 2)."""
    lo, hi = PHONE_BAND_HZ
    raw = _run(
        [
            "sox",
            "-D",
            *_sox_raw(2, RATE_HZ),
            "-",
            *_sox_raw(2, PHONE_RATE_HZ),
            "-",
            "sinc",
            f"{lo}-{hi}",
            "rate",
            "-h",
            str(PHONE_RATE_HZ),
        ],
        stereo_16k.astype("<i2").tobytes(),
    )
    out = np.frombuffer(raw, dtype="<i2").reshape(-1, 2)
    want = len(stereo_16k) // 2
    return np.concatenate([out, np.zeros((max(0, want - len(out)), 2), np.int16)])[:want]


def _agc(customer_8k: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """Bring every customer turn to the same RMS, as a phone line's gain control would."""
    out = customer_8k.astype(np.float64)
    target = 32768.0 * 10 ** (AGC_RMS_DBFS / 20)
    for start, end in spans:
        rms = np.sqrt(np.mean(out[start:end] ** 2))
        if rms > 0:
            out[start:end] *= target / rms
    if np.abs(out).max() > 32767:
        raise RuntimeError("AGC_RMS_DBFS is too high: a turn would clip")
    return np.round(out).astype(np.int16)


def _check_timing(src: Script, call: Call, labels: dict) -> None:
    def fail(message: str) -> CallsFileError:
        return CallsFileError(f"{src.path}:{call.line}: call {call.id}: {message}")

    lo, hi = CALL_DURATION_S
    if not lo <= labels["duration_s"] <= hi:
        raise fail(f"lasts {labels['duration_s']:.1f} s, must be {lo:g}..{hi:g} s")
    onset = labels["anger_onset_s"]
    before = [
        t
        for t in labels["turns"]
        if t["role"] == "customer" and onset is not None and t["end_s"] <= onset
    ]
    calm_s = sum(t["end_s"] - t["start_s"] for t in before if t["style"] == "calm")
    warm_s = sum(t["end_s"] - t["start_s"] for t in before)
    if call.kind == "escalating" and calm_s < MIN_CALM_BASELINE_S:
        raise fail(f"{calm_s:.1f} s of calm speech before anger, need {MIN_CALM_BASELINE_S} s")
    if call.kind == "angry" and warm_s < MIN_WARMUP_S:
        raise fail(f"{warm_s:.1f} s of speech before anger, need {MIN_WARMUP_S} s")


def _make_call(out: Path, script: Script, call: Call, clips: list[np.ndarray]) -> dict:
    gap = int(GAP_S * RATE_HZ) // 2 * 2
    total = gap + sum(len(c) + gap for c in clips)
    tracks = np.zeros((total, 2), np.int16)  # customer, agent
    turns, pos = [], gap
    for turn, clip in zip(call.turns, clips, strict=True):
        tracks[pos : pos + len(clip), 0 if turn.role == "customer" else 1] = clip
        turns.append(
            {
                "role": turn.role,
                "start_s": pos / RATE_HZ,
                "end_s": (pos + len(clip)) / RATE_HZ,
                "text": " ".join(turn.words),
                "style": turn.style,
                "_span": (pos // 2, (pos + len(clip)) // 2),
            }
        )
        pos += len(clip) + gap
    phone = _telephone(tracks)
    spans = [t.pop("_span") for t in turns]
    agc = _agc(
        phone[:, 0], [s for s, t in zip(spans, turns, strict=True) if t["role"] == "customer"]
    )
    onset = next(
        (t["start_s"] for t in turns if t["role"] == "customer" and t["style"] == "angry"), None
    )
    labels = {
        "call_id": call.id,
        "language": call.language,
        "kind": call.kind,
        "duration_s": total / RATE_HZ,
        "anger_onset_s": onset,
        "turns": turns,
    }
    _check_timing(script, call, labels)
    write_wav(out / f"{call.id}.16k.wav", tracks[:, 0], RATE_HZ)
    write_wav(out / f"{call.id}.8k.stereo.wav", phone, PHONE_RATE_HZ)
    write_wav(out / f"{call.id}.8k.agc.wav", agc, PHONE_RATE_HZ)
    tmp = out / f"{call.id}.json.tmp"
    tmp.write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, out / f"{call.id}.json")
    return labels


@functools.cache
def _tool_versions() -> str:
    return (_run(["espeak-ng", "--version"]) + _run(["sox", "--version"])).decode(errors="replace")


def stamp(calls_file: Path = CALLS_FILE) -> str:
    """Hash of everything the outputs depend on."""
    h = hashlib.sha256()
    for part in (Path(__file__).read_bytes(), calls_file.read_bytes(), _tool_versions().encode()):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def is_current(out: Path, calls_file: Path = CALLS_FILE) -> bool:
    """True if `out` holds every output and its stamp matches the current inputs."""
    stamp_file = out / STAMP_NAME
    if not stamp_file.is_file() or stamp_file.read_text().strip() != stamp(calls_file):
        return False
    ids = [c.id for c in load_calls(calls_file).calls]
    return all((out / f"{i}{suffix}").is_file() for i in ids for suffix in OUTPUT_SUFFIXES)


def generate(
    out: Path = DEFAULT_OUT,
    *,
    calls_file: Path = CALLS_FILE,
    force: bool = False,
    quiet: bool = True,
) -> bool:
    """Make the fixture calls in `out` unless they are current; return True if it made them."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one generator per directory at a time
        if not force and is_current(out, calls_file):
            return False
        t0 = time.perf_counter()
        script = load_calls(calls_file)
        (out / STAMP_NAME).unlink(missing_ok=True)
        jobs = [
            (
                call.customer_voice if t.role == "customer" else call.agent_voice,
                script.styles[t.style],
                t.text,
            )
            for call in script.calls
            for t in call.turns
        ]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            clips = iter(list(pool.map(lambda job: render_turn(*job), jobs)))
        for call in script.calls:
            labels = _make_call(out, script, call, [next(clips) for _ in call.turns])
            if not quiet:
                onset = labels["anger_onset_s"]
                anger = "no anger" if onset is None else f"anger from {onset:.2f} s"
                print(f"  {call.id:16s} {labels['duration_s']:5.1f} s  {anger}")
        (out / STAMP_NAME).write_text(stamp(calls_file) + "\n")
        if not quiet:
            print(
                f"made {len(script.calls)} fixture calls in {out} "
                f"in {time.perf_counter() - t0:.1f} s"
            )
        return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--calls", type=Path, default=CALLS_FILE, help="calls file (TOML)")
    parser.add_argument("--quiet", action="store_true", help="print nothing unless failing")
    parser.add_argument("--force", action="store_true", help="regenerate even if current")
    args = parser.parse_args(argv)
    try:
        made = generate(args.out, calls_file=args.calls, force=args.force, quiet=args.quiet)
    except (CallsFileError, ToolMissingError, RuntimeError, OSError) as exc:
        print(f"make_fixtures: error: {exc}", file=sys.stderr)
        return 1
    if not made and not args.quiet:
        print(f"fixture calls in {args.out} are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
