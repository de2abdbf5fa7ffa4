from __future__ import annotations

import pytest

from ivr.modelbuild.phonemes import OTHER_UNIT, PhoneInventory, normalise_phone, phonemize


def test_stress_marks_are_dropped() -> None:
    assert normalise_phone("'e") == "e" and normalise_phone(",eI") == "eI"


@pytest.mark.usefixtures("espeak")
def test_phonemize_batches_words_in_order() -> None:
    words = ["серьги", "дом", "кошка"]
    out = phonemize(words, "ru")
    assert list(out) == words
    assert out["дом"] == ("d", "o", "m")
    assert all(out[w] for w in words) and "'" not in "".join(out["серьги"])


def test_inventory_folds_rare_phonemes() -> None:
    seqs = [("a", "b;")] * 30 + [("a", "b")] * 30 + [("a", "q^")] * 2 + [("z#",)]
    inv = PhoneInventory.from_transcriptions(seqs, min_count=20)
    assert "a" in inv.units and "b;" in inv.units and "b" in inv.units
    assert inv.mapping["q^"] == OTHER_UNIT and inv.mapping["z#"] == OTHER_UNIT
    assert inv.unit_ids(["a", "q^", "never-seen"]) == [
        inv.units.index("a"),
        inv.units.index(OTHER_UNIT),
        inv.units.index(OTHER_UNIT),
    ]
