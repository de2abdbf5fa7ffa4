"""A small model trained inside the test (fast preset) recognises new synthetic speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ivr.modelbuild import UNK_WORD, BuildReport, build_model, validate_model_dir
from ivr.modelbuild.build import garbage_labels, plan_training
from ivr.modelbuild.corpus import KIND_SENTENCE, CorpusSize
from ivr.modelbuild.evaluate import load_model, stream_decode, word_error_rate
from ivr.modelbuild.synth import SpeechStyle, espeak_available, synthesize

WORDS = {
    "ru": ["один", "два", "три", "да", "нет", "оператор"],
    "en": ["one", "two", "three", "yes", "no", "operator"],
}
VOICE = {"ru": "ru", "en": "en-us"}


@pytest.fixture(scope="module", params=["ru", "en"])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, BuildReport]:
    if not espeak_available():
        pytest.skip("espeak-ng not installed")
    lang = request.param
    out = tmp_path_factory.mktemp(f"built-{lang}") / "model"
    report = build_model(lang, WORDS[lang], out, seed=1, preset="fast", progress=False)
    return lang, report


def _say(text: str, voice: str, rate_hz: int = 16000) -> np.ndarray:
    audio = synthesize(text, SpeechStyle(voice), rate_hz=rate_hz)
    pad = np.zeros(int(0.3 * rate_hz), dtype=np.float32)
    return np.concatenate([pad, audio, pad])


def test_writes_a_valid_documented_model(built: tuple[str, BuildReport]) -> None:
    lang, report = built
    validate_model_dir(report.out_dir)
    readme = (report.out_dir / "README.md").read_text()
    assert "synthetic speech only" in readme and "not a model of human speech" in readme
    assert "word bigram" in readme  # the default preset's graph
    words = (report.out_dir / "graph" / "words.txt").read_text().split()[::2]
    assert words[0] == "<eps>" and UNK_WORD in words and set(WORDS[lang]) <= set(words)
    assert report.utterances > 0 and report.model_bytes > 0


def test_recognises_isolated_words_of_the_default_voice(built: tuple[str, BuildReport]) -> None:
    lang, report = built
    model = load_model(report.out_dir)
    for word in WORDS[lang]:
        result = stream_decode(model, _say(word, VOICE[lang]), 16000)
        assert result.text == word, f"{word!r} heard as {result.text!r}"


def test_transcribes_held_out_phrases(built: tuple[str, BuildReport]) -> None:
    lang, report = built
    model = load_model(report.out_dir)
    rng = np.random.default_rng(7)  # phrases the training plan did not draw
    pairs = []
    for i in range(12):
        ref = [WORDS[lang][int(j)] for j in rng.integers(0, len(WORDS[lang]), 2 + i % 2)]
        rate = 8000 if i % 4 == 3 else 16000
        result = stream_decode(model, _say(" ".join(ref), VOICE[lang], rate), rate)
        pairs.append((ref, result.text.split()))
    # A seconds-long build hears most words right; espeak-ng runs some pairs together
    # (English "no one" becomes one word), which only the full preset learns.
    assert word_error_rate(pairs) <= 0.15, pairs


def test_word_times_follow_the_audio(built: tuple[str, BuildReport]) -> None:
    lang, report = built
    model = load_model(report.out_dir)
    silence = np.zeros(16000, dtype=np.float32)
    first, second = WORDS[lang][0], WORDS[lang][-1]
    audio = np.concatenate([_say(first, VOICE[lang]), silence, _say(second, VOICE[lang])])
    words = stream_decode(model, audio, 16000).words
    assert [w["word"] for w in words] == [first, second]
    gap_start = len(_say(first, VOICE[lang])) / 16000
    assert words[0]["end"] <= gap_start + 0.1 and words[1]["start"] >= gap_start + 0.9


@pytest.mark.usefixtures("espeak")
def test_domain_sentences_train_their_other_words_as_unk_with_phonemes() -> None:
    vocab = ["yes", "no", "manager", "internet"]
    specs, unk_words = plan_training("en", vocab, CorpusSize(), seed=0)
    sentences = [s for s in specs if s.kind == KIND_SENTENCE]
    assert any("manager" in s.labels for s in sentences)
    spoken_as_unk = {
        w for s in specs for w, lab in zip(s.words, s.labels, strict=True) if lab == UNK_WORD
    }
    assert {"technician", "tomorrow"} <= spoken_as_unk <= set(unk_words)
    labels = garbage_labels(("en-us", "en-gb"), unk_words)
    for word in spoken_as_unk:
        assert len(labels.transcriptions[("en-us", word)]) >= 1, word


def test_rejects_bad_requests(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="language"):
        build_model("xx", ["one"], tmp_path / "m", progress=False)
    with pytest.raises(ValueError, match="preset"):
        build_model("en", ["one"], tmp_path / "m", preset="huge", progress=False)
    with pytest.raises(ValueError, match="empty"):
        build_model("en", [], tmp_path / "m", progress=False)
