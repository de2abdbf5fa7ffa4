"""What the customer says: lexicon hits from partial and final recognition
results, turned into score contributions with readable reasons.

A recogniser revises its partial result until it commits the final one, so
the hits of the latest partial are provisional: each new partial replaces
them and the final result replaces them for good. A word seen in a partial and
again in the final therefore counts once. A hit's weight is scaled by the
recogniser's confidence (nothing at or below ``min_conf``), halves with each
repeat of the same term, counts fully for ``hold_s`` and then fades.

A keyword is trusted only as far as the recogniser understands the call: a
closed-vocabulary model hearing speech it does not know turns most of it into
``[unk]`` or unsure words, and now and then into a confident vocabulary word,
anger words included. So each hit is also scaled by how much of the words
around it (the same result and the last ``context_words`` final words; the
hit's own words excluded) came out as real words with at least
``understood_conf``; and hits not fully trusted together stay under
``uncertain_cap``, below ``tense``: a lone keyword in a stretch the
recogniser did not understand cannot raise the level by itself.

Confidence alone is not enough with a small closed vocabulary: it has few
words to choose from, so it can be sure of a word that was never said. What
gives it away is timing: fitted onto speech it does not know, its words are
stretched over far more syllables than they have. So a word held longer than
``max_syllable_s`` per syllable is not understood, and a hit on such words
counts nothing.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from ivr.asr.base import UNKNOWN_WORD
from ivr.events import AngerReason, TranscriptFinal, TranscriptPartial

from .config import KeywordConfig
from .lexicon import Lexicon, Term, normalize_word, tokenize
from .reasons import ReasonTexts, reason_texts


@dataclass(frozen=True)
class Hit:
    term: Term
    spoken: str  # the words as recognised
    at_s: float  # end of the last matched word
    conf: float
    trust: float  # 0..1: how well the recogniser understood the words around it


_CONTEXT_PRIOR_WORDS = 2.0  # a result with no context counts as this many words ...
_CONTEXT_PRIOR_SHARE = 0.5  # ... understood this much (a closed vocabulary's words) ...
_OPEN_PRIOR_SHARE = 1.0  # ... or this much (an open one's: see KeywordTracker.open_vocabulary)


def _ramp(x: float, start: float, full: float) -> float:
    return min(1.0, max(0.0, (x - start) / (full - start)))


_VOWELS = re.compile("[аеёиоуыэюяaeiouy]+")


def syllables(word: str) -> int:
    """Syllables of a written word: its vowel groups (a silent final English
    ``e`` excepted); at least one."""
    count = len(_VOWELS.findall(word))
    if count > 1 and word.endswith("e") and word[-2:-1] not in ("l", "e", "y") and word.isascii():
        count -= 1
    return max(1, count)


def _conf_factor(conf: float, cfg: KeywordConfig) -> float:
    if conf <= cfg.min_conf:
        return 0.0
    return min(1.0, (conf - cfg.min_conf) / (cfg.full_conf - cfg.min_conf))


class KeywordTracker:
    def __init__(
        self, lexicon: Lexicon, config: KeywordConfig, texts: ReasonTexts | None = None
    ) -> None:
        self.lexicon = lexicon
        self.config = config
        self.texts = texts or reason_texts(lexicon.language)
        self._final: list[Hit] = []
        self._partial: list[Hit] = []
        self.negated: list[Hit] = []  # cancelled by a negation (kept for inspection)
        self._context: deque[bool] = deque(maxlen=config.context_words)  # recent final words
        self._prior_share = _CONTEXT_PRIOR_SHARE

    def open_vocabulary(self) -> None:
        """The recogniser has a large vocabulary: it does not fit its few
        words onto speech it does not know, so a result with no context yet
        (the caller's first words, a plain partial) is trusted until
        confidences and [unk]s in the finals say otherwise."""
        self._prior_share = _OPEN_PRIOR_SHARE

    def feed(self, event: TranscriptPartial | TranscriptFinal) -> float:
        """Take one recognition result; returns the audio time it reaches."""
        hits, negated, reach_s, understood = self._hits(event)
        if isinstance(event, TranscriptFinal):
            self._final.extend(hits)
            self._partial = []
            self.negated.extend(negated)
            self._context.extend(u for u in understood if u is not None)
        else:
            self._partial = hits
        return reach_s

    def _hits(
        self, event: TranscriptPartial | TranscriptFinal
    ) -> tuple[list[Hit], list[Hit], float, list[bool]]:
        tokens: list[str] = []
        ends: list[float] = []
        confs: list[float] = []
        owner: list[int] = []  # the recognised word each token comes from
        understood: list[bool | None] = []  # per recognised word; None: cannot tell
        cfg = self.config
        words = (
            [(w.word, float(w.end_s), float(w.conf), w.end_s - w.start_s) for w in event.words]
            if event.words
            else [(w, float(event.at_s), None, None) for w in event.text.split()]
        )
        for word, end_s, word_conf, held_s in words:
            # A result without word details (a plain partial) says only
            # which words came out as [unk], not how sure the rest was.
            stretched = held_s is not None and held_s > cfg.max_syllable_s * syllables(word)
            if word == UNKNOWN_WORD or stretched:
                understood.append(False)
            else:
                understood.append(None if word_conf is None else word_conf >= cfg.understood_conf)
            conf = cfg.text_only_conf if word_conf is None else word_conf
            if stretched:
                conf = 0.0
            for token in tokenize(word):
                tokens.append(token)
                ends.append(end_s)
                confs.append(conf)
                owner.append(len(understood) - 1)
        reach_s = max([float(event.at_s), *ends])
        hits: list[Hit] = []
        negated: list[Hit] = []
        for match in self.lexicon.find(tokens):
            spoken = " ".join(tokens[i] for i in range(match.start, match.end + 1))
            own = {owner[i] for i in range(match.start, match.end + 1)}
            around = [u for i, u in enumerate(understood) if i not in own]
            hit = Hit(
                term=match.term,
                spoken=normalize_word(spoken),
                at_s=ends[match.end],
                conf=min(confs[i] for i in match.positions),
                trust=self._trust(around),
            )
            (negated if match.negated else hits).append(hit)
        return hits, negated, reach_s, understood

    def _trust(self, around: list[bool | None]) -> float:
        """How far to trust a hit, from the share of understood words around it
        (this result's other words and the recent final words)."""
        cfg = self.config
        judged = [u for u in around if u is not None]
        known = sum(judged) + sum(self._context)
        count = len(judged) + len(self._context)
        share = (known + self._prior_share * _CONTEXT_PRIOR_WORDS) / (count + _CONTEXT_PRIOR_WORDS)
        return _ramp(share, cfg.understanding_start, cfg.understanding_full)

    def contributions(self, now_s: float) -> list[AngerReason]:
        """Current share of the score per (category, spoken words), capped."""
        cfg = self.config
        hits = sorted(self._final + self._partial, key=lambda h: h.at_s)
        seen: dict[str, int] = {}
        weighted: list[tuple[Hit, float]] = []
        for hit in hits:
            repeat = seen.get(hit.term.text, 0)
            seen[hit.term.text] = repeat + 1
            age = max(0.0, now_s - hit.at_s - cfg.hold_s)
            weight = (
                hit.term.weight
                * hit.trust
                * _conf_factor(hit.conf, cfg)
                * cfg.repeat_factor**repeat
                * 0.5 ** (age / cfg.half_life_s)
            )
            if weight > 0.0:
                weighted.append((hit, weight))
        uncertain = sum(w for h, w in weighted if h.trust < 1.0)
        damp = min(1.0, cfg.uncertain_cap / uncertain) if uncertain > 0 else 1.0

        per_category: dict[str, float] = {}
        items: dict[tuple[str, str], list] = {}
        for hit, weight in weighted:
            if hit.trust < 1.0:
                weight *= damp
            category = hit.term.category
            per_category[category] = per_category.get(category, 0.0) + weight
            key = (category, hit.spoken)
            entry = items.setdefault(key, [0.0, 0, hit.term.is_phrase])
            entry[0] += weight
            entry[1] += 1
        if not items:
            return []
        # Category caps, then the cap on all keywords together.
        scale = {}
        for category, total in per_category.items():
            cap = self.lexicon.category(category).cap
            scale[category] = min(1.0, cap / total) if total > 0 else 0.0
        total = sum(w * scale[c] for (c, _), (w, _, _) in items.items())
        overall = min(1.0, cfg.cap / total) if total > 0 else 0.0
        reasons = []
        for (category, spoken), (weight, count, is_phrase) in items.items():
            label = self.lexicon.category(category).label
            times = f" x{count}" if count > 1 else ""
            template = "phrase" if is_phrase else "keyword"
            reasons.append(
                AngerReason(
                    kind=f"keyword:{category}",
                    text=self.texts.render(template, words=spoken, label=label, times=times),
                    weight=weight * scale[category] * overall,
                    words=spoken,
                )
            )
        return reasons
