"""One-off: rewrite the shipped anger lexicons' brace lists as lemmas (ru) and
stem-keeping words (en), in place, comments and layout kept. Run once with
the venv's python; the lexicon loader refuses brace lists of Russian forms."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from assist.anger.morphology import morphology
from assist.wordpatterns import expand_word, normalize_word

DATA = Path(__file__).resolve().parent.parent / "assist" / "data"
_STRING = re.compile(r'"([^"]*)"')


def word_ru(written: str) -> str:
    pattern = expand_word(written)
    if pattern.stems:
        return written
    morph = morphology("ru")
    lemmas: list[str] = []
    for form in sorted(pattern.forms, key=lambda f: (len(f), f)):
        lemma = morph._morph.parse(form)[0].normal_form.replace("ё", "е")  # noqa: SLF001
        if morph.lemma_hint(lemma) is not None:
            lemma = "=" + form
        if lemma not in lemmas:
            lemmas.append(lemma)
    return lemmas[0] if len(lemmas) == 1 else "{" + ",".join(lemmas) + "}"


def word_en(written: str) -> str:
    pattern = expand_word(written)
    if pattern.stems:
        return written
    morph = morphology("en")
    by_stem: dict[str, str] = {}
    for form in sorted(pattern.forms, key=lambda f: (len(f), f)):
        by_stem.setdefault(morph.key(form), form)
    words = list(by_stem.values())
    return words[0] if len(words) == 1 else "{" + ",".join(words) + "}"


def migrate(path: Path, convert) -> None:
    out: list[str] = []
    in_terms = False
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("terms = ["):
            in_terms = True
        elif in_terms and stripped == "]":
            in_terms = False
        elif in_terms and not stripped.startswith("#"):
            line = _STRING.sub(
                lambda m: '"' + " ".join(convert(normalize_word(w)) for w in m.group(1).split()) + '"'
                if m.start() == line.index('"', line.find("term") if "term =" in line else 0)
                else m.group(0),
                line,
            )
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    migrate(DATA / "lexicon_ru.toml", word_ru)
    migrate(DATA / "lexicon_en.toml", word_en)
    sys.exit(0)
