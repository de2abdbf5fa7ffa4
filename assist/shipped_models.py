"""The project's own speech models, built and shipped with it
(``assist/models/<lang>/``), so a fresh clone starts at once.

A shipped model is used only while it is current: its ``manifest.json``
names the vocabulary it was built for and the builder's source fingerprint,
and both must equal today's (:func:`stale_reason`). A stale or missing one
is skipped, and the model is built into the cache as before. A test fails
when the builder or the vocabulary changed and the shipped model was not
rebuilt::

    python -m assist.shipped_models --lang ru en    # about 9 minutes each

(``build-model`` stays for other vocabularies.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

SEED = 0
PRESET = "default"
MAX_MODEL_BYTES = 8 * 1024 * 1024


def shipped_root() -> Path:
    return Path(str(resources.files("assist") / "models"))


def shipped_model_dir(lang: str) -> Path:
    return shipped_root() / lang


def wanted_manifest(lang: str) -> dict[str, Any]:
    """What a current shipped model's manifest says (the machine's espeak-ng
    version aside: it shapes the training speech, not how the model runs)."""
    from assist.vocabulary import default_vocabulary
    from ivr.modelbuild.build import BUILDER_VERSION
    from ivr.modelbuild.cache import builder_source_fingerprint
    from ivr.modelbuild.vocab import normalise_vocabulary

    return {
        "builder_version": BUILDER_VERSION,
        "builder_source": builder_source_fingerprint(),
        "lang": lang,
        "seed": SEED,
        "preset": PRESET,
        "words": sorted(normalise_vocabulary(default_vocabulary(lang))),
    }


def stale_reason(lang: str) -> str | None:
    """Why the shipped model for ``lang`` cannot be used (None: it can)."""
    from ivr.modelbuild.cache import read_manifest

    target = shipped_model_dir(lang)
    have = read_manifest(target)
    if have is None:
        return f"no shipped model in {target}"
    want = wanted_manifest(lang)
    if have.get("words") != want["words"]:
        added = sorted(set(want["words"]) - set(have.get("words") or ()))
        gone = sorted(set(have.get("words") or ()) - set(want["words"]))
        return (
            f"built for another vocabulary ({len(added)} words new, e.g. {added[:3]}; "
            f"{len(gone)} gone, e.g. {gone[:3]})"
        )
    for key in ("builder_version", "builder_source", "lang", "seed", "preset"):
        if have.get(key) != want[key]:
            return f"built by another builder ({key} {have.get(key)!r}, now {want[key]!r})"
    from ivr.asr.model_dir import ModelDirError, validate_model_dir

    try:
        validate_model_dir(target)
    except ModelDirError as exc:
        return f"broken: {exc}"
    return None


def shipped_model(lang: str) -> Path | None:
    """The shipped model for ``lang`` if it is current."""
    return shipped_model_dir(lang) if stale_reason(lang) is None else None


def model_bytes(model_dir: Path) -> int:
    return sum(f.stat().st_size for f in model_dir.rglob("*") if f.is_file())


def install_built_model(lang: str, built: Path) -> Path:
    """Put a model built for today's vocabulary and builder (``built``, e.g.
    the cache's) in place as the shipped one, with its manifest."""
    from ivr.modelbuild.cache import MANIFEST_NAME, builder_fingerprint, read_manifest

    want = wanted_manifest(lang)
    have = read_manifest(built) or {}
    if have.get("words") != want["words"] or have.get("seed") != SEED:
        raise ValueError(f"{built} was built for another vocabulary or seed")
    size = model_bytes(built)
    if size > MAX_MODEL_BYTES:
        raise ValueError(f"{built} is {size / 2**20:.1f} MB, over the 8 MB a shipped model may be")
    target = shipped_model_dir(lang)
    staging = Path(tempfile.mkdtemp(prefix=f".{lang}-", dir=target.parent))
    try:
        shutil.copytree(built, staging, dirs_exist_ok=True)
        manifest = {**want, "builder_fingerprint": builder_fingerprint()}
        text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
        (staging / MANIFEST_NAME).write_text(text, encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def build_shipped(lang: str, *, progress: bool = True) -> Path:
    """Build (into the cache, or reuse a current cached build) and ship it."""
    from assist.vocabulary import default_vocabulary
    from ivr.modelbuild import ensure_built_model

    shipped_root().mkdir(parents=True, exist_ok=True)
    built = ensure_built_model(
        lang, default_vocabulary(lang), progress=progress, seed=SEED, preset=PRESET
    )
    return install_built_model(lang, built)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assist.shipped_models",
        description="Build the speech models shipped with the project (assist/models/<lang>).",
    )
    parser.add_argument("--lang", nargs="+", choices=("ru", "en"), default=["ru", "en"])
    parser.add_argument("--check", action="store_true", help="only say whether they are current")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    stale = 0
    for lang in args.lang:
        reason = stale_reason(lang)
        if args.check:
            print(f"{lang}: {'current' if reason is None else 'stale: ' + reason}")
            stale += reason is not None
            continue
        if reason is None:
            print(f"{lang}: the shipped model is current")
            continue
        target = build_shipped(lang, progress=not args.quiet)
        print(f"{lang}: shipped {target} ({model_bytes(target) / 2**20:.1f} MB)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
