"""Text as the anger lexicon reads it: normalised word tokens, masked words
(``f***``, ``бл*``) kept whole, and the marks of written text (a sad face,
an angry emoji, "?!") as tokens of their own."""

from __future__ import annotations

import re

from assist.wordpatterns import normalize

_LETTER = r"[^\W\d_]"
_MASK_CHARS = "*@#$%"
# A word: letters, apostrophes inside, and mask characters after the first
# letter (``*`` anywhere, ``@#$%`` only before another letter or mask).
_TOKEN = re.compile(rf"{_LETTER}(?:{_LETTER}|'(?={_LETTER})|\*|[@#$%](?=[^\W\d_]|\*))*")
_MASK_RUN = re.compile(r"[*@#$%]+")


def normalize_language(language: str) -> str:
    """``ru``, ``ru-RU``, ``ru_RU`` -> ``ru``."""
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


# Marks of written text, each run read as one token: a sad face (:( :-( (((
# and sad emoji, not the crying ones, which tweets use for laughing too) as
# ":(", an angry face or thumbs down as "😠", "?!" and "??" (indignant or
# insistent questions). Recognised speech has none.
MARKS: tuple[str, ...] = (":(", "😠", "?!", "??")
_MARK_PATTERNS = (
    (
        ":(",
        r"(?::-?\(+|\({2,}|[\U0001F61E\U0001F61F\U0001F622\U0001F62B\u2639\U0001F641\U0001F612])+",
    ),
    ("😠", r"[\U0001F620\U0001F621\U0001F92C\U0001F624\U0001F44E]+"),
    ("?!", r"\?+!+[?!]*|!+\?+[?!]*"),
    ("??", r"\?{2,}"),
)
_SCAN = re.compile(
    "|".join(f"(?P<m{i}>{pattern})" for i, (_, pattern) in enumerate(_MARK_PATTERNS))
    + f"|(?P<word>{_TOKEN.pattern})"
)


def tokenize(text: str) -> list[str]:
    """Normalised word tokens (as :func:`assist.wordpatterns.tokenize`), masked
    words kept whole, marks of written text as their :data:`MARKS`:
    ``"F***ing hell?!"`` -> ``["f***ing", "hell", "?!"]``."""
    out = []
    for found in _SCAN.finditer(normalize(text)):
        kind = found.lastgroup
        if kind == "word":
            out.extend(_TOKEN.findall(found.group().replace("-", " ")))
        elif kind is not None:
            out.append(_MARK_PATTERNS[int(kind[1:])][0])
    return out


def is_masked(token: str) -> bool:
    return any(c in _MASK_CHARS for c in token)


def mask_pattern(token: str) -> re.Pattern[str] | None:
    """A masked word as a pattern over the letters it hides, or None when too
    little of it is visible to say (under two letters, or only one mask in
    a two-character word)."""
    letters = sum(c.isalpha() for c in token)
    if letters < 1 or len(token) < 3:
        return None
    parts: list[str] = []
    pos = 0
    for run in _MASK_RUN.finditer(token):
        parts.append(re.escape(token[pos : run.start()]))
        hidden = len(run.group())
        at_end = run.end() == len(token)
        parts.append(f"{_LETTER}{{1,{hidden + (4 if at_end else 1)}}}")
        pos = run.end()
    parts.append(re.escape(token[pos:]))
    return re.compile("".join(parts))
