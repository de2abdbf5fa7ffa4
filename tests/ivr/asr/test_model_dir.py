from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ivr.asr.model_dir import ModelDirError, validate_model_dir
from ivr.modelbuild import write_random_model


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_random_model(tmp_path_factory.mktemp("v") / "model", ["yes", "no", "maybe"])


@pytest.fixture
def model(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(pristine, copy)
    return copy


def _expect(model: Path, rel: str, reason: str) -> None:
    with pytest.raises(ModelDirError, match=reason) as info:
        validate_model_dir(model)
    assert info.value.path == model / rel
    assert str(model / rel) in str(info.value)


def test_valid_model_passes_and_tells_its_vocabulary_size(model: Path) -> None:
    size = validate_model_dir(model)
    assert 3 <= size <= 3 + 6  # the words, <eps>, [unk], #0, <s>, </s>...


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelDirError, match="does not exist") as info:
        validate_model_dir(tmp_path / "nowhere")
    assert info.value.path == tmp_path / "nowhere"


@pytest.mark.parametrize(
    "rel",
    ["am/final.mdl", "conf/model.conf", "conf/mfcc.conf", "graph/HCLG.fst", "graph/words.txt"],
)
def test_missing_file_is_named(model: Path, rel: str) -> None:
    (model / rel).unlink()
    _expect(model, rel, "missing")


def test_empty_hclg(model: Path) -> None:
    (model / "graph/HCLG.fst").write_bytes(b"")
    _expect(model, "graph/HCLG.fst", "empty")


def test_corrupt_hclg_header(model: Path) -> None:
    (model / "graph/HCLG.fst").write_bytes(b"this is not an fst at all" * 4)
    _expect(model, "graph/HCLG.fst", "magic")


def test_truncated_hclg(model: Path) -> None:
    data = (model / "graph/HCLG.fst").read_bytes()
    (model / "graph/HCLG.fst").write_bytes(data[: len(data) // 2])
    _expect(model, "graph/HCLG.fst", "truncated")


def test_words_must_start_with_eps(model: Path) -> None:
    path = model / "graph/words.txt"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[1:]) + "\n")
    _expect(model, "graph/words.txt", "<eps> 0")


def test_words_duplicate_id(model: Path) -> None:
    path = model / "graph/words.txt"
    path.write_text(path.read_text() + "extra 1\n")
    _expect(model, "graph/words.txt", "used twice")


def test_truncated_final_mdl(model: Path) -> None:
    path = model / "am/final.mdl"
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    _expect(model, "am/final.mdl", "truncated")


def test_garbage_final_mdl(model: Path) -> None:
    (model / "am/final.mdl").write_bytes(b"\xff\xfe\x00garbage")
    _expect(model, "am/final.mdl", "neither")


def test_feature_dimension_mismatch(model: Path) -> None:
    path = model / "conf/mfcc.conf"
    path.write_text(path.read_text().replace("--num-ceps=20", "--num-ceps=13"))
    _expect(model, "conf/mfcc.conf", "num-ceps")


def test_unknown_mfcc_option(model: Path) -> None:
    path = model / "conf/mfcc.conf"
    path.write_text(path.read_text() + "--no-such-option=1\n")
    _expect(model, "conf/mfcc.conf", "no-such-option")


def test_bad_conf_syntax(model: Path) -> None:
    (model / "conf/model.conf").write_text("beam 13\n")
    _expect(model, "conf/model.conf", "--name=value")


def test_bad_word_boundary(model: Path) -> None:
    (model / "graph/phones/word_boundary.int").write_text("1 nonword\n2 sometimes\n")
    _expect(model, "graph/phones/word_boundary.int", "line 2")
