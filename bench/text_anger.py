"""The anger lexicon on real customer texts: negative vs neutral.

Reads the development texts in ``../shared/devsets/text/`` (beside the
repository; real tweets, never copied into the project) and scores every text
as one customer message through the text channel (``assist.text``: the anger
core with text settings). Printed per file:

- precision, recall and F1 of "flagged" against the negative label, on
  negative and neutral texts (positive and mixed texts left out);
- the share of positive texts flagged;
- the lexicon terms behind most flags of neutral texts (false positives);
- the words most over-represented in negative texts that were not flagged
  (a lemma / stem with its count in missed negatives and in neutrals), to
  show what the lexicon misses; never the texts themselves;
- the matching cost per text (``Lexicon.find`` on its tokens): first sight of
  every word (cold analyser caches) and again (warm), and the whole text
  scoring per message.

Run: python -m bench.text_anger [--top N] [--terms]   (``--terms``: every term's
hits on negatives / neutrals / positives, for pruning)
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assist.anger.lexicon import load_lexicon, tokenize
from assist.anger.morphology import morphology
from assist.text import score_text

DEVSETS = Path(__file__).resolve().parent.parent.parent / "shared" / "devsets" / "text"
FILES = (
    ("ru_telecom_tweets_train.csv", "ru"),
    ("ru_bank_tweets_train.csv", "ru"),
    ("en_airline_tweets_dev.csv", "en"),
)
TARGETS = {  # file -> (F1, precision) the issue asks for; positives flagged <= 5 % everywhere
    "ru_telecom_tweets_train.csv": (0.60, 0.75),
    "en_airline_tweets_dev.csv": (0.70, 0.75),
}
MAX_POSITIVE_FLAGGED = 0.05


@dataclass
class FileResult:
    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    positives: int = 0
    positives_flagged: int = 0
    fp_terms: Counter[str] = field(default_factory=Counter)
    term_hits: dict[str, Counter[str]] = field(default_factory=dict)
    missed_words: Counter[str] = field(default_factory=Counter)
    neutral_words: Counter[str] = field(default_factory=Counter)
    find_cold_us: float = 0.0
    find_warm_us: float = 0.0
    score_us: float = 0.0

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def read_rows(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(row["text"], row["label"]) for row in csv.DictReader(f)]


def _word_keys(lang: str, text: str) -> set[str]:
    """One key per word (the first lemma / the stem), for the missed-word table."""
    morph = morphology(lang)
    out = set()
    for token in tokenize(text):
        if len(token) < 3:
            continue
        out.add(morph.lemma(token))
    return out


def evaluate(name: str, lang: str, rows: list[tuple[str, str]]) -> FileResult:
    result = FileResult(name)
    lexicon = load_lexicon(lang)
    token_lists = [tokenize(text) for text, _ in rows]
    lexicon.morphology.clear_cache()
    lexicon.clear_cache()
    t0 = time.perf_counter()
    for tokens in token_lists:
        lexicon.find(tokens)
    result.find_cold_us = 1e6 * (time.perf_counter() - t0) / max(1, len(rows))
    warm_s = []
    for _ in range(3):  # the best of three: a shared machine adds noise, never speed
        t1 = time.perf_counter()
        for tokens in token_lists:
            lexicon.find(tokens)
        warm_s.append(time.perf_counter() - t1)
    result.find_warm_us = 1e6 * min(warm_s) / max(1, len(rows))
    t3 = time.perf_counter()
    for text, label in rows:
        verdict = score_text(text, lang)
        flagged = verdict.flagged
        terms = {r.category + ":" + r.words for r in verdict.reasons}
        for match in lexicon.find(tokenize(text)):
            if not match.negated:
                result.term_hits.setdefault(match.term.text, Counter())[label] += 1
        if label == "negative":
            if flagged:
                result.tp += 1
            else:
                result.fn += 1
                result.missed_words.update(_word_keys(lang, text))
        elif label == "neutral":
            result.neutral_words.update(_word_keys(lang, text))
            if flagged:
                result.fp += 1
                result.fp_terms.update(terms)
            else:
                result.tn += 1
        elif label == "positive":
            result.positives += 1
            result.positives_flagged += flagged
    result.score_us = 1e6 * (time.perf_counter() - t3) / max(1, len(rows))
    return result


def report(result: FileResult, top: int, all_terms: bool) -> list[str]:
    failures = []
    pos = result.positives_flagged / max(1, result.positives)
    print(
        f"\n{result.name}: negative {result.tp + result.fn}, neutral {result.fp + result.tn}, "
        f"positive {result.positives}"
    )
    print(
        f"  precision {result.precision:.3f}  recall {result.recall:.3f}  F1 {result.f1:.3f}  "
        f"positives flagged {100 * pos:.1f} %"
    )
    print(
        f"  matching per text: {result.find_cold_us:.1f} us cold caches, "
        f"{result.find_warm_us:.1f} us warm; whole message scoring {result.score_us:.0f} us"
    )
    target = TARGETS.get(result.name)
    if target is not None:
        f1_goal, p_goal = target
        ok = result.f1 >= f1_goal and result.precision >= p_goal
        print(f"  target F1 >= {f1_goal}, precision >= {p_goal}: {'met' if ok else 'NOT met'}")
        if not ok:
            failures.append(result.name)
    if pos > MAX_POSITIVE_FLAGGED:
        print(f"  positives flagged above {100 * MAX_POSITIVE_FLAGGED:.0f} %")
        failures.append(result.name + " (positives)")
    print(f"  terms behind flagged neutrals (top {top}):")
    for term, count in result.fp_terms.most_common(top):
        print(f"    {count:4d}  {term}")
    negatives = max(1, result.fn)
    neutrals = max(1, result.fp + result.tn)
    over = [
        (count / negatives - result.neutral_words[w] / neutrals, w, count)
        for w, count in result.missed_words.items()
        if count >= 5
    ]
    over.sort(reverse=True)
    print(f"  words over-represented in missed negatives (top {top}; missed / neutral counts):")
    for _, word, count in over[:top]:
        print(f"    {count:4d} / {result.neutral_words[word]:4d}  {word}")
    if all_terms:
        print("  every term's hits (negative / neutral / positive):")
        for term, counts in sorted(result.term_hits.items(), key=lambda kv: -sum(kv[1].values())):
            neg, neu, pos = counts["negative"], counts["neutral"], counts["positive"]
            print(f"    {neg:4d} {neu:4d} {pos:4d}  {term}")
    return failures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.text_anger")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--terms", action="store_true", help="every term's hits per label")
    parser.add_argument("--file", action="append", help="only these dev files (names)")
    args = parser.parse_args(argv if argv is not None else [])
    if not DEVSETS.is_dir():
        print(f"SKIPPED: the development texts are absent ({DEVSETS} not found); nothing measured")
        return
    failures: list[str] = []
    for name, lang in FILES:
        if args.file and name not in args.file:
            continue
        path = DEVSETS / name
        if not path.is_file():
            print(f"\n{name}: absent, skipped")
            continue
        failures += report(evaluate(name, lang, read_rows(path)), args.top, args.terms)
    print("\ntargets:", "all met" if not failures else "NOT met for " + ", ".join(failures))


if __name__ == "__main__":
    main(sys.argv[1:])
