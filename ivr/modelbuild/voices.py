"""espeak-ng voices per language, split into training and held-out variants.

A rendering is ``<base voice>+<variant>``. The held-out variants never
occur in training data, so the benchmark can measure how the model does
on voices it has not heard.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageVoices:
    lang: str
    base_voices: tuple[str, ...]
    default_voice: str


LANGUAGES: dict[str, LanguageVoices] = {
    "ru": LanguageVoices("ru", ("ru", "ru-lv"), "ru"),
    "en": LanguageVoices(
        "en",
        ("en-us", "en-gb", "en-us-nyc"),
        "en-us",
    ),
}

# "" is the base voice without a variant (espeak-ng's default sound).
TRAIN_VARIANTS: tuple[str, ...] = (
    "", "m1", "m2", "m3", "m4", "m5", "m6", "f1", "f2", "f3", "f4",
    "klatt", "klatt2", "klatt3", "croak", "Alex", "adam", "Annie", "david",
    "steph", "max", "robert", "benjamin", "Gene", "iven", "Lee", "aunty", "belinda",
)  # fmt: skip

HELD_OUT_VARIANTS: tuple[str, ...] = (
    "m7", "f5", "klatt4", "john", "linda", "paul", "Mike", "edward",
)  # fmt: skip


def language(lang: str) -> LanguageVoices:
    try:
        return LANGUAGES[lang]
    except KeyError:
        raise ValueError(f"unsupported language {lang!r}; supported: {sorted(LANGUAGES)}") from None


def voice_name(base: str, variant: str) -> str:
    return f"{base}+{variant}" if variant else base
