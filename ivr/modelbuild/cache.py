"""Where built models live, and building one on first use.

Models are built under ``$XDG_CACHE_HOME/ivr-assist/models/<lang>`` (or
``~/.cache/...``) and reused while the vocabulary, builder version, seed
and preset match the ``manifest.json`` written next to the model files.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ivr.asr import kaldi_files
from ivr.asr.model_dir import ModelDirError, validate_model_dir
from ivr.modelbuild.build import BUILDER_VERSION, build_model
from ivr.modelbuild.vocab import normalise_vocabulary
from ivr.modelbuild.voices import language

MANIFEST_NAME = "manifest.json"


def model_cache_dir(lang: str) -> Path:
    """``($XDG_CACHE_HOME or ~/.cache)/ivr-assist/models/<lang>``."""
    language(lang)  # refuse unknown languages early
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ivr-assist" / "models" / lang


# Builder files that do not shape the model itself (caching, command line,
# evaluation): editing them keeps the cached models.
NOT_IN_THE_MODEL = frozenset({"cache.py", "cli.py", "__main__.py", "evaluate.py"})


# Read by the builder from outside its package and shaping the model too (the
# MFCC options' defaults and checks the training features are computed with).
SHARED_WITH_THE_MODEL = (Path(kaldi_files.__file__),)


def _hash_builder_source(digest: Any) -> None:
    here = Path(__file__).parent
    sources = [*here.glob("*.py"), *here.glob("*.toml"), *SHARED_WITH_THE_MODEL]
    for source in sorted(sources, key=lambda p: p.name):
        if source.name in NOT_IN_THE_MODEL:
            continue
        digest.update(source.name.encode() + b"\0" + source.read_bytes())


@functools.cache
def builder_source_fingerprint() -> str:
    """A hash of the builder's own source and data only (not of the machine's
    espeak-ng): what a model shipped with the project is checked against."""
    digest = hashlib.sha256()
    _hash_builder_source(digest)
    return digest.hexdigest()[:16]


@functools.cache
def builder_fingerprint() -> str:
    """A hash of the builder's own source and data and the espeak-ng it speaks with:
    any change to either makes cached models stale, with no version number
    anyone has to remember to bump."""
    digest = hashlib.sha256()
    _hash_builder_source(digest)
    try:
        espeak = subprocess.run(
            ["espeak-ng", "--version"], capture_output=True, text=True, check=False
        )
        digest.update(espeak.stdout.encode())
    except OSError:
        pass
    return digest.hexdigest()[:16]


def _manifest(lang: str, vocab: Sequence[str], seed: int, preset: str) -> dict[str, Any]:
    return {
        "builder_version": BUILDER_VERSION,
        "builder_fingerprint": builder_fingerprint(),
        "lang": lang,
        "seed": seed,
        "preset": preset,
        "words": list(vocab),
    }


def read_manifest(model_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((model_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise builders of the same language across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _is_current(target: Path, wanted: dict[str, Any]) -> bool:
    if read_manifest(target) != wanted:
        return False
    try:
        validate_model_dir(target)
    except ModelDirError:
        return False
    return True


def ensure_built_model(
    lang: str,
    words: Sequence[str],
    *,
    progress: bool = True,
    seed: int = 0,
    preset: str = "default",
) -> Path:
    """Return the cached model for ``words``, building it first if needed.

    The vocabulary is sorted before building, so the same set of words in any
    order gives the same model.
    """
    vocab = sorted(normalise_vocabulary(words))
    target = model_cache_dir(lang)
    wanted = _manifest(lang, vocab, seed, preset)
    if _is_current(target, wanted):
        return target
    with _locked(target.parent / f".{lang}.lock"):
        if _is_current(target, wanted):  # another process built it meanwhile
            return target
        for stale in target.parent.glob(f".{lang}-build-*"):  # left by a killed build
            shutil.rmtree(stale, ignore_errors=True)
        if progress:
            print(
                f"building the speech model for {lang} from synthetic speech "
                f"({len(vocab)} words; first use only, about 9 minutes on 2 free cores); "
                f"it is cached in {target}",
                file=sys.stderr,
                flush=True,
            )
        staging = Path(tempfile.mkdtemp(prefix=f".{lang}-build-", dir=target.parent))
        try:
            build_model(lang, vocab, staging, seed=seed, progress=progress, preset=preset)
            (staging / MANIFEST_NAME).write_text(json.dumps(wanted, ensure_ascii=False, indent=1))
            old = None
            if target.exists():
                old = target.parent / f".{lang}-old-{os.getpid()}"
                target.rename(old)
            staging.rename(target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return target
