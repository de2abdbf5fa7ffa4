"""Build a trained whole-word vosk model for a vocabulary from synthetic speech."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from ivr.asr.model_dir import validate_model_dir
from ivr.modelbuild.conf import DEFAULT_MFCC_OPTIONS
from ivr.modelbuild.corpus import CorpusSize, UtteranceSpec, plan_corpus
from ivr.modelbuild.dataset import extract_features
from ivr.modelbuild.features import MfccConfig
from ivr.modelbuild.garbage_words import garbage_words
from ivr.modelbuild.graph import GarbageLoop, GraphCosts, WordGrammar
from ivr.modelbuild.lm import SENTENCE_START, BigramLm, estimate_bigram
from ivr.modelbuild.phonemes import PhoneInventory, phonemize
from ivr.modelbuild.synth import ESPEAK, SynthesisError, espeak_available
from ivr.modelbuild.textcorpus import load_corpus
from ivr.modelbuild.train import GarbageLabels, TrainConfig, TrainResult, train_acoustic_model
from ivr.modelbuild.vocab import UNK_WORD, normalise_vocabulary
from ivr.modelbuild.voices import TRAIN_VARIANTS, language
from ivr.modelbuild.writer import ModelParts, write_model_dir

BUILDER_VERSION = "2"


@dataclass(frozen=True)
class BuildPreset:
    corpus: CorpusSize = field(default_factory=CorpusSize)
    train: TrainConfig = field(default_factory=TrainConfig)
    # Graph costs, tuned with bench.model_quality (about 250 words per language): a
    # stronger bigram (lm_scale) trades WER for fewer false words (lm_scale 2: a third of
    # the false words, twice the WER).
    word_cost: float = 1.0  # graph cost of every word on top of the bigram (insertion penalty)
    short_word_states: int = 3  # words with at most this many HMM states ...
    short_word_discount: float = 3.0  # ... cost this much less (little acoustic evidence)
    unk_cost: float = 4.0  # extra graph cost of the garbage word over a vocabulary word
    garbage_unit_cost: float = 1.5  # graph cost per garbage unit inside [unk]; lower is slow
    acoustic_scale: float = 0.35  # lower: wider lattices, more honest confidences, slower
    lattice_beam: float = 2.0  # wider lattices explode with the garbage loop
    # Word bigram from lm_corpus.toml: graph cost = lm_scale * -ln P (0: a free word loop).
    lm_scale: float = 1.5
    lm_discount: float = 0.7
    lm_unigram_weight: float = 0.5  # corpus share of the backoff unigram (rest uniform)


PRESETS: dict[str, BuildPreset] = {
    "default": BuildPreset(),
    # Seconds, for tests: few renderings, a small net, short training.
    "fast": BuildPreset(
        corpus=CorpusSize(
            renderings_per_word=16,
            phrases_per_word=16,
            garbage_sentences=20,
            noise_only=6,
            pseudo_words=20,
            sentence_renderings=0,
        ),
        train=TrainConfig(
            hidden=(128, 128),
            epochs_per_pass=(4, 4, 3),
            batch_frames=256,
            learning_rate=3e-3,
            dropout=0.1,
        ),
    ),
}


@dataclass(frozen=True)
class BuildReport:
    out_dir: Path
    lang: str
    words: tuple[str, ...]
    seed: int
    preset: str
    utterances: int
    audio_s: float
    synthesis_s: float
    training_s: float
    total_s: float
    frame_accuracy: float
    dropped_utterances: int
    model_bytes: int


README = """# Synthetic-speech vosk model ({lang})

**Trained on synthetic speech only** (espeak-ng voices), by the ivr-assist
model builder. Use it for tests, demos and closed-vocabulary IVR prompts.
**It is not a model of human speech** and must not be presented as one:
real callers will be recognised poorly or not at all.

- Language: {lang}
- Vocabulary: {num_words} words, whole-word units, plus `[unk]`: a loop of
  {garbage_units} phone-like garbage units (espeak-ng phonemes) trained on
  speech outside the vocabulary, so other speech tends to come out as `[unk]`
  (it does not always: words that sound like a vocabulary word can still be
  heard as that word)
- Word sequences: {grammar}
- Words are lowercase; Russian `ё` is written as `е`
- Acoustic model: {hidden} ReLU layers over spliced MFCCs (see conf/mfcc.conf),
  frame-subsampling-factor 3
- Training data: {utterances} synthetic utterances ({audio_min:.0f} min):
  isolated words, random phrases and the sentences of the bigram's text corpus
  (their other words trained as `[unk]`), in several espeak-ng voices and
  variants, random rate, pitch and pitch range, louder and faster renderings,
  speed perturbation, a share through an 8 kHz telephone band, noise and gain
- 8 kHz input works: conf/mfcc.conf allows upsampling and the features stop
  at 3800 Hz, so telephone and wideband audio look alike to the model
- Builder version {version}, seed {seed}, preset `{preset}`

Rebuild with: `python -m ivr.modelbuild --lang {lang} --vocab FILE --out DIR --seed {seed}`

Vocabulary:

{words}
"""


def garbage_labels(base_voices: Sequence[str], garbage: Sequence[str]) -> GarbageLabels:
    """espeak-ng phonemes of every garbage word in every base voice."""
    transcriptions: dict[tuple[str, str], tuple[str, ...]] = {}
    for voice in base_voices:
        for word, phones in phonemize(list(garbage), voice).items():
            transcriptions[(voice, word)] = phones
    inventory = PhoneInventory.from_transcriptions(transcriptions.values())
    return GarbageLabels(inventory, transcriptions)


def _grammar_note(setup: BuildPreset) -> str:
    if setup.lm_scale <= 0:
        return "a free loop: any word may follow any word at the same cost"
    return (
        "a backoff word bigram estimated from a small text corpus of support-call\n"
        "  sentences (the builder's `lm_corpus.toml`), backing off to a free loop, so\n"
        "  any sequence of vocabulary words stays possible; word pairs common in\n"
        "  support calls are preferred (e.g. `to` vs `two` by context)"
    )


def word_grammar(lm: BigramLm, units: Sequence[str], scale: float) -> WordGrammar:
    """The bigram as graph costs over word ids (``units[i]`` has id ``i + 1``)."""
    ids = {w: i for i, w in enumerate(units, start=1)}
    ids[SENTENCE_START] = 0
    return WordGrammar(
        unigram={ids[w]: scale * c for w, c in lm.unigram.items()},
        bigram={(ids[h], ids[w]): scale * c for (h, w), c in lm.bigram.items()},
        backoff={ids[h]: scale * c for h, c in lm.backoff.items()},
    )


def model_parts(
    lang: str, vocab: Sequence[str], result: TrainResult, setup: BuildPreset, readme: str
) -> ModelParts:
    """Everything the model directory needs: trained net, graph costs, word bigram."""
    units = [*vocab, UNK_WORD]
    unk_id = len(units)
    short = [
        (i, -setup.short_word_discount)
        for i, w in enumerate(vocab, start=1)
        if result.hmm.num_states(result.phone_of[w]) <= setup.short_word_states
    ]
    costs = GraphCosts(
        word_cost=setup.word_cost,
        extra_word_costs=((unk_id, setup.unk_cost), *short),
        garbage_unit_cost=setup.garbage_unit_cost,
    )
    g = result.garbage_phones
    garbage_loop = GarbageLoop(
        unk_id, tuple(p[0] for p in g), tuple(p[1] for p in g), tuple(p[2] for p in g)
    )
    grammar = None
    if setup.lm_scale > 0:
        lm = estimate_bigram(
            load_corpus(lang),
            vocab,
            discount=setup.lm_discount,
            unigram_weight=setup.lm_unigram_weight,
        )
        grammar = word_grammar(lm, units, setup.lm_scale)
    return ModelParts(
        words=tuple(units),
        word_phones=(*(result.phone_of[w] for w in vocab), 0),
        hmm=result.hmm,
        net=result.model.to_spec(result.priors),
        mfcc_options=dict(MfccConfig.from_options(DEFAULT_MFCC_OPTIONS).options),
        model_options={
            "acoustic-scale": f"{setup.acoustic_scale:g}",
            "lattice-beam": f"{setup.lattice_beam:g}",
        },
        graph_costs=costs,
        readme=readme,
        garbage=garbage_loop,
        grammar=grammar,
    )


def phoneme_counts(base_voices: Sequence[str], vocab: Sequence[str]) -> dict[str, int]:
    """Fewest espeak-ng phonemes of each word over the base voices."""
    counts: dict[str, int] = {}
    for voice in base_voices:
        for word, phones in phonemize(list(vocab), voice).items():
            if phones:
                counts[word] = min(counts.get(word, len(phones)), len(phones))
    return counts


def plan_training(
    lang: str, vocab: Sequence[str], size: CorpusSize, seed: int
) -> tuple[list[UtteranceSpec], list[str]]:
    """The utterances to synthesise, and every word they speak outside ``vocab``
    (garbage words and the domain sentences' other words: all trained as ``[unk]``)."""
    garbage = garbage_words(lang, set(vocab), pseudo=size.pseudo_words, seed=seed)
    sentences = load_corpus(lang) if size.sentence_renderings else []
    specs = plan_corpus(lang, vocab, garbage, size, seed, TRAIN_VARIANTS, sentences)
    known = set(vocab)
    return specs, sorted({*garbage, *(w for s in sentences for w in s if w not in known)})


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_model(
    lang: str,
    words: Sequence[str],
    out_dir: Path,
    *,
    seed: int = 0,
    progress: bool = True,
    preset: str = "default",
    workers: int | None = None,
) -> BuildReport:
    """Synthesise training speech, train, and write a vosk model directory."""
    t0 = time.perf_counter()
    voices = language(lang)
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; known: {sorted(PRESETS)}")
    if not espeak_available():
        raise SynthesisError(f"{ESPEAK} is not installed; the model builder needs it")
    setup = PRESETS[preset]
    vocab = normalise_vocabulary(words)
    specs, unk_words = plan_training(voices.lang, vocab, setup.corpus, seed)
    mfcc_cfg = MfccConfig.from_options(DEFAULT_MFCC_OPTIONS)

    with tqdm(
        total=len(specs), desc=f"synthesising {lang}", unit="utt", disable=not progress
    ) as bar:
        utts = extract_features(specs, mfcc_cfg, workers=workers, on_progress=bar.update)
    t_synth = time.perf_counter() - t0

    epochs = sum(setup.train.epochs_per_pass)
    with tqdm(total=epochs, desc=f"training {lang}", unit="epoch", disable=not progress) as bar:

        def report(message: str) -> None:
            if "epoch" in message:
                bar.update(1)
            bar.set_postfix_str(message)

        result = train_acoustic_model(
            utts,
            vocab,
            setup.train,
            seed,
            report,
            garbage_labels(voices.base_voices, unk_words),
            phoneme_counts(voices.base_voices, vocab),
        )
    t_train = time.perf_counter() - t0 - t_synth

    audio_s = sum(u.duration_s for u in utts)
    readme = README.format(
        lang=lang,
        num_words=len(vocab),
        hidden=" x ".join(str(h) for h in setup.train.hidden),
        utterances=len(utts),
        audio_min=audio_s / 60.0,
        version=BUILDER_VERSION,
        seed=seed,
        preset=preset,
        garbage_units=len(result.garbage_units),
        grammar=_grammar_note(setup),
        words=", ".join(vocab),
    )
    parts = model_parts(voices.lang, vocab, result, setup, readme)
    out = write_model_dir(Path(out_dir), parts)
    validate_model_dir(out)
    return BuildReport(
        out_dir=out,
        lang=lang,
        words=tuple(vocab),
        seed=seed,
        preset=preset,
        utterances=len(utts),
        audio_s=audio_s,
        synthesis_s=t_synth,
        training_s=t_train,
        total_s=time.perf_counter() - t0,
        frame_accuracy=result.frame_accuracy,
        dropped_utterances=result.dropped_utterances,
        model_bytes=_dir_bytes(out),
    )
