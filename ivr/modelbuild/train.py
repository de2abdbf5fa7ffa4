"""Train the whole-word acoustic model: flat start, then Viterbi re-alignment passes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ivr.modelbuild.align import (
    SUBSAMPLING,
    StateSequence,
    flat_alignment,
    output_frames,
    state_sequence,
    viterbi,
    word_pdfs,
)
from ivr.modelbuild.corpus import KIND_WORD
from ivr.modelbuild.dataset import Utterance
from ivr.modelbuild.hmm import WordHmm
from ivr.modelbuild.nnet import MlpAcousticModel, splice_index
from ivr.modelbuild.phonemes import PhoneInventory
from ivr.modelbuild.vocab import UNK_WORD


@dataclass(frozen=True)
class TrainConfig:
    hidden: tuple[int, ...] = (256, 256, 256)
    splice_offsets: tuple[int, ...] = (-12, -9, -6, -4, -2, 0, 2, 4, 6, 9, 12)
    epochs_per_pass: tuple[int, ...] = (4, 4, 4)  # pass 0 trains on the flat-start alignment
    learning_rate: float = 4e-3
    lr_decay_per_pass: float = 0.5
    batch_frames: int = 1024  # large batches stay fast when other processes share the cores
    dropout: float = 0.2
    silence_keep: float = 0.4  # share of silence frames trained on per epoch (speed)
    silence_states: int = 3
    min_word_states: int = 2
    max_word_states: int = 10
    frames_per_state: float = 2.5  # output frames (30 ms) per HMM state at median speed
    # At most this many states per espeak-ng phoneme of the word: isolated renderings
    # overstate how long function words ("a", "to", "и") last inside a fast phrase.
    states_per_phoneme: float = 1.0


MIN_GARBAGE_UNITS = 3


@dataclass(frozen=True)
class GarbageLabels:
    """How out-of-vocabulary training words sound: espeak phonemes per (base voice, word)."""

    inventory: PhoneInventory
    transcriptions: dict[tuple[str, str], tuple[str, ...]]

    def unit_ids(self, voice: str, word: str) -> list[int]:
        base = voice.split("+", 1)[0]
        ids = self.inventory.unit_ids(self.transcriptions.get((base, word), ()))
        if not ids:
            ids = [0]
        while len(ids) < MIN_GARBAGE_UNITS:  # the graph's [unk] spans at least three units
            ids = [ids[0], *ids] if len(ids) == 1 else [ids[0], *ids[1:-1], ids[-2], ids[-1]]
        return ids


@dataclass
class TrainResult:
    hmm: WordHmm
    phone_of: dict[str, int]
    garbage_phones: tuple[tuple[int, int, int], ...]  # (begin, internal, end) per unit
    garbage_units: tuple[str, ...]
    model: MlpAcousticModel
    priors: np.ndarray
    frame_accuracy: float
    aligned_utterances: int
    dropped_utterances: int
    history: list[tuple[int, float, float]] = field(default_factory=list)  # pass, loss, acc


Progress = Callable[[str], None]


def choose_state_counts(
    vocab: Sequence[str],
    utts: Sequence[Utterance],
    cfg: TrainConfig,
    phoneme_counts: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """States per word from the durations of its isolated renderings, capped by its
    number of phonemes (``phoneme_counts``, when given)."""
    durations: dict[str, list[float]] = {w: [] for w in vocab}
    for u in utts:
        if u.spec.kind == KIND_WORD:
            start, end = u.speech_s
            durations[u.spec.labels[0]].append((end - start) / (0.01 * SUBSAMPLING))
    counts: dict[str, int] = {}
    for word, values in durations.items():
        if not values:
            counts[word] = cfg.min_word_states
            continue
        arr = np.asarray(values)
        by_median = round(float(np.median(arr)) / cfg.frames_per_state)
        by_fastest = int(np.percentile(arr, 10) * 0.8)
        by_phonemes = cfg.max_word_states
        if phoneme_counts and phoneme_counts.get(word):
            by_phonemes = int(np.ceil(cfg.states_per_phoneme * phoneme_counts[word]))
        counts[word] = int(
            np.clip(
                min(by_median, by_fastest, by_phonemes), cfg.min_word_states, cfg.max_word_states
            )
        )
    return counts


def _blocks(
    u: Utterance,
    phone_of: dict[str, int],
    hmm: WordHmm,
    garbage: GarbageLabels | None,
    garbage_phones: Sequence[tuple[int, int, int]],
) -> list[list[int]]:
    spoken = u.spec.words
    blocks = []
    for i, label in enumerate(u.spec.labels):
        if label == UNK_WORD:
            if garbage is None:
                raise ValueError("out-of-vocabulary training speech needs garbage labels")
            units = garbage.unit_ids(u.spec.style.voice, spoken[i])
            blocks.append([hmm.pdf(garbage_phones[k][0], 0) for k in units])
        else:
            blocks.append(word_pdfs(hmm, phone_of[label]))
    return blocks


def _char_weight(word: str) -> float:
    return float(max(2, len(word)))


def train_acoustic_model(
    utts: Sequence[Utterance],
    vocab: Sequence[str],
    cfg: TrainConfig,
    seed: int,
    progress: Progress | None = None,
    garbage: GarbageLabels | None = None,
    phoneme_counts: Mapping[str, int] | None = None,
) -> TrainResult:
    rng = np.random.default_rng(seed)
    say = progress or (lambda _msg: None)
    counts = choose_state_counts(vocab, utts, cfg, phoneme_counts)
    phone_of = {w: i + 2 for i, w in enumerate(vocab)}
    state_counts = [cfg.silence_states, *(counts[w] for w in vocab)]
    owners = list(range(1, len(state_counts) + 1))
    garbage_phones: list[tuple[int, int, int]] = []
    units = garbage.inventory.units if garbage else ()
    for _ in units:
        b = len(state_counts) + 1
        garbage_phones.append((b, b + 1, b + 2))
        state_counts += [1, 1, 1]
        owners += [b, b, b]
    hmm = WordHmm(tuple(state_counts), tuple(owners))
    seqs = [state_sequence(_blocks(u, phone_of, hmm, garbage, garbage_phones), hmm) for u in utts]

    # All features in one array; each utterance is a slice of it.
    feats = np.concatenate([u.feats for u in utts]).astype(np.float32)
    starts = np.cumsum([0] + [u.feats.shape[0] for u in utts[:-1]])
    model = MlpAcousticModel(feats.shape[1], cfg.splice_offsets, cfg.hidden, hmm.num_pdfs, rng)
    model.set_normalisation(feats)

    # Flat start.
    aligns: list[np.ndarray | None] = []
    for u, seq in zip(utts, seqs, strict=True):
        k = output_frames(u.feats.shape[0])
        span = (
            int(u.speech_s[0] / (0.01 * SUBSAMPLING)),
            int(np.ceil(u.speech_s[1] / (0.01 * SUBSAMPLING))),
        )
        weights = [_char_weight(w) for w in u.spec.words] or [1.0]
        if len(weights) != len(u.spec.labels):
            weights = [1.0] * len(u.spec.labels)
        aligns.append(flat_alignment(seq, k, span, weights))

    history: list[tuple[int, float, float]] = []
    priors = np.ones(hmm.num_pdfs) / hmm.num_pdfs
    lr = cfg.learning_rate
    loss = acc = 0.0
    for pass_no, epochs in enumerate(cfg.epochs_per_pass):
        if pass_no > 0:
            say(f"re-aligning (pass {pass_no})")
            aligns = _realign(model, feats, starts, utts, seqs, priors)
        labels_per_utt = [
            None if a is None else seq.pdfs[a] for a, seq in zip(aligns, seqs, strict=True)
        ]
        priors = _priors(labels_per_utt, hmm.num_pdfs)
        for epoch in range(epochs):
            loss, acc = _epoch(model, feats, starts, utts, labels_per_utt, cfg, lr, rng)
            history.append((pass_no, loss, acc))
            say(f"pass {pass_no} epoch {epoch + 1}/{epochs}: loss {loss:.3f} acc {acc:.3f}")
        lr *= cfg.lr_decay_per_pass
    aligns = _realign(model, feats, starts, utts, seqs, priors)
    labels_per_utt = [
        None if a is None else seq.pdfs[a] for a, seq in zip(aligns, seqs, strict=True)
    ]
    priors = _priors(labels_per_utt, hmm.num_pdfs)
    aligned = sum(a is not None for a in aligns)
    return TrainResult(
        hmm=hmm,
        phone_of=phone_of,
        garbage_phones=tuple(garbage_phones),
        garbage_units=tuple(units),
        model=model,
        priors=priors,
        frame_accuracy=acc,
        aligned_utterances=aligned,
        dropped_utterances=len(utts) - aligned,
        history=history,
    )


def _priors(labels: Sequence[np.ndarray | None], num_pdfs: int) -> np.ndarray:
    counts = np.ones(num_pdfs)
    for lab in labels:
        if lab is not None:
            counts += np.bincount(lab, minlength=num_pdfs)
    return counts / counts.sum()


def _output_frame_index(num_frames: int, phase: int) -> np.ndarray:
    k = output_frames(num_frames)
    return np.minimum(np.arange(k) * SUBSAMPLING + phase, num_frames - 1)


def _epoch(
    model: MlpAcousticModel,
    feats: np.ndarray,
    starts: np.ndarray,
    utts: Sequence[Utterance],
    labels: Sequence[np.ndarray | None],
    cfg: TrainConfig,
    lr: float,
    rng: np.random.Generator,
) -> tuple[float, float]:
    rows: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for u, start, lab in zip(utts, starts, labels, strict=True):
        if lab is None:
            continue
        n = u.feats.shape[0]
        frames = _output_frame_index(n, int(rng.integers(SUBSAMPLING)))
        rows.append(start + splice_index(n, frames, model.offsets))
        targets.append(lab)
    index = np.concatenate(rows)
    target = np.concatenate(targets)
    keep = (target >= cfg.silence_states) | (rng.random(len(target)) < cfg.silence_keep)
    order = rng.permutation(np.flatnonzero(keep))
    total_loss = total_acc = 0.0
    batches = 0
    for i in range(0, len(order), cfg.batch_frames):
        sel = order[i : i + cfg.batch_frames]
        x = feats[index[sel]].reshape(len(sel), -1)
        loss, acc = model.train_batch(x, target[sel], lr, cfg.dropout, rng)
        total_loss += loss
        total_acc += acc
        batches += 1
    return total_loss / max(batches, 1), total_acc / max(batches, 1)


def _realign(
    model: MlpAcousticModel,
    feats: np.ndarray,
    starts: np.ndarray,
    utts: Sequence[Utterance],
    seqs: Sequence[StateSequence],
    priors: np.ndarray,
    chunk_frames: int = 8192,
) -> list[np.ndarray | None]:
    """Viterbi-align every utterance, scoring a chunk of utterances at a time: the
    log-likelihoods of the whole corpus (frames x pdfs) would take gigabytes."""
    log_priors = np.log(priors).astype(np.float32)[None, :]
    width = len(model.offsets) * feats.shape[1]
    out: list[np.ndarray | None] = []
    first = 0
    while first < len(utts):
        rows: list[np.ndarray] = []
        total = 0
        last = first
        while last < len(utts) and (total == 0 or total < chunk_frames):
            n = utts[last].feats.shape[0]
            rows.append(starts[last] + splice_index(n, _output_frame_index(n, 0), model.offsets))
            total += len(rows[-1])
            last += 1
        index = np.concatenate(rows)
        loglik = model.log_posteriors(feats[index].reshape(-1, width))
        loglik -= log_priors
        pos = 0
        for part, seq in zip(rows, seqs[first:last], strict=True):
            out.append(viterbi(loglik[pos : pos + len(part)], seq))
            pos += len(part)
        first = last
    return out
