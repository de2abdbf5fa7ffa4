"""The advisor's settings, read from ``assist/data/advisor.toml``.

The shipped file holds every default. A site file given to
:func:`load_advisor_settings` needs only the keys it changes. Every key is
checked (type and range) and an error names the file and the line.

``[triggers]`` maps the anger core's reason kinds (a lexicon category, or a
voice cue such as ``pitch``) to the advisor's triggers, so a new lexicon
category is answered by adding one line there: to a built-in trigger, or to
a new one that the phrase files then answer.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from assist.advisor.phrases import AGENT_TRIGGERS, CODED_TRIGGERS, CUE_TRIGGERS, PRINCIPLES
from ivr import events as ev
from ivr.datafile import DataFileError, load_toml
from ivr.tomllines import KeyLines

_NAME = re.compile(r"[a-z][a-z_]*")


def _num(lo: float, hi: float) -> Any:
    return field(metadata={"lo": lo, "hi": hi})


@dataclass(frozen=True)
class ChoiceSettings:
    cooldown_s: float = _num(0, 600)
    min_gap_s: float = _num(0, 60)
    reanswer_s: float = _num(0, 3600)
    rising_repeat_s: float = _num(0, 3600)
    stale_s: float = _num(0, 600)
    answer_first: tuple[str, ...] = field(metadata={"triggers": True})
    tie_order: tuple[str, ...] = field(metadata={"triggers": True})


@dataclass(frozen=True)
class ScreenSettings:
    max_cards: int = _num(1, 10)
    min_visible_s: float = _num(0, 60)


@dataclass(frozen=True)
class CueSettings:
    shouting_min_weight: float = _num(0, 1)
    fast_speech_min_weight: float = _num(0, 1)
    talk_over_min_weight: float = _num(0, 1)
    repeat_s: float = _num(0, 3600)


@dataclass(frozen=True)
class PreferenceSettings:
    angry: tuple[str, ...] = field(metadata={"principles": True})
    rising: tuple[str, ...] = field(metadata={"principles": True})
    tense: tuple[str, ...] = field(metadata={"principles": True})
    falling: tuple[str, ...] = field(metadata={"principles": True})


@dataclass(frozen=True)
class AgentWordSettings:
    repeat_s: float = _num(0, 3600)
    min_conf: float = _num(0, 1)


@dataclass(frozen=True)
class AgentVoiceSettings:
    hop_s: float = _num(0.005, 1)
    hangover_s: float = _num(0, 2)
    talk_over_s: float = _num(0.1, 30)
    talk_over_repeat_s: float = _num(0, 3600)
    baseline_voiced_s: float = _num(0.5, 120)
    window_voiced_s: float = _num(0.1, 30)
    min_window_voiced_s: float = _num(0.1, 30)
    window_max_age_s: float = _num(0.1, 60)
    loudness_rise_db: float = _num(0.5, 40)
    pitch_rise_st: float = _num(0.5, 24)
    rearm_fraction: float = _num(0, 1)
    voice_repeat_s: float = _num(0, 3600)


@dataclass(frozen=True)
class AdvisorSettings:
    choice: ChoiceSettings
    screen: ScreenSettings
    cues: CueSettings
    preference: PreferenceSettings
    agent_words: AgentWordSettings
    agent_voice: AgentVoiceSettings
    # reason kind (lexicon category without "keyword:", or voice cue) -> trigger
    triggers: dict[str, str] = field(default_factory=dict, compare=False)


_SECTIONS: dict[str, type] = {
    "choice": ChoiceSettings,
    "screen": ScreenSettings,
    "cues": CueSettings,
    "preference": PreferenceSettings,
    "agent_words": AgentWordSettings,
    "agent_voice": AgentVoiceSettings,
}


def default_settings_path() -> Path:
    return Path(str(resources.files("assist") / "data" / "advisor.toml"))


@cache
def load_advisor_settings(path: Path | None = None) -> AdvisorSettings:
    """The shipped defaults, with the keys of ``path`` (if given) laid over them."""
    default_path = default_settings_path()
    site = Path(path) if path is not None and Path(path) != default_path else None
    triggers = _triggers(default_path)
    if site is not None:
        triggers.update(_triggers(site))
    known = {*CODED_TRIGGERS, *CUE_TRIGGERS, *triggers.values()}
    values = _read(default_path, partial=False, known=known)
    if site is not None:
        for section, keys in _read(site, partial=True, known=known).items():
            values[section].update(keys)
    sections = {name: cls(**values[name]) for name, cls in _SECTIONS.items()}
    settings = AdvisorSettings(**sections, triggers=triggers)
    if settings.agent_voice.min_window_voiced_s > settings.agent_voice.window_voiced_s:
        raise DataFileError(
            Path(path or default_path),
            None,
            "agent_voice.min_window_voiced_s must not exceed agent_voice.window_voiced_s",
        )
    return settings


def _read(path: Path, *, partial: bool, known: set[str]) -> dict[str, dict[str, Any]]:
    data, lines = load_toml(path)
    where = KeyLines(lines)

    def fail(key: tuple[str, ...], message: str) -> DataFileError:
        return DataFileError(path, where.line(key), message)

    unknown = sorted(set(data) - set(_SECTIONS) - {"triggers"})
    if unknown:
        expected = sorted([*_SECTIONS, "triggers"])
        raise fail((unknown[0],), f"unknown section(s) {unknown}; expected {expected}")
    out: dict[str, dict[str, Any]] = {}
    for name, type_class in _SECTIONS.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise fail((name,), f"[{name}] must be a table")
        fields = {f.name: f for f in dataclasses.fields(type_class)}
        extra = sorted(set(table) - set(fields))
        if extra:
            raise fail(
                (name, extra[0]), f"unknown key(s) {extra} in [{name}]; expected {sorted(fields)}"
            )
        if not partial:
            missing = sorted(set(fields) - set(table))
            if missing:
                raise fail((name,), f"[{name}] is missing {missing}")
        out[name] = {}
        for key, value in table.items():
            try:
                out[name][key] = _value(value, fields[key], known)
            except ValueError as exc:
                raise fail((name, key), f"{name}.{key}: {exc}") from None
    return out


def _triggers(path: Path) -> dict[str, str]:
    """``[triggers]``: reason kind -> one of the advisor's triggers."""
    data, lines = load_toml(path)
    where = KeyLines(lines)
    table = data.get("triggers", {})
    if not isinstance(table, dict):
        raise DataFileError(path, where.line(("triggers",)), "[triggers] must be a table")
    out: dict[str, str] = {}
    for kind, trigger in table.items():
        if (
            not isinstance(trigger, str)
            or not _NAME.fullmatch(trigger)
            or trigger in AGENT_TRIGGERS
        ):
            raise DataFileError(
                path,
                where.line(("triggers", kind)),
                f"triggers.{kind}: {trigger!r} must name a trigger (lower case letters and _) "
                f"that the phrase files answer, such as {[*CODED_TRIGGERS, *CUE_TRIGGERS]}; "
                f"not an agent warning {list(AGENT_TRIGGERS)}",
            )
        out[kind.removeprefix("keyword:")] = trigger
    return out


def _value(value: Any, spec: dataclasses.Field[Any], known: set[str]) -> Any:
    """The checked value of one key (ValueError says what is wrong); ``known``:
    the trigger names a list of triggers may hold."""
    meta = spec.metadata
    if meta.get("triggers"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of triggers")
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"unknown trigger(s) {unknown}; one of {sorted(known)}")
        if len(set(value)) != len(value):
            raise ValueError("lists a trigger twice")
        return tuple(value)
    if meta.get("principles"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of principles")
        unknown = [v for v in value if v not in PRINCIPLES]
        if unknown:
            raise ValueError(f"unknown principle(s) {unknown}; one of {list(PRINCIPLES)}")
        if len(set(value)) != len(value):
            raise ValueError("lists a principle twice")
        return tuple(value)
    integral = spec.type in ("int", int)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (integral and not isinstance(value, int))
    ):
        raise ValueError(f"must be {'a whole number' if integral else 'a number'}, not {value!r}")
    if not meta["lo"] <= value <= meta["hi"]:
        raise ValueError(f"{value} is outside {meta['lo']}..{meta['hi']}")
    return int(value) if integral else float(value)


def trigger_of(reason: ev.AngerReason, settings: AdvisorSettings | None = None) -> str | None:
    """The advisor's trigger for an anger reason, read from its structure
    (never its display text): keyword reasons are kinded "keyword:<lexicon
    category>", voice reasons by cue; the table is ``[triggers]`` of the
    advisor's settings (assist/data/advisor.toml)."""
    table = (settings or load_advisor_settings()).triggers
    return table.get(reason.kind.removeprefix("keyword:"))
