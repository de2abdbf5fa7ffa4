"""Loading the speech engine for a language: a published vosk model when the
machine has one, otherwise the project's own synthetic model (built on
first use)."""

from __future__ import annotations

from pathlib import Path

from ivr.asr.models import ModelNotFound, resolve_model
from ivr.asr.vosk_engine import ModelLoadError, VoskEngine


def build_own_model(lang: str, *, progress: bool = True) -> Path:
    from assist.vocabulary import default_vocabulary
    from ivr.modelbuild import ensure_built_model

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


__all__ = ["ModelLoadError", "ModelNotFound", "build_own_model", "load_engine"]
