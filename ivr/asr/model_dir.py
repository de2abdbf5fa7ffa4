"""Check a vosk model directory before Kaldi sees it.

Kaldi aborts the process (or throws deep inside vosk) on a bad model; this
check turns the common problems into a ``ModelDirError`` naming the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from ivr.asr.kaldi_files import mfcc_options, parse_conf, read_fst_header

_BOUNDARY_TYPES = {"nonword", "begin", "end", "internal", "singleton"}
_INPUT_DIM = re.compile(r"^input-node name=input dim=(\d+)", re.MULTILINE)


class ModelDirError(ValueError):
    """A model directory is missing a file or holds a broken one."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _require_file(path: Path) -> Path:
    if not path.is_file():
        raise ModelDirError(path, "missing (required file of a vosk model directory)")
    if path.stat().st_size == 0:
        raise ModelDirError(path, "empty file")
    return path


def _check_final_mdl(path: Path) -> int | None:
    """Return the net's input dimension when the model is in text format."""
    _require_file(path)
    data = path.read_bytes()
    if data.startswith(b"\0B"):
        if b"<TransitionModel>" not in data[:64]:
            raise ModelDirError(path, "binary model does not start with a TransitionModel")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelDirError(path, "neither a Kaldi binary nor a text model") from None
    if not text.lstrip().startswith("<TransitionModel>"):
        raise ModelDirError(path, "text model does not start with <TransitionModel>")
    for token in ("</TransitionModel>", "<Nnet3>", "</Nnet3>", "<Priors>"):
        if token not in text:
            raise ModelDirError(path, f"truncated or corrupt model (no {token})")
    if not text.rstrip().endswith("]"):
        raise ModelDirError(path, "truncated model (priors vector not closed)")
    if re.search(r"\b(nan|inf)\b", text, re.IGNORECASE):
        raise ModelDirError(path, "model contains nan or inf values")
    match = _INPUT_DIM.search(text)
    if match is None:
        raise ModelDirError(path, "no 'input-node name=input' line in the nnet3 config")
    return int(match.group(1))


def _check_fst(path: Path) -> None:
    _require_file(path)
    try:
        header = read_fst_header(path)
    except ValueError as exc:
        raise ModelDirError(path, str(exc)) from None
    if header.fst_type not in ("vector", "const"):
        raise ModelDirError(path, f"unsupported FST type {header.fst_type!r}")
    if header.arc_type != "standard":
        raise ModelDirError(path, f"unsupported arc type {header.arc_type!r}")
    if header.fst_type == "vector":
        minimum = header.num_states * 12 + header.num_arcs * 16
        if path.stat().st_size < minimum:
            raise ModelDirError(path, "truncated FST (file shorter than its header says)")


def _check_words(path: Path) -> int:
    _require_file(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise ModelDirError(path, "not UTF-8 text") from None
    if not lines or lines[0].split() != ["<eps>", "0"]:
        raise ModelDirError(path, "first line must be '<eps> 0'")
    seen: set[int] = set()
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise ModelDirError(path, f"line {number}: expected 'word id', got {line!r}")
        word_id = int(parts[1])
        if word_id in seen:
            raise ModelDirError(path, f"line {number}: word id {word_id} used twice")
        seen.add(word_id)
    return len(lines) - 1


def _check_word_boundary(path: Path) -> None:
    if not path.exists():
        return
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in _BOUNDARY_TYPES:
            raise ModelDirError(path, f"line {number}: expected 'phone-id type', got {line!r}")


def _check_conf(path: Path) -> dict[str, str]:
    _require_file(path)
    try:
        return parse_conf(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelDirError(path, f"unreadable options ({exc})") from None


def validate_model_dir(path: Path) -> int:
    """Raise ``ModelDirError`` naming the first missing or broken file;
    return the size of the model's vocabulary (entries of ``graph/words.txt``)."""
    path = Path(path)
    if not path.is_dir():
        raise ModelDirError(path, "model directory does not exist")
    input_dim = _check_final_mdl(path / "am" / "final.mdl")

    model_conf = _check_conf(path / "conf" / "model.conf")
    fsf = model_conf.get("frame-subsampling-factor", "1")
    if not fsf.isdigit() or int(fsf) < 1:
        raise ModelDirError(path / "conf" / "model.conf", f"bad frame-subsampling-factor {fsf!r}")

    mfcc_path = path / "conf" / "mfcc.conf"
    if mfcc_path.exists() or not (path / "conf" / "fbank.conf").exists():
        try:
            num_ceps = int(mfcc_options(_check_conf(mfcc_path), str(mfcc_path))["num-ceps"])
        except ValueError as exc:
            raise ModelDirError(mfcc_path, str(exc)) from None
        has_ivector = (path / "ivector").is_dir()
        if input_dim is not None and not has_ivector and input_dim != num_ceps:
            raise ModelDirError(
                mfcc_path, f"num-ceps is {num_ceps} but the net expects {input_dim} inputs"
            )
    else:
        _check_conf(path / "conf" / "fbank.conf")

    graph = path / "graph"
    if (graph / "HCLG.fst").exists() or not (graph / "HCLr.fst").exists():
        _check_fst(graph / "HCLG.fst")
    else:
        _check_fst(graph / "HCLr.fst")
        _check_fst(graph / "Gr.fst")
    words = _check_words(graph / "words.txt")
    _check_word_boundary(graph / "phones" / "word_boundary.int")
    return words
