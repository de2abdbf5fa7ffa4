"""Plan the synthetic training corpus: what to say, in which voice, through which channel.

The plan is a list of frozen ``UtteranceSpec`` drawn from one seeded
generator, so the same seed, vocabulary and preset always give the same
corpus; rendering each spec is deterministic too (it carries its own seed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ivr.modelbuild.augment import (
    add_noise,
    apply_gain,
    coloured_noise,
    pad_silence,
    telephone_band,
    treble_shelf,
    warp_speed,
)
from ivr.modelbuild.synth import SpeechStyle, synthesize
from ivr.modelbuild.vocab import UNK_WORD
from ivr.modelbuild.voices import TRAIN_VARIANTS, language, voice_name

KIND_WORD = "word"
KIND_PHRASE = "phrase"
KIND_GARBAGE = "garbage"
KIND_SENTENCE = "sentence"
KIND_NOISE = "noise"


@dataclass(frozen=True)
class CorpusSize:
    """How much speech to synthesise."""

    renderings_per_word: int = 24  # isolated renderings of each word
    phrases_per_word: int = 30  # phrase appearances of each word
    garbage_sentences: int = 600  # sentences made only of out-of-vocabulary words
    garbage_share_in_phrases: float = 0.5  # phrases that also contain one such word
    noise_only: int = 40  # utterances with no speech at all
    pseudo_words: int = 150  # made-up words added to the garbage pool
    # Renderings of each domain sentence (the bigram's text corpus): function words
    # in their real contexts ("to a manager"), which random word strings lack.
    sentence_renderings: int = 20


@dataclass(frozen=True)
class ChannelSpec:
    telephone: bool = False
    warp: tuple[int, int] = (1, 1)  # speed perturbation num/den (formant shift)
    treble_db: float = 0.0
    gain_db: float = 0.0
    snr_db: float | None = None
    noise_colour: float = 1.0
    lead_s: float = 0.2
    trail_s: float = 0.2


@dataclass(frozen=True)
class UtteranceSpec:
    """One training utterance: ``words`` are spoken (``text`` adds punctuation for
    intonation); ``labels`` has one entry per spoken word (``[unk]`` for others)."""

    text: str
    words: tuple[str, ...]
    labels: tuple[str, ...]
    style: SpeechStyle
    channel: ChannelSpec
    seed: int
    kind: str


def random_style(
    rng: np.random.Generator, lang: str, variants: Sequence[str], *, angry: bool, gap: bool
) -> SpeechStyle:
    voices = language(lang)
    base = voices.base_voices[int(rng.integers(len(voices.base_voices)))]
    if rng.random() < 0.3:
        base = voices.default_voice
    variant = "" if rng.random() < 0.25 else variants[int(rng.integers(len(variants)))]
    if angry:  # hot anger: faster, higher, louder, a wider pitch range
        speed, pitch, amp = rng.integers(200, 301), rng.integers(55, 96), rng.integers(150, 201)
        range_pct = int(rng.choice([0, 50, 100, 150]))
    else:
        speed, pitch, amp = rng.integers(110, 231), rng.integers(15, 86), rng.integers(60, 141)
        range_pct = int(rng.choice([-50, 0, 0, 50]))
    word_gap = int(rng.integers(1, 9)) if gap and rng.random() < 0.15 else 0
    return SpeechStyle(
        voice_name(base, variant), int(speed), int(pitch), int(amp), word_gap, range_pct
    )


def random_channel(rng: np.random.Generator, *, angry: bool) -> ChannelSpec:
    gain = float(rng.uniform(-20.0, 6.0)) + (float(rng.uniform(0.0, 8.0)) if angry else 0.0)
    snr = float(rng.uniform(8.0, 40.0)) if rng.random() < 0.8 else None
    warps = ((1, 1), (10, 9), (20, 19), (20, 21), (10, 11))
    return ChannelSpec(
        telephone=bool(rng.random() < 0.3),
        warp=warps[int(rng.integers(len(warps)))] if rng.random() < 0.5 else (1, 1),
        treble_db=float(rng.uniform(0.0, 8.0) if angry else rng.uniform(-3.0, 4.0)),
        gain_db=gain,
        snr_db=snr,
        noise_colour=float(rng.choice([0.0, 1.0, 2.0])),
        lead_s=float(rng.uniform(0.05, 0.6)),
        trail_s=float(rng.uniform(0.05, 0.6)),
    )


def plan_corpus(
    lang: str,
    vocab: Sequence[str],
    garbage: Sequence[str],
    size: CorpusSize,
    seed: int,
    variants: Sequence[str] = TRAIN_VARIANTS,
    sentences: Sequence[Sequence[str]] = (),
) -> list[UtteranceSpec]:
    """Isolated words, multi-word phrases, domain ``sentences`` (their words outside
    ``vocab`` labelled ``[unk]``), garbage sentences and noise-only clips."""
    rng = np.random.default_rng(seed)
    specs: list[UtteranceSpec] = []

    def add(words: Sequence[str], labels: Sequence[str], kind: str) -> None:
        angry = bool(rng.random() < 0.2)
        style = random_style(rng, lang, variants, angry=angry, gap=len(words) > 1)
        channel = random_channel(rng, angry=angry)
        text = " ".join(words)
        if len(words) > 1 and rng.random() < 0.5:  # intonation: a clause break, a question
            tokens = list(words)
            if len(tokens) > 2 and rng.random() < 0.4:
                cut = int(rng.integers(1, len(tokens) - 1))
                tokens[cut] += ","
            tokens[-1] += str(rng.choice([".", "?", "!"]))
            text = " ".join(tokens)
        specs.append(
            UtteranceSpec(
                text, tuple(words), tuple(labels), style, channel, int(rng.integers(2**31)), kind
            )
        )

    for word in vocab:
        for _ in range(size.renderings_per_word):
            add([word], [word], KIND_WORD)

    # Phrases: walk shuffled copies of the vocabulary so every word appears evenly.
    pool: list[str] = []
    for _ in range(size.phrases_per_word):
        pool.extend(rng.permutation(list(vocab)).tolist())
    while pool:
        n = min(len(pool), int(rng.integers(2, 6)))
        words, pool = pool[:n], pool[n:]
        labels = list(words)
        if garbage and rng.random() < size.garbage_share_in_phrases:
            pos = int(rng.integers(0, len(words) + 1))
            words.insert(pos, garbage[int(rng.integers(len(garbage)))])
            labels.insert(pos, UNK_WORD)
        add(words, labels, KIND_PHRASE)

    known = set(vocab)
    for sentence in sentences:
        labels = [w if w in known else UNK_WORD for w in sentence]
        for _ in range(size.sentence_renderings):
            add(sentence, labels, KIND_SENTENCE)

    if garbage:
        for _ in range(size.garbage_sentences):
            n = int(rng.integers(1, 6))
            words = [garbage[int(i)] for i in rng.integers(0, len(garbage), n)]
            add(words, [UNK_WORD] * n, KIND_GARBAGE)

    for _ in range(size.noise_only):
        specs.append(
            UtteranceSpec(
                "", (), (), SpeechStyle(language(lang).default_voice),
                random_channel(rng, angry=False), int(rng.integers(2**31)), KIND_NOISE,
            )
        )  # fmt: skip
    return specs


def render(spec: UtteranceSpec, rate_hz: int = 16000) -> tuple[np.ndarray, tuple[float, float]]:
    """Synthesise and degrade one utterance; also return where the speech is (seconds)."""
    rng = np.random.default_rng(spec.seed)
    ch = spec.channel
    if spec.text:
        speech = warp_speed(synthesize(spec.text, spec.style, rate_hz=rate_hz), *ch.warp)
    else:
        speech = np.zeros(int(rng.uniform(0.3, 1.2) * rate_hz), dtype=np.float32)
    start_s, end_s = speech_extent(speech, rate_hz)
    audio = pad_silence(treble_shelf(speech, rate_hz, ch.treble_db), rate_hz, ch.lead_s, ch.trail_s)
    if ch.telephone:
        audio = telephone_band(audio, rate_hz, mulaw=bool(rng.random() < 0.5))
    audio = apply_gain(audio, ch.gain_db)
    if ch.snr_db is not None:
        if spec.text:
            audio = add_noise(audio, rng, ch.snr_db, ch.noise_colour)
        else:  # no speech to measure against: a plain noise floor
            level = 10.0 ** (float(rng.uniform(20.0, 60.0)) / 20.0)
            audio = audio + level * coloured_noise(audio.size, rng, ch.noise_colour)
        audio = np.clip(audio, -32768.0, 32767.0).astype(np.float32)
    return audio, (start_s + ch.lead_s, end_s + ch.lead_s)


def speech_extent(samples: np.ndarray, rate_hz: int) -> tuple[float, float]:
    """First and last moment (s) where clean synthetic audio is above -40 dB of its peak."""
    hop = rate_hz // 100
    n = samples.size // hop
    if n == 0:
        return 0.0, 0.0
    energy = np.sqrt(np.mean(samples[: n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1))
    peak = float(energy.max())
    if peak <= 0.0:
        return 0.0, 0.0
    active = np.flatnonzero(energy > peak * 0.01)
    return active[0] * hop / rate_hz, (active[-1] + 1) * hop / rate_hz
