from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from ivr.asr.kaldi_files import FST_MAGIC, read_fst_header
from ivr.modelbuild.fst import Fst


def _small() -> Fst:
    fst = Fst()
    a, b, c = fst.add_state(), fst.add_state(), fst.add_state()
    fst.add_arc(a, 1, 5, 0.5, b)
    fst.add_arc(b, 2, 0, 0.0, c)
    fst.add_arc(a, 3, 6, 1.5, c)
    fst.add_arc(c, 0, 0, 0.0, a)
    fst.set_final(c, 0.25)
    return fst


def test_header_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "g.fst"
    _small().write(path)
    header = read_fst_header(path)
    assert (header.fst_type, header.arc_type) == ("vector", "standard")
    assert (header.start, header.num_states, header.num_arcs) == (0, 3, 4)


def test_body_layout_groups_arcs_by_state(tmp_path: Path) -> None:
    data = _small().to_bytes()
    assert struct.unpack_from("<i", data)[0] == FST_MAGIC
    header_len = 4 + (4 + 6) + (4 + 8) + 4 + 4 + 8 + 8 + 8 + 8
    assert len(data) == header_len + 3 * 12 + 4 * 16
    pos = header_len
    final0, narcs0 = struct.unpack_from("<fq", data, pos)
    assert np.isinf(final0) and narcs0 == 2
    first = struct.unpack_from("<iifi", data, pos + 12)
    second = struct.unpack_from("<iifi", data, pos + 28)
    assert first == (1, 5, 0.5, 1) and second == (3, 6, 1.5, 2)
    pos += 12 + 2 * 16
    final1, narcs1 = struct.unpack_from("<fq", data, pos)
    assert np.isinf(final1) and narcs1 == 1
    pos += 12 + 16
    final2, narcs2 = struct.unpack_from("<fq", data, pos)
    assert final2 == 0.25 and narcs2 == 1


def test_rejects_arcs_to_missing_states() -> None:
    fst = Fst()
    fst.add_state()
    with pytest.raises(ValueError, match="does not exist"):
        fst.add_arc(0, 1, 1, 0.0, 4)


def test_header_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.fst"
    path.write_bytes(struct.pack("<i", FST_MAGIC) + b"\x01")
    with pytest.raises(ValueError, match="truncated"):
        read_fst_header(path)
