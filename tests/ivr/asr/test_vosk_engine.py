"""The vosk engine, for real, on a model directory the test suite writes."""

import itertools
import shutil

import pytest

from ivr.asr.base import UNKNOWN_WORD
from ivr.asr.vosk_engine import ModelLoadError, VoskEngine, model_rate_hz


def stream(recognizer, pcm: bytes, piece_bytes: int):
    results = [recognizer.accept(pcm[i : i + piece_bytes]) for i in range(0, len(pcm), piece_bytes)]
    results.append(recognizer.finish())
    return results


def check_words(results, duration_s: float, vocabulary: list[str]) -> list:
    words = [w for r in results if r.final for w in r.words]
    assert words, "no final words at all"
    for w in words:
        assert w.word in vocabulary
        assert 0.0 <= w.start_s < w.end_s <= duration_s + 0.1
        assert 0.0 <= w.conf <= 1.0
    starts = [w.start_s for w in words]
    assert starts == sorted(starts)
    return words


def test_streams_partials_and_finals_with_word_times(random_model, random_model_words, speech_16k):
    engine = VoskEngine(random_model, "en")
    assert engine.rate_hz == model_rate_hz(random_model) == 16000
    results = stream(engine.recognizer(16000), speech_16k, 3200)
    partials = [r for r in results if not r.final and r.text]
    assert partials, "partial results were expected"
    assert all(not p.words for p in partials)  # word details come with the final
    assert all(set(p.text.split()) <= set(random_model_words) for p in partials)
    check_words(results, len(speech_16k) / 2 / 16000, random_model_words)
    assert results[-1].final


def test_partials_keep_up_with_the_audio(random_model, speech_16k):
    """Partials are the decoder's current best path, not vosk's partial words,
    which wait for the lattice to be determinised (up to 1.8 s behind)."""
    engine = VoskEngine(random_model, "en")
    results = stream(engine.recognizer(16000), speech_16k, 3200)[:-1]  # 100 ms pieces
    assert not any(r.final for r in results)  # one utterance: every answer is a partial
    first_s = next(i + 1 for i, r in enumerate(results) if r.text) * 0.1
    changes = sum(1 for a, b in itertools.pairwise(results) if a.text != b.text)
    assert first_s <= 1.0, f"first partial only after {first_s:.1f} s of audio"
    assert changes >= 3, f"the partial changed {changes} times in {len(results) / 10:.1f} s"


def test_8khz_telephone_audio_into_a_16khz_model(random_model, random_model_words, speech_8k):
    engine = VoskEngine(random_model, "en")
    results = stream(engine.recognizer(8000), speech_8k, 320)  # 20 ms frames
    check_words(results, len(speech_8k) / 2 / 8000, random_model_words)


def test_same_audio_same_result(random_model, speech_16k):
    engine = VoskEngine(random_model, "en")
    first = stream(engine.recognizer(16000), speech_16k, 3200)
    second = stream(engine.recognizer(16000), speech_16k, 6400)
    assert [r.text for r in first if r.final] == [r.text for r in second if r.final]


def test_reset_drops_pending_audio(random_model, speech_16k):
    engine = VoskEngine(random_model, "en")
    recognizer = engine.recognizer(16000)
    half = len(speech_16k) // 2
    recognizer.accept(speech_16k[:half])
    recognizer.reset()
    assert recognizer.finish().text == ""
    again = stream(recognizer, speech_16k, 3200)
    assert any(r.final and r.words for r in again)


def test_phrase_list_limits_the_words_that_come_out(random_model, speech_16k):
    engine = VoskEngine(random_model, "en")
    assert not engine.supports_runtime_grammar  # so the engine's own filter is what is tested
    results = stream(engine.recognizer(16000, phrases=["three days", "yes"]), speech_16k, 3200)
    allowed = {"three", "days", "yes", UNKNOWN_WORD}
    words = [w.word for r in results for w in r.words]
    assert words and set(words) <= allowed
    assert UNKNOWN_WORD in words  # the audio says more than the phrase list holds
    partial_words = [t for r in results if not r.final for t in r.text.split()]
    assert partial_words and set(partial_words) <= allowed


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda d: (d / "am" / "final.mdl").unlink(), "final.mdl"),
        (lambda d: (d / "graph" / "HCLG.fst").write_bytes(b"junk"), "HCLG.fst"),
        (lambda d: (d / "graph" / "words.txt").write_text("hello 0\n"), "words.txt"),
        (lambda d: shutil.rmtree(d / "conf"), "conf"),
    ],
)
def test_broken_model_directory_is_named_not_crashed(random_model, tmp_path, damage, named):
    broken = tmp_path / "broken"
    shutil.copytree(random_model, broken)
    damage(broken)
    with pytest.raises(ModelLoadError, match=named):
        VoskEngine(broken, "en")
