"""Loading the speech engine for a language.

``vosk`` (the default, live and offline): a published vosk model when the
machine has one, otherwise the project's own synthetic model (built on first
use). ``whisper`` (after the call and in QA): faster-whisper with a model
found by :func:`ivr.asr.whisper_model.resolve_whisper_model`.
"""

from __future__ import annotations

from pathlib import Path

from ivr.asr.base import SpeechEngine
from ivr.asr.models import ModelNotFound, resolve_model
from ivr.asr.vosk_engine import ModelLoadError, VoskEngine

ENGINES = ("vosk", "whisper")


def build_own_model(lang: str, *, progress: bool = True) -> Path:
    """The project's own model: the one shipped with it while it is current
    (no build at all), else built into the cache on first use."""
    from assist.shipped_models import shipped_model
    from assist.vocabulary import default_vocabulary
    from ivr.modelbuild import ensure_built_model

    shipped = shipped_model(lang)
    if shipped is not None:
        return shipped
    return ensure_built_model(lang, default_vocabulary(lang), progress=progress)


def load_engine(
    lang: str,
    model: str | Path | None = None,
    *,
    allow_download: bool = False,
    build: bool = True,
    progress: bool = True,
) -> VoskEngine:
    """Raises ModelNotFound / ModelLoadError with a message meant for the user."""
    resolved = resolve_model(
        model,
        lang,
        allow_download=allow_download,
        build=(lambda code: build_own_model(code, progress=progress)) if build else None,
    )
    return VoskEngine(resolved.path, lang)


def load_whisper_engine(
    lang: str,
    model: str | Path | None = None,
    *,
    allow_download: bool = False,
    cpu_threads: int | None = None,
) -> SpeechEngine:
    """The Whisper engine; ``lang`` "" detects the language of each recording."""
    from ivr.asr.whisper_engine import WhisperEngine
    from ivr.asr.whisper_model import resolve_whisper_model

    resolved = resolve_whisper_model(model, allow_download=allow_download)
    return WhisperEngine(
        resolved.path, lang, cpu_threads=cpu_threads, allow_download=allow_download
    )


def load_named_engine(
    name: str,
    lang: str,
    *,
    model: str | Path | None = None,
    whisper_model: str | Path | None = None,
    allow_download: bool = False,
    whisper_threads: int | None = None,
    progress: bool = True,
) -> SpeechEngine:
    """``--engine vosk|whisper`` with its model options."""
    if name == "whisper":
        return load_whisper_engine(
            lang, whisper_model, allow_download=allow_download, cpu_threads=whisper_threads
        )
    if name != "vosk":
        raise ValueError(f"unknown engine {name!r} (known: {', '.join(ENGINES)})")
    return load_engine(lang, model, allow_download=allow_download, progress=progress)


__all__ = [
    "ENGINES",
    "ModelLoadError",
    "ModelNotFound",
    "build_own_model",
    "load_engine",
    "load_named_engine",
    "load_whisper_engine",
]
