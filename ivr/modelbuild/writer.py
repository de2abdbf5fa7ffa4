"""Write a complete vosk model directory from its parts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ivr.modelbuild.conf import DEFAULT_MODEL_OPTIONS, conf_text
from ivr.modelbuild.graph import (
    GarbageLoop,
    GraphCosts,
    WordGrammar,
    grammar_graph,
    word_loop_graph,
)
from ivr.modelbuild.hmm import SILENCE_PHONE, WordHmm
from ivr.modelbuild.kaldi_text import NnetSpec, final_mdl_text


@dataclass(frozen=True)
class ModelParts:
    """Everything that defines a whole-word model.

    ``words[i]`` gets word id ``i + 1``; whole words use phone ``word_phones[i]``
    (0 for the garbage word, which ``garbage`` describes).
    """

    words: tuple[str, ...]
    word_phones: tuple[int, ...]
    hmm: WordHmm
    net: NnetSpec
    mfcc_options: Mapping[str, str]
    model_options: Mapping[str, str]
    graph_costs: GraphCosts
    readme: str
    self_loop_prob: float = 0.5
    garbage: GarbageLoop | None = None
    grammar: WordGrammar | None = None  # None: a free word loop


def words_txt(words: Sequence[str]) -> str:
    lines = ["<eps> 0"] + [f"{w} {i}" for i, w in enumerate(words, start=1)]
    return "\n".join(lines) + "\n"


def write_model_dir(out_dir: Path, parts: ModelParts) -> Path:
    """Write am/, conf/, graph/ and README.md into ``out_dir`` (created if needed)."""
    if len(parts.words) != len(parts.word_phones):
        raise ValueError("need exactly one phone per word")
    out_dir = Path(out_dir)
    (out_dir / "am").mkdir(parents=True, exist_ok=True)
    (out_dir / "conf").mkdir(exist_ok=True)
    (out_dir / "graph" / "phones").mkdir(parents=True, exist_ok=True)

    mdl = final_mdl_text(parts.hmm, parts.net, parts.self_loop_prob)
    (out_dir / "am" / "final.mdl").write_text(mdl, encoding="ascii")
    (out_dir / "conf" / "mfcc.conf").write_text(conf_text(parts.mfcc_options))
    model_options = dict(DEFAULT_MODEL_OPTIONS)
    model_options.update(parts.model_options)
    (out_dir / "conf" / "model.conf").write_text(conf_text(model_options))

    entries = [(p, i) for i, p in enumerate(parts.word_phones, start=1) if p]
    if parts.grammar is None:
        graph = word_loop_graph(parts.hmm, entries, parts.graph_costs, parts.garbage)
    else:
        graph = grammar_graph(parts.hmm, entries, parts.grammar, parts.graph_costs, parts.garbage)
    graph.write(out_dir / "graph" / "HCLG.fst")
    (out_dir / "graph" / "words.txt").write_text(words_txt(parts.words), encoding="utf-8")
    boundary = [f"{SILENCE_PHONE} nonword"] + [
        f"{p} singleton" for p in sorted(set(parts.word_phones) - {0})
    ]
    if parts.garbage is not None:
        g = parts.garbage
        kinds = [(g.begin_phones, "begin"), (g.internal_phones, "internal"), (g.end_phones, "end")]
        boundary += [f"{p} {kind}" for phones, kind in kinds for p in phones]
    (out_dir / "graph" / "phones" / "word_boundary.int").write_text("\n".join(boundary) + "\n")
    phone_names = ["<eps> 0", f"SIL {SILENCE_PHONE}"] + [
        f"W{p} {p}" for p in range(2, parts.hmm.num_phones + 1)
    ]
    (out_dir / "graph" / "phones.txt").write_text("\n".join(phone_names) + "\n")
    (out_dir / "README.md").write_text(parts.readme, encoding="utf-8")
    return out_dir
