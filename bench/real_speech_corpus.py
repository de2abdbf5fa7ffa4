"""A real-speech corpus built from Debian's Asterisk prompt packages: pairs of
professionally recorded human speech and the text that was read.

Sources (installed by ``scripts/setup.sh``; CC-BY-SA, nothing is committed):

- ``asterisk-core-sounds-{ru,en}``: the texts, ``core-sounds-{ru,en}.txt.gz``
  (``name: text`` lines);
- ``asterisk-core-sounds-{ru,en}-wav``: the prompts as 8 kHz 16-bit PCM
  (what a telephone line carries);
- ``asterisk-core-sounds-{ru,en}-g722``: the same takes in G.722, 16 kHz
  wideband, decoded with PyAV (installed with faster-whisper).

Two bands per prompt: ``16k`` (the G.722 take; where PyAV or the package is
missing, the 8 kHz take upsampled, and the listing says so) and ``phone``
(the 8 kHz take through a G.711 mu-law round trip, as a phone line delivers
it). References are the package texts without bracketed notes
(``[ascending tones]``), normalised like the engines' output
(:func:`ivr.asr.normalize.normalize_text`); prompts with no spoken words
(tones, silence) are left out.

``python -m bench.real_speech_corpus [--out DIR] [--lang ru en] [--sample N]``
lists the corpus, and with ``--out`` writes it: ``DIR/<lang>/<name>.16k.wav``,
``<name>.phone.wav`` and ``DIR/<lang>/manifest.jsonl`` (name, text, tokens,
duration).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ivr.asr.normalize import normalize_text
from ivr.audio.g711 import mulaw_decode, mulaw_encode
from ivr.audio.resample import resample
from ivr.sources import read_audio, write_wav

LANGUAGES = ("ru", "en")
BANDS = ("16k", "phone")
SOUNDS_DIR = Path("/usr/share/asterisk/sounds")
DOC_DIR = Path("/usr/share/doc")
VOICE_DIRS = {"ru": "ru_RU_f_IvrvoiceRU", "en": "en_US_f_Allison"}
DEBIAN_PACKAGES = tuple(
    f"asterisk-core-sounds-{lang}{kind}" for lang in LANGUAGES for kind in ("", "-wav", "-g722")
)
SAMPLE_SEED = 13


class CorpusMissing(RuntimeError):
    """The Debian packages are not installed; the message names them."""


@dataclass(frozen=True)
class Prompt:
    lang: str
    name: str  # e.g. "vm-instructions", "digits/7"
    text: str  # the package's text
    wav_path: Path  # 8 kHz PCM
    g722_path: Path | None  # 16 kHz wideband, when that package is installed

    @property
    def tokens(self) -> list[str]:
        return normalize_text(self.text, self.lang)


def texts_file(lang: str) -> Path:
    return DOC_DIR / f"asterisk-core-sounds-{lang}" / f"core-sounds-{lang}.txt.gz"


def sounds_dir(lang: str) -> Path:
    return SOUNDS_DIR / VOICE_DIRS[lang]


def missing_packages(langs: tuple[str, ...] = LANGUAGES) -> list[str]:
    """The text and wav packages not installed (the G.722 ones are optional)."""
    missing = []
    for lang in langs:
        if not texts_file(lang).is_file():
            missing.append(f"asterisk-core-sounds-{lang}")
        if not (sounds_dir(lang) / "vm-instructions.wav").is_file():
            missing.append(f"asterisk-core-sounds-{lang}-wav")
    return missing


def parse_texts(raw: str) -> dict[str, str]:
    """``name: text`` lines (``;`` comments) -> {name: text}. A text that
    repeats its own name first (``conf-adminmenu: conf-adminmenu: ...``) loses it."""
    texts: dict[str, str] = {}
    for line in raw.splitlines():
        line = line.strip()
        if not line or line.startswith(";") or ":" not in line:
            continue
        name, text = (part.strip() for part in line.split(":", 1))
        if text.startswith(f"{name}:"):
            text = text[len(name) + 1 :].strip()
        if name and text:
            texts[name] = text
    return texts


@cache
def prompts(lang: str) -> tuple[Prompt, ...]:
    """Every prompt of ``lang`` with spoken words and a recording, by name."""
    missing = missing_packages((lang,))
    if missing:
        raise CorpusMissing(
            f"the real-speech corpus needs the Debian packages {' '.join(missing)} "
            "(scripts/setup.sh installs them)"
        )
    raw = gzip.decompress(texts_file(lang).read_bytes()).decode("utf-8")
    out = []
    for name, text in sorted(parse_texts(raw).items()):
        wav = sounds_dir(lang) / f"{name}.wav"
        if not wav.is_file() or not normalize_text(text, lang):
            continue
        g722 = wav.with_suffix(".g722")
        out.append(Prompt(lang, name, text, wav, g722 if g722.is_file() else None))
    return tuple(out)


def sample(items: tuple[Prompt, ...], n: int | None, seed: int = SAMPLE_SEED) -> list[Prompt]:
    """A fixed random sample of ``n`` prompts (all of them for None)."""
    if n is None or n >= len(items):
        return list(items)
    return sorted(random.Random(seed).sample(list(items), n), key=lambda p: p.name)


def _decode_g722(path: Path) -> np.ndarray | None:
    try:
        import av
    except ImportError:
        return None
    try:
        with av.open(str(path), format="g722") as container:
            frames = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
    except Exception:  # av's errors: a damaged file falls back to the 8 kHz take
        return None
    if not frames:
        return None
    return np.concatenate(frames).astype(np.int16)


def wideband_available(prompt: Prompt) -> bool:
    return prompt.g722_path is not None and _decode_g722(prompt.g722_path) is not None


def phone_band(samples_8k: np.ndarray) -> np.ndarray:
    """8 kHz audio as a G.711 mu-law line delivers it."""
    return mulaw_decode(mulaw_encode(samples_8k.astype(np.int16)))


def load(prompt: Prompt, band: str) -> tuple[np.ndarray, int]:
    """int16 mono samples and their rate: ``16k`` or ``phone`` (see the module notes)."""
    if band not in BANDS:
        raise ValueError(f"unknown band {band!r} (known: {', '.join(BANDS)})")
    if band == "16k" and prompt.g722_path is not None:
        wide = _decode_g722(prompt.g722_path)
        if wide is not None:
            return wide, 16000
    samples, rate_hz = read_audio(prompt.wav_path)
    mono = samples[:, 0]
    if band == "phone":
        return phone_band(mono), rate_hz
    return resample(mono, rate_hz, 16000), 16000


def write_corpus(out: Path, langs: tuple[str, ...], n: int | None) -> dict[str, int]:
    counts = {}
    for lang in langs:
        folder = out / lang
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        chosen = sample(prompts(lang), n)
        for prompt in chosen:
            stem = prompt.name.replace("/", "__")
            duration_s = 0.0
            for band in BANDS:
                samples, rate_hz = load(prompt, band)
                write_wav(folder / f"{stem}.{band}.wav", samples, rate_hz)
                duration_s = len(samples) / rate_hz
            rows.append(
                {
                    "name": prompt.name,
                    "text": prompt.text,
                    "tokens": prompt.tokens,
                    "duration_s": round(duration_s, 3),
                    "wideband": prompt.g722_path is not None,
                }
            )
        with open(folder / "manifest.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts[lang] = len(rows)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.real_speech_corpus", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument("--out", type=Path, help="write the pairs and a manifest here")
    parser.add_argument("--sample", type=int, metavar="N", help="only N prompts per language")
    args = parser.parse_args([] if argv is None else argv)  # ./run bench: list the corpus
    try:
        for lang in args.lang:
            items = prompts(lang)
            words = sum(len(p.tokens) for p in items)
            wide = sum(p.g722_path is not None for p in items)
            seconds = sum(p.wav_path.stat().st_size - 44 for p in items) / 16000
            print(
                f"{lang}: {len(items)} prompts, {words} reference words, "
                f"about {seconds / 60:.0f} min; {wide} with a 16 kHz G.722 take"
            )
        if args.out is not None:
            counts = write_corpus(args.out, tuple(args.lang), args.sample)
            print(f"written to {args.out}: {counts}")
    except CorpusMissing as exc:
        print(f"real-speech corpus: {exc}", file=sys.stderr)
        return 1
    return 0


def name_pattern(pattern: str) -> re.Pattern[str]:
    """A shell-like name filter for the bench's ``--only`` (``digits/*``)."""
    return re.compile("^" + re.escape(pattern).replace(r"\*", ".*") + "$")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
