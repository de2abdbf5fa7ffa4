"""Finding a speech model: explicit path, environment, vosk's cache and
downloader, or the project's own synthetic model, in that order.

Every way of failing ends in :class:`ModelNotFound`, whose message says
exactly what the user can do, so the command line never shows a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MODEL_ENV = "IVR_ASSIST_MODEL"
LANGUAGES = ("ru", "en")

PUBLISHED_MODELS = {
    "ru": "vosk-model-small-ru-0.22",
    "en": "vosk-model-small-en-us-0.15",
}


class ModelNotFound(RuntimeError):
    """No usable speech model; the message tells the user what to do."""


@dataclass(frozen=True)
class ResolvedModel:
    path: Path
    origin: str  # explicit | environment | vosk-cache | downloaded | built


def vosk_model_dirs() -> list[Path]:
    """The folders vosk itself searches for models by language."""
    import vosk

    return [Path(d) for d in vosk.MODEL_DIRS if d]


def find_cached_published_model(lang: str, dirs: list[Path] | None = None) -> Path | None:
    pattern = re.compile(rf"vosk-model(-small)?-{re.escape(lang)}(-|$)")
    for directory in dirs if dirs is not None else vosk_model_dirs():
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir()):
            if entry.is_dir() and pattern.match(entry.name):
                return entry
    return None


def download_published_model(lang: str) -> Path:
    """Use vosk's own downloader (progress bar on stderr); needs the internet."""
    import vosk

    try:
        return Path(vosk.Model.get_model_by_lang(None, lang))  # type: ignore[arg-type]
    except SystemExit:
        raise ModelNotFound(f"vosk publishes no model for language {lang!r}") from None
    except Exception as exc:  # requests/urllib errors when offline
        raise ModelNotFound(
            f"could not download the vosk model for {lang!r}: {exc.__class__.__name__}: {exc}"
        ) from None


def how_to_get_a_model(lang: str | None) -> str:
    name = PUBLISHED_MODELS.get(lang or "", "vosk-model-small-<lang>-<version>")
    return (
        "To use a real speech model, either\n"
        f"  * download {name}.zip from the vosk models page, unzip it into ~/.cache/vosk/\n"
        f"    (it is then found by language), or pass --model PATH, or set {MODEL_ENV}=PATH;\n"
        "  * or run with --download on a machine that is online;\n"
        "  * or build the project's own small synthetic model: ivr-assist build-model "
        f"--lang {lang or 'ru'} (only for demos, tests and closed-vocabulary IVR prompts)."
    )


def resolve_model(
    model: str | os.PathLike[str] | None = None,
    lang: str | None = None,
    *,
    allow_download: bool = False,
    build: Callable[[str], Path] | None = None,
) -> ResolvedModel:
    """Pick the model directory to load.

    ``build`` is called with the language as a last resort (the project's
    own synthetic model); without it, a missing model is an error.
    """
    if model is not None:
        path = Path(model).expanduser()
        if not path.is_dir():
            raise ModelNotFound(
                f"model directory {path} does not exist.\n" + how_to_get_a_model(lang)
            )
        return ResolvedModel(path, "explicit")
    env = os.environ.get(MODEL_ENV)
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise ModelNotFound(
                f"{MODEL_ENV}={env} is not a model directory.\n" + how_to_get_a_model(lang)
            )
        return ResolvedModel(path, "environment")
    if lang is None:
        raise ModelNotFound(
            "no model given: pass --model PATH or --lang ru|en.\n" + how_to_get_a_model(lang)
        )
    cached = find_cached_published_model(lang)
    if cached is not None:
        return ResolvedModel(cached, "vosk-cache")
    problems = []
    if allow_download:
        try:
            return ResolvedModel(download_published_model(lang), "downloaded")
        except ModelNotFound as exc:
            problems.append(str(exc))
    if build is not None:
        return ResolvedModel(build(lang), "built")
    problems.append(f"no vosk model for {lang!r} in {', '.join(map(str, vosk_model_dirs()))}")
    raise ModelNotFound("; ".join(problems) + ".\n" + how_to_get_a_model(lang))
