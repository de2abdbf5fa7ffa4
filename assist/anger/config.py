"""Thresholds and weights of the anger core, read from ``assist/data/anger.toml``.

The shipped file is the single source of the defaults. A site file passed to
:func:`load_anger_config` only needs the keys it changes; every key is checked
(type, range, relations such as ``tense_exit < tense_enter``) and an error
names the file and the line of the offending key.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ivr.datafile import DataFileError, load_toml
from ivr.tomllines import KeyLines

from .lexicon import DATA_DIR

DEFAULT_CONFIG_PATH: Path = DATA_DIR / "anger.toml"


def _num(lo: float, hi: float) -> Any:
    return field(metadata={"lo": lo, "hi": hi})


@dataclass(frozen=True)
class LevelConfig:
    """Score thresholds with hysteresis: enter above ``*_enter``, leave only after
    the score stayed below ``*_exit`` for ``exit_hold_s``."""

    tense_enter: float = _num(0, 1)
    tense_exit: float = _num(0, 1)
    angry_enter: float = _num(0, 1)
    angry_exit: float = _num(0, 1)
    exit_hold_s: float = _num(0, 60)


@dataclass(frozen=True)
class TrendConfig:
    window_s: float = _num(0.5, 30)
    rising_per_s: float = _num(0.001, 1)  # slope of the score (per second) that counts as rising
    falling_per_s: float = _num(0.001, 1)  # same, downwards (a positive number)
    hold_s: float = _num(0, 30)  # a trend is kept at least this long (no flapping)


@dataclass(frozen=True)
class UpdateConfig:
    min_interval_s: float = _num(0, 10)
    min_change: float = _num(0, 1)
    heartbeat_s: float = _num(0.1, 600)
    max_reasons: int = _num(1, 20)
    min_reason_weight: float = _num(0, 1)


@dataclass(frozen=True)
class KeywordConfig:
    cap: float = _num(0, 1)  # most all keywords together add to the score
    hold_s: float = _num(0, 600)  # a hit counts fully this long after it was said
    half_life_s: float = _num(1, 3600)  # then halves every half_life_s
    min_conf: float = _num(0, 1)  # recogniser confidence at or below which a word counts nothing
    full_conf: float = _num(0, 1)  # confidence from which it counts fully
    repeat_factor: float = _num(
        0, 1
    )  # each repeat of the same term counts this much of the one before
    text_only_conf: float = _num(0, 1)  # confidence assumed for results without word details
    understood_conf: float = _num(0, 1)  # a word at or above this (not [unk]) was understood
    max_syllable_s: float = _num(0.05, 10)  # a word held longer per syllable was not understood
    context_words: int = _num(1, 200)  # recent final words: how well the call is understood
    understanding_start: float = _num(0, 1)  # understood share at which a keyword starts to count
    understanding_full: float = _num(0, 1)  # ... and from which it counts fully
    uncertain_cap: float = _num(0, 1)  # most keywords not fully trusted add together
    open_vocabulary_words: int = _num(1, 10**9)  # a recogniser with this many words is open


@dataclass(frozen=True)
class BaselineConfig:
    learn_voiced_s: float = _num(0.5, 120)  # calm voiced speech that makes a full baseline
    accept_below: float = _num(0, 1)  # speech is learnt only while the voice share stays below this
    commit_delay_s: float = _num(0, 10)  # ... for this long after it was spoken
    adapt_half_life_s: float = _num(1, 3600)  # slow drift of a full baseline (voiced seconds)
    spread_k: float = _num(0, 10)  # a cue must rise this many times the caller's calm spread
    spread_after_windows: int = _num(0, 1000)  # calm measurements before the spread counts
    spread_prior_windows: float = _num(0, 1000)  # ... and more that make it half-known


@dataclass(frozen=True)
class CueConfig:
    """One prosodic cue: evidence ramps from 0 at ``start`` to 1 at ``full``
    above the caller's baseline, contributing up to ``weight`` to the score.
    The baseline shrinks towards ``prior`` (a population calm value; "none":
    towards the value heard now) as if the prior were ``prior_voiced_s`` of
    the caller's calm speech, and while it rests on the prior the ramp starts
    up to ``prior_margin`` higher."""

    weight: float = _num(0, 1)
    start: float = _num(-1000, 1000)
    full: float = _num(-1000, 1000)
    prior: float | None = _num(-1000, 10000)
    prior_margin: float = _num(0, 1000)
    prior_voiced_s: float = _num(0, 120)  # the prior weighs as much as this much calm speech


@dataclass(frozen=True)
class TalkOverConfig:
    weight: float = _num(0, 1)
    start_s: float = _num(0, 60)
    full_s: float = _num(0, 60)
    window_s: float = _num(1, 600)  # overlap is summed over this much recent time
    min_run_s: float = _num(0, 10)  # shorter overlaps (back-channel "uh-huh") do not count


@dataclass(frozen=True)
class ProsodyConfig:
    window_voiced_s: float = _num(0.2, 30)  # recent voiced speech the cues are measured on
    phrase_gap_s: float = _num(0.05, 5)  # a pause this long starts a new phrase
    min_window_voiced_s: float = _num(0.05, 30)
    max_age_s: float = _num(
        0.5, 120
    )  # speech older than this leaves the window (cues hold meanwhile)
    half_life_s: float = _num(0.1, 600)  # then the cues fade with this half-life
    cap: float = _num(0, 1)  # most all prosodic cues together add to the score
    pitch: CueConfig = field(metadata={})  # semitones; prior in Hz
    pitch_range: CueConfig = field(metadata={})  # semitones (10th..90th percentile)
    loudness: CueConfig = field(metadata={})  # dB
    brightness: CueConfig = field(metadata={})  # dB, energy 1-3.4 kHz over 0.3-1 kHz
    rate: CueConfig = field(metadata={})  # fraction above baseline; prior in syllables/s
    voice_quality: CueConfig = field(metadata={})  # dB, cepstral peak prominence
    talk_over: TalkOverConfig = field(metadata={})


@dataclass(frozen=True)
class AngerConfig:
    levels: LevelConfig
    trend: TrendConfig
    updates: UpdateConfig
    keywords: KeywordConfig
    baseline: BaselineConfig
    prosody: ProsodyConfig
    source: str = field(default="", compare=False)


def trusting_words(config: AngerConfig) -> AngerConfig:
    """``config`` with every recognised keyword trusted whatever the words
    around it: for recognition limited to a short grammar (an IVR menu's
    options plus the lexicon), where a lone word is the whole utterance."""
    keywords = dataclasses.replace(
        config.keywords, understanding_start=0.0, understanding_full=0.01
    )
    return dataclasses.replace(config, keywords=keywords)


# ---------------------------------------------------------------- loading


def load_anger_config(path: Path | None = None) -> AngerConfig:
    """The shipped settings (cached), overlaid with the keys of ``path`` if given.

    Raises :class:`ivr.datafile.DataFileError` naming file and line.
    """
    if path is None:
        return _load_default()
    return _load((DEFAULT_CONFIG_PATH, Path(path)))


@cache
def _load_default() -> AngerConfig:
    return _load((DEFAULT_CONFIG_PATH,))


class _Source:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data, lines = load_toml(path)
        self.keys = KeyLines(lines)

    def error(self, where: tuple[str, ...], message: str) -> DataFileError:
        return DataFileError(self.path, self.keys.line(where), message)


def _field_type(cls: type, name: str) -> Any:
    return typing.get_type_hints(cls)[name]


def _check_tree(
    source: _Source, cls: type, data: Any, where: tuple[str, ...], origin: dict
) -> None:
    """Check one file's table against dataclass ``cls``; record which file set each key."""
    label = ".".join(where) or "top level"
    if not isinstance(data, dict):
        raise source.error(where, f"[{label}] must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
    for key, value in data.items():
        if key not in fields:
            raise source.error(
                (*where, key), f"unknown key '{key}' in [{label}] (allowed: {', '.join(fields)})"
            )
        hint = _field_type(cls, key)
        path = (*where, key)
        if dataclasses.is_dataclass(hint):
            _check_tree(source, hint, value, path, origin)
            continue
        meta = fields[key].metadata
        optional = isinstance(hint, types.UnionType) and type(None) in typing.get_args(hint)
        base = next(a for a in typing.get_args(hint) if a is not type(None)) if optional else hint
        if optional and value == "none":
            origin[path] = source
            continue
        ok = not isinstance(value, bool) and (
            isinstance(value, int) if base is int else isinstance(value, int | float)
        )
        if not ok or not meta["lo"] <= value <= meta["hi"]:
            kind = "a whole number" if base is int else "a number"
            extra = ' (or "none")' if optional else ""
            raise source.error(
                path,
                f"'{key}' must be {kind} from {meta['lo']} to {meta['hi']}{extra}, got {value!r}",
            )
        origin[path] = source


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def _build(cls: type, data: dict, where: tuple[str, ...], origin: dict, first: _Source) -> Any:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name == "source":
            continue
        hint = _field_type(cls, f.name)
        path = (*where, f.name)
        if f.name not in data:
            raise first.error(where, f"missing '{f.name}' in [{'.'.join(where) or 'top level'}]")
        if dataclasses.is_dataclass(hint):
            values[f.name] = _build(hint, data[f.name], path, origin, first)
        else:
            value = data[f.name]
            values[f.name] = (
                None if value == "none" else (float(value) if hint is not int else value)
            )
    return cls(**values)


def _load(paths: tuple[Path, ...]) -> AngerConfig:
    sources = [_Source(p) for p in paths]
    origin: dict[tuple[str, ...], _Source] = {}
    merged: dict = {}
    for source in sources:
        _check_tree(source, AngerConfig, source.data, (), origin)
        merged = _merge(merged, source.data)
    config = _build(AngerConfig, merged, (), origin, sources[0])
    _check_relations(config, origin, sources[-1])
    return dataclasses.replace(config, source=" + ".join(str(p) for p in paths))


def _check_relations(config: AngerConfig, origin: dict, last: _Source) -> None:
    def need(ok: bool, path: tuple[str, ...], message: str) -> None:
        if not ok:
            raise origin.get(path, last).error(path, message)

    lv = config.levels
    need(
        lv.tense_exit < lv.tense_enter,
        ("levels", "tense_exit"),
        "tense_exit must be below tense_enter",
    )
    need(
        lv.angry_exit < lv.angry_enter,
        ("levels", "angry_exit"),
        "angry_exit must be below angry_enter",
    )
    need(
        lv.tense_enter < lv.angry_enter,
        ("levels", "angry_enter"),
        "angry_enter must be above tense_enter",
    )
    need(
        lv.tense_exit <= lv.angry_exit,
        ("levels", "angry_exit"),
        "angry_exit must not be below tense_exit",
    )
    kw = config.keywords
    need(kw.min_conf < kw.full_conf, ("keywords", "full_conf"), "full_conf must be above min_conf")
    need(
        kw.understanding_start < kw.understanding_full,
        ("keywords", "understanding_full"),
        "understanding_full must be above understanding_start",
    )
    pr = config.prosody
    need(
        pr.min_window_voiced_s <= pr.window_voiced_s,
        ("prosody", "min_window_voiced_s"),
        "min_window_voiced_s must not exceed window_voiced_s",
    )
    for name in ("pitch", "pitch_range", "loudness", "brightness", "rate", "voice_quality"):
        cue: CueConfig = getattr(pr, name)
        need(
            cue.start < cue.full,
            ("prosody", name, "full"),
            f"[prosody.{name}] full must be above start",
        )
    to = pr.talk_over
    need(to.start_s < to.full_s, ("prosody", "talk_over", "full_s"), "full_s must be above start_s")
