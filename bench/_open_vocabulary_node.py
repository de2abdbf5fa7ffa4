"""``python -m bench._open_vocabulary_node ARGS...``: ``python -m assist ARGS``
with every vosk model trusted as a published large-vocabulary model would be.

The anger core trusts keywords by the recogniser's vocabulary size
(``hear_recogniser``): the project's own closed-vocabulary models earn that
trust word by word, so a keyword among a caller's first words waits for its
final result, while a published model is trusted from the first partial.
No published model can be had on this machine, so the cluster bench runs
its nodes this way to time what a site with such models gets, on the
shipped model's recognition timing (as ``bench.e2e_latency
--as-open-vocabulary`` does in one process).
"""

from __future__ import annotations

import runpy
import sys

from bench.e2e_latency import OPEN_VOCABULARY_WORDS
from ivr.asr.vosk_engine import VoskEngine

_plain_init = VoskEngine.__init__


def _trusted_init(self: VoskEngine, *args: object, **kwargs: object) -> None:
    _plain_init(self, *args, **kwargs)  # type: ignore[arg-type]
    self.vocabulary_words = OPEN_VOCABULARY_WORDS


if __name__ == "__main__":
    VoskEngine.__init__ = _trusted_init  # type: ignore[method-assign]
    sys.argv = ["assist", *sys.argv[1:]]
    runpy.run_module("assist", run_name="__main__", alter_sys=True)
