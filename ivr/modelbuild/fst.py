"""OpenFst binary "vector" FSTs (tropical weights), written with numpy.

Only what the model builder needs: build an FST arc by arc and write it
(its header is read back by ``ivr.asr.kaldi_files.read_fst_header``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ivr.asr.kaldi_files import FST_MAGIC

_PROPS_EXPANDED_MUTABLE = 3
_ARC_DTYPE = np.dtype([("ilabel", "<i4"), ("olabel", "<i4"), ("weight", "<f4"), ("next", "<i4")])


@dataclass
class Fst:
    """A mutable FST: states are ints from 0, arcs are (src, ilabel, olabel, cost, dst)."""

    start: int = 0
    finals: dict[int, float] = field(default_factory=dict)
    arcs: list[tuple[int, int, int, float, int]] = field(default_factory=list)
    num_states: int = 0

    def add_state(self) -> int:
        self.num_states += 1
        return self.num_states - 1

    def add_arc(self, src: int, ilabel: int, olabel: int, cost: float, dst: int) -> None:
        if not (0 <= src < self.num_states and 0 <= dst < self.num_states):
            raise ValueError(f"arc {src}->{dst} refers to a state that does not exist")
        self.arcs.append((src, ilabel, olabel, cost, dst))

    def set_final(self, state: int, cost: float = 0.0) -> None:
        self.finals[state] = cost

    def to_bytes(self) -> bytes:
        if self.num_states == 0:
            raise ValueError("cannot write an FST with no states")
        arcs = sorted(self.arcs, key=lambda a: a[0])  # stable: keeps per-state order
        table = np.zeros(len(arcs), dtype=_ARC_DTYPE)
        if arcs:
            src, ilab, olab, cost, dst = (np.array(col) for col in zip(*arcs, strict=True))
            table["ilabel"], table["olabel"] = ilab, olab
            table["weight"], table["next"] = cost, dst
        else:
            src = np.zeros(0, dtype=np.int64)
        counts = (
            np.bincount(src, minlength=self.num_states)
            if arcs
            else np.zeros(self.num_states, dtype=np.int64)
        )
        out = bytearray(_header(self.start, self.num_states, len(arcs)))
        state_head = np.dtype([("final", "<f4"), ("narcs", "<i8")])
        pos = 0
        raw = table.tobytes()
        for s in range(self.num_states):
            head = np.zeros(1, dtype=state_head)
            head["final"] = self.finals.get(s, np.inf)
            head["narcs"] = counts[s]
            out += head.tobytes()
            n = int(counts[s]) * _ARC_DTYPE.itemsize
            out += raw[pos : pos + n]
            pos += n
        return bytes(out)

    def write(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<i", len(data)) + data


def _header(start: int, num_states: int, num_arcs: int) -> bytes:
    return (
        struct.pack("<i", FST_MAGIC)
        + _string("vector")
        + _string("standard")
        + struct.pack("<iiQqqq", 2, 0, _PROPS_EXPANDED_MUTABLE, start, num_states, num_arcs)
    )
