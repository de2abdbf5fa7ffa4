from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr.modelbuild import ensure_built_model, model_cache_dir
from ivr.modelbuild.synth import espeak_available


def test_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert model_cache_dir("ru") == tmp_path / "ivr-assist" / "models" / "ru"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert model_cache_dir("en") == tmp_path / "home" / ".cache" / "ivr-assist" / "models" / "en"
    with pytest.raises(ValueError, match="language"):
        model_cache_dir("xx")


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng not installed")
def test_builds_once_reuses_then_rebuilds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = ensure_built_model("en", ["yes", "no"], progress=False, preset="fast")
    assert path == model_cache_dir("en")
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["words"] == ["no", "yes"] and manifest["seed"] == 0
    stamp = (path / "am" / "final.mdl").stat().st_mtime_ns

    again = ensure_built_model("en", ["No", "yes"], progress=False, preset="fast")
    assert again == path and (path / "am" / "final.mdl").stat().st_mtime_ns == stamp

    ensure_built_model("en", ["yes", "no", "maybe"], progress=False, preset="fast")
    assert "maybe" in (path / "graph" / "words.txt").read_text()
    assert json.loads((path / "manifest.json").read_text())["words"] == ["maybe", "no", "yes"]
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".en-")]
    assert leftovers == []
