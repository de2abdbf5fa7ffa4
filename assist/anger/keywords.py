"""What the customer says: lexicon hits from partial and final recognition
results, turned into score contributions with readable reasons.

A recogniser revises its partial result until it commits the final one, so
the hits of the latest partial are provisional: each new partial replaces
them and the final result replaces them for good. A word seen in a partial and
again in the final therefore counts once. A hit's weight is scaled by the
recogniser's confidence (nothing at or below ``min_conf``), halves with each
repeat of the same term, counts fully for ``hold_s`` and then fades.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.events import AngerReason, TranscriptFinal, TranscriptPartial

from .config import KeywordConfig
from .lexicon import Lexicon, Term, normalize_word, tokenize


@dataclass(frozen=True)
class Hit:
    term: Term
    spoken: str  # the words as recognised
    at_s: float  # end of the last matched word
    conf: float


def _conf_factor(conf: float, cfg: KeywordConfig) -> float:
    if conf <= cfg.min_conf:
        return 0.0
    return min(1.0, (conf - cfg.min_conf) / (cfg.full_conf - cfg.min_conf))


class KeywordTracker:
    def __init__(self, lexicon: Lexicon, config: KeywordConfig) -> None:
        self.lexicon = lexicon
        self.config = config
        self._final: list[Hit] = []
        self._partial: list[Hit] = []
        self.negated: list[Hit] = []  # cancelled by a negation (kept for inspection)

    def feed(self, event: TranscriptPartial | TranscriptFinal) -> float:
        """Take one recognition result; returns the audio time it reaches."""
        hits, negated, reach_s = self._hits(event)
        if isinstance(event, TranscriptFinal):
            self._final.extend(hits)
            self._partial = []
            self.negated.extend(negated)
        else:
            self._partial = hits
        return reach_s

    def _hits(
        self, event: TranscriptPartial | TranscriptFinal
    ) -> tuple[list[Hit], list[Hit], float]:
        tokens: list[str] = []
        ends: list[float] = []
        confs: list[float] = []
        if event.words:
            for word in event.words:
                for token in tokenize(word.word):
                    tokens.append(token)
                    ends.append(float(word.end_s))
                    confs.append(float(word.conf))
        else:
            tokens = tokenize(event.text)
            ends = [float(event.at_s)] * len(tokens)
            confs = [self.config.text_only_conf] * len(tokens)
        reach_s = max([float(event.at_s), *ends])
        hits: list[Hit] = []
        negated: list[Hit] = []
        for match in self.lexicon.find(tokens):
            spoken = " ".join(tokens[i] for i in range(match.start, match.end + 1))
            hit = Hit(
                term=match.term,
                spoken=normalize_word(spoken),
                at_s=ends[match.end],
                conf=min(confs[i] for i in match.positions),
            )
            (negated if match.negated else hits).append(hit)
        return hits, negated, reach_s

    def contributions(self, now_s: float) -> list[AngerReason]:
        """Current share of the score per (category, spoken words), capped."""
        cfg = self.config
        hits = sorted(self._final + self._partial, key=lambda h: h.at_s)
        seen: dict[str, int] = {}
        per_category: dict[str, float] = {}
        items: dict[tuple[str, str], list] = {}
        for hit in hits:
            repeat = seen.get(hit.term.text, 0)
            seen[hit.term.text] = repeat + 1
            age = max(0.0, now_s - hit.at_s - cfg.hold_s)
            weight = (
                hit.term.weight
                * _conf_factor(hit.conf, cfg)
                * cfg.repeat_factor**repeat
                * 0.5 ** (age / cfg.half_life_s)
            )
            if weight <= 0.0:
                continue
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
            kind = "phrase" if is_phrase else "keyword"
            times = f" x{count}" if count > 1 else ""
            reasons.append(
                AngerReason(
                    kind=f"keyword:{category}",
                    text=f"{kind} '{spoken}' ({label}){times}",
                    weight=weight * scale[category] * overall,
                    words=spoken,
                )
            )
        return reasons
