"""The vosk implementation of the recogniser interface.

One :class:`VoskEngine` loads the model once and is shared by every call;
each call channel gets its own :class:`VoskRecognizer`. Audio at a rate other
than the model's (8 kHz telephone audio into a 16 kHz model) goes to vosk as
it is, with the recogniser made at the audio's rate: vosk resamples it to
the model's rate in its feature pipeline, in C, so every vosk model works
with every line. (A Python resampler in front of it cost about 10 % of the
decoding's CPU and gave the same words, times within one 10 ms frame.)

Partial results are vosk's plain ones: the text of the decoder's current
best path, without word details. vosk's partial words (``SetPartialWords``)
come from the part of the lattice it has determinised so far, which trails
the audio by up to about 1.8 s (the incremental decoder's determinisation
delay); a live caller's keyword then showed up seconds late. Final results
carry the words with their times and confidences.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import vosk

from ivr.asr.base import UNKNOWN_WORD, AsrResult
from ivr.asr.model_dir import ModelDirError, validate_model_dir
from ivr.events import Word

vosk.SetLogLevel(-2)  # errors only: -1 would also print Kaldi warnings, one per utterance


class ModelLoadError(RuntimeError):
    """The model directory exists but vosk cannot use it."""


def model_rate_hz(model_dir: Path) -> int:
    """The sample rate the model's features expect (conf/mfcc.conf), 16 kHz if unset."""
    for name in ("mfcc.conf", "fbank.conf"):
        conf = model_dir / "conf" / name
        if conf.is_file():
            match = re.search(r"--sample-frequency=(\d+(?:\.\d+)?)", conf.read_text())
            if match:
                return int(float(match.group(1)))
    return 16000


class VoskEngine:
    def __init__(self, model_dir: Path | str, language: str = "") -> None:
        self.model_dir = Path(model_dir)
        self.language = language
        try:
            # How many words the model can output: a closed vocabulary of a few
            # thousand fits its own words onto speech it does not know.
            self.vocabulary_words: int | None = validate_model_dir(self.model_dir)
        except ModelDirError as exc:
            raise ModelLoadError(str(exc)) from None
        try:
            self.model = vosk.Model(str(self.model_dir))
        except Exception:
            raise ModelLoadError(
                f"vosk could not load the model in {self.model_dir} "
                "(a damaged or incompatible model)"
            ) from None
        self.rate_hz = model_rate_hz(self.model_dir)
        self.supports_runtime_grammar = (self.model_dir / "graph" / "HCLr.fst").is_file() and (
            self.model_dir / "graph" / "Gr.fst"
        ).is_file()

    def has_word(self, word: str) -> bool:
        return self.model.vosk_model_find_word(word) >= 0

    def recognizer(self, rate_hz: int, phrases: Sequence[str] | None = None) -> VoskRecognizer:
        return VoskRecognizer(self, rate_hz, phrases)


class VoskRecognizer:
    def __init__(
        self, engine: VoskEngine, rate_hz: int, phrases: Sequence[str] | None = None
    ) -> None:
        self.rate_hz = rate_hz
        self._allowed: frozenset[str] | None = None
        if phrases is not None and engine.supports_runtime_grammar:
            grammar = [p for p in phrases if all(engine.has_word(w) for w in p.split())]
            rec = vosk.KaldiRecognizer(
                engine.model,
                rate_hz,
                json.dumps([*grammar, UNKNOWN_WORD], ensure_ascii=False),
            )
        else:
            rec = vosk.KaldiRecognizer(engine.model, rate_hz)
            if phrases is not None:
                # No runtime graphs in this model: keep the full graph and map
                # every word outside the phrase list to [unk] afterwards.
                self._allowed = frozenset(w for p in phrases for w in p.split())
        rec.SetWords(True)
        self._rec = rec

    def accept(self, pcm: bytes) -> AsrResult:
        if self._rec.AcceptWaveform(pcm):
            return self._parse(self._rec.Result(), final=True)
        return self._parse(self._rec.PartialResult(), final=False)

    def finish(self) -> AsrResult:
        return self._parse(self._rec.FinalResult(), final=True)

    def reset(self) -> None:
        self._rec.Reset()

    def _parse(self, raw: str, *, final: bool) -> AsrResult:
        data: dict[str, Any] = json.loads(raw)
        items = data.get("result" if final else "partial_result") or []
        words = tuple(
            Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
            for w in items
        )
        text = str(data.get("text" if final else "partial", ""))
        if self._allowed is not None:
            words = tuple(
                w if w.word in self._allowed else Word(UNKNOWN_WORD, w.start_s, w.end_s, w.conf)
                for w in words
            )
            allowed = self._allowed
            text = " ".join(t if t in allowed else UNKNOWN_WORD for t in text.split())
        return AsrResult(text=text, words=words, final=final)
