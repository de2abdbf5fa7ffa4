"""Phoneme transcriptions from espeak-ng, for the garbage (``[unk]``) model.

Out-of-vocabulary training speech is labelled with espeak-ng's own phoneme
sequence for each word, so ``[unk]`` can be a loop over phone-like units
rather than one fixed template: it then matches words it never heard.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ivr.modelbuild.synth import ESPEAK, SynthesisError

OTHER_UNIT = "<other>"
_MARKS = re.compile(r"[',%=_|]")
_MODIFIERS = re.compile(r"[;#^:!\d]")
_STRAY = re.compile(r"^[;#^:!]+$")


def normalise_phone(token: str) -> str:
    """Drop stress and syllable marks (``'e`` and ``,e`` are the same sound here)."""
    return _MARKS.sub("", token)


def phonemize(words: Sequence[str], voice: str) -> dict[str, tuple[str, ...]]:
    """espeak-ng phonemes of each word (one batch call; per-word calls as a fallback)."""
    if not words:
        return {}
    lines = _run(list(words), voice)
    if len(lines) != len(words):
        lines = [" ".join(_run([w], voice)) for w in words]
    out: dict[str, tuple[str, ...]] = {}
    for word, line in zip(words, lines, strict=True):
        phones: list[str] = []
        for token in (normalise_phone(t) for t in line.split()):
            if not token:
                continue
            if phones and _STRAY.match(token):  # a stray modifier: "n ;" is "n;"
                phones[-1] += token
            else:
                phones.append(token)
        out[word] = tuple(phones)
    return out


def _run(words: list[str], voice: str) -> list[str]:
    proc = subprocess.run(
        [ESPEAK, "-q", "-x", "--sep= ", "-v", voice],
        input="\n".join(words) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SynthesisError(f"{ESPEAK} could not phonemize for voice {voice!r}: {proc.stderr}")
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


@dataclass(frozen=True)
class PhoneInventory:
    """Garbage units: frequent phonemes, rarer ones folded into their base sound."""

    units: tuple[str, ...]
    mapping: dict[str, str]

    @classmethod
    def from_transcriptions(
        cls, transcriptions: Iterable[Sequence[str]], min_count: int = 20
    ) -> PhoneInventory:
        counts = Counter(p for seq in transcriptions for p in seq)
        mapping: dict[str, str] = {}
        base_counts: Counter[str] = Counter()
        for phone, n in counts.items():
            if n >= min_count:
                mapping[phone] = phone
            else:
                base_counts[_MODIFIERS.sub("", phone) or OTHER_UNIT] += n
        for phone in counts:
            if phone in mapping:
                continue
            base = _MODIFIERS.sub("", phone) or OTHER_UNIT
            if base in mapping:
                mapping[phone] = base
            elif base_counts[base] >= min_count:
                mapping[phone] = base
            else:
                mapping[phone] = OTHER_UNIT
        units = tuple(sorted(set(mapping.values())))
        return cls(units, mapping)

    def unit_ids(self, phones: Sequence[str]) -> list[int]:
        """Unit indices of a transcription (unknown phonemes go to the catch-all)."""
        index = {u: i for i, u in enumerate(self.units)}
        other = index.get(OTHER_UNIT)
        out = []
        for p in phones:
            unit = self.mapping.get(p)
            if unit is not None:
                out.append(index[unit])
            elif other is not None:
                out.append(other)
        return out
