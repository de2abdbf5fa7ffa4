from __future__ import annotations

import numpy as np

from ivr.modelbuild.corpus import KIND_WORD, ChannelSpec, UtteranceSpec
from ivr.modelbuild.dataset import Utterance
from ivr.modelbuild.synth import SpeechStyle
from ivr.modelbuild.train import TrainConfig, choose_state_counts


def _isolated(word: str, duration_s: float) -> Utterance:
    spec = UtteranceSpec(word, (word,), (word,), SpeechStyle("en-us"), ChannelSpec(), 0, KIND_WORD)
    return Utterance(spec, np.zeros((int(duration_s * 100) + 40, 20)), (0.2, 0.2 + duration_s))


def test_states_follow_duration_and_are_capped_by_phonemes() -> None:
    utts = [_isolated("a", 0.35), _isolated("manager", 0.6), _isolated("a", 0.3)]
    utts += [_isolated("manager", 0.65)]
    cfg = TrainConfig()
    by_duration = choose_state_counts(["a", "manager", "no"], utts, cfg)
    assert by_duration["a"] >= 4 and by_duration["manager"] > by_duration["a"]
    assert by_duration["no"] == cfg.min_word_states  # never rendered alone
    capped = choose_state_counts(["a", "manager"], utts, cfg, {"a": 1, "manager": 6})
    # "a" said alone lasts long, inside a fast phrase it is one short sound
    assert capped["a"] == cfg.min_word_states
    assert capped["manager"] == min(by_duration["manager"], 6)
