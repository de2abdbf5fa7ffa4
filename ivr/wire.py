"""The single wire codec for every event in :mod:`ivr.events`.

Wire form: one JSON object per event, ``{"v": 1, "type": "<ClassName>", ...}``
with the dataclass fields by name. Enums travel as their values, nested
dataclasses as objects, tuples as lists, PCM bytes as base64. Decoding checks
the version, the type name and the field names, and raises
:class:`WireError` with a readable message on anything else.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import types
import typing
from enum import Enum
from functools import cache
from typing import Any

from ivr import events as ev

WIRE_VERSION = 1

_TYPES_BY_NAME: dict[str, type] = {t.__name__: t for t in ev.EVENT_TYPES}


class WireError(ValueError):
    """A message that is not a valid event of this wire version."""


def to_dict(event: Any) -> dict[str, Any]:
    if type(event).__name__ not in _TYPES_BY_NAME:
        raise WireError(f"not an event type: {type(event).__name__}")
    out: dict[str, Any] = {"v": WIRE_VERSION, "type": type(event).__name__}
    for name in _field_names(type(event)):
        out[name] = _plain(getattr(event, name))
    return out


def encode(event: Any) -> str:
    return json.dumps(to_dict(event), ensure_ascii=False, separators=(",", ":"))


def decode(message: str | bytes) -> Any:
    try:
        data = json.loads(message)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireError(f"not JSON: {exc}") from None
    return from_dict(data)


def from_dict(data: Any) -> Any:
    if not isinstance(data, dict):
        raise WireError("an event must be a JSON object")
    if data.get("v") != WIRE_VERSION:
        raise WireError(
            f"unsupported wire version {data.get('v')!r} (this side speaks {WIRE_VERSION})"
        )
    name = data.get("type")
    cls = _TYPES_BY_NAME.get(name) if isinstance(name, str) else None
    if cls is None:
        raise WireError(f"unknown event type {name!r}")
    payload = {k: v for k, v in data.items() if k not in ("v", "type")}
    return _build(cls, payload)


_SCALARS = frozenset({str, int, float, bool, type(None)})


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # most fields: a quick way out
        return value
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(kind)}
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(cls: type, payload: dict[str, Any]) -> Any:
    hints = _hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(payload) - known
    if unknown:
        raise WireError(f"{cls.__name__}: unknown field(s) {sorted(unknown)}")
    kwargs = {}
    for name, raw in payload.items():
        try:
            kwargs[name] = _convert(hints[name], raw)
        except (TypeError, ValueError) as exc:
            raise WireError(f"{cls.__name__}.{name}: {exc}") from None
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise WireError(f"{cls.__name__}: {exc}") from None


def _convert(hint: Any, raw: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if raw is None and type(None) in options:
            return None
        (inner,) = [o for o in options if o is not type(None)]
        return _convert(inner, raw)
    if origin is tuple:
        (item,) = typing.get_args(hint)[:1]
        if not isinstance(raw, list):
            raise TypeError("expected a list")
        return tuple(_convert(item, v) for v in raw)
    if origin is dict:
        if not isinstance(raw, dict):
            raise TypeError("expected an object")
        return {str(k): str(v) for k, v in raw.items()}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    if dataclasses.is_dataclass(hint):
        if not isinstance(raw, dict):
            raise TypeError("expected an object")
        return _build(hint, raw)
    if hint is bytes:
        if not isinstance(raw, str):
            raise TypeError("expected base64 text")
        return base64.b64decode(raw, validate=True)
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise TypeError("expected a number")
        return float(raw)
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise TypeError("expected an integer")
        return raw
    if hint is bool:
        if not isinstance(raw, bool):
            raise TypeError("expected true or false")
        return raw
    if hint is str:
        if not isinstance(raw, str):
            raise TypeError("expected a string")
        return raw
    raise TypeError(f"unsupported field type {hint!r}")
