"""The PII redactor's cost per recognition result, beside what the call's
pipeline (anger core and advisor) spends on the same result.

Finals and partials of typical lengths in both languages: plain speech, speech
with numbers that are not PII, and customers reading out card, phone and
contract numbers (as the recogniser writes them: number words). Each "call"
gets a fresh :class:`CallRedactor` (its state grows with the call) and is
also fed to a fresh :class:`CallPipeline` with the same results, so the
figures are a ratio measured in one process on the same machine.

Run: python -m bench.redact [--calls N]   (./run bench redact)
"""

from __future__ import annotations

import argparse
import statistics
import time

from assist.pipeline import CallPipeline
from assist.redact import CallRedactor, load_redaction_config
from ivr import events as ev
from ivr.asr.base import AsrResult

SCRIPTS = {
    "ru": [
        "здравствуйте я звоню третий раз уже три дня нет интернета",
        "оплата четыре пять три девять один четыре восемь восемь"
        " ноль три четыре три шесть четыре шесть семь",
        "мой телефон восемь девять один шесть один два три четыре пять шесть семь",
        "списали пятьсот рублей а я ждал два часа это безобразие",
        "мой договор семь семь один два девять четыре",
        "почта иван точка петров собака майл точка ру",
        "хорошо спасибо а счет придет как обычно",
    ],
    "en": [
        "hello this is the third time i call my internet is down for three days",
        "my card is four five three nine one four eight eight"
        " zero three four three six four six seven",
        "my phone is two zero two five five five zero one nine nine",
        "i waited two hours on hold and paid twenty dollars",
        "my contract is seven seven one two nine four",
        "it is john dot smith at gmail dot com",
        "good thank you will the bill come as usual",
    ],
}


def results(text: str, start_s: float) -> list[AsrResult]:
    """The partials a recogniser sends as the words come (one per word), then the final."""
    words = tuple(
        ev.Word(w, start_s + 0.3 * i, start_s + 0.3 * i + 0.25, 0.95)
        for i, w in enumerate(text.split())
    )
    partials = [
        AsrResult(" ".join(w.word for w in words[: n + 1]), (), False) for n in range(len(words))
    ]
    return [*partials, AsrResult(text, words, True)]


def call_script(lang: str) -> list[tuple[ev.ChannelRole, AsrResult]]:
    out: list[tuple[ev.ChannelRole, AsrResult]] = []
    at_s = 0.0
    for text in SCRIPTS[lang]:
        out += [(ev.ChannelRole.CUSTOMER, r) for r in results(text, at_s)]
        at_s += 0.3 * len(text.split()) + 1.0
    return out


def measure(lang: str, calls: int) -> dict[str, float]:
    config = load_redaction_config(None)
    script = call_script(lang)
    pipeline_final_s: list[float] = []
    redact_final_s: list[float] = []
    redact_partial_s: list[float] = []
    for n in range(calls):
        pipeline = CallPipeline.create(f"bench{n}", lang)
        redactor = CallRedactor(config, lang)
        pipeline.start()
        for role, result in script:
            t0 = time.perf_counter()
            events = pipeline.on_asr(role, result)
            t1 = time.perf_counter()
            if result.final:
                pipeline_final_s.append(t1 - t0)
            for event in events:
                t0 = time.perf_counter()
                redactor.redact(event)
                spent = time.perf_counter() - t0
                if isinstance(event, ev.TranscriptFinal):
                    redact_final_s.append(spent)
                elif isinstance(event, ev.TranscriptPartial):
                    redact_partial_s.append(spent)
    return {
        "final_us": statistics.median(redact_final_s) * 1e6,
        "final_p90_us": sorted(redact_final_s)[int(0.9 * len(redact_final_s))] * 1e6,
        "final_mean_us": statistics.fmean(redact_final_s) * 1e6,
        "partial_us": statistics.median(redact_partial_s) * 1e6,
        "pipeline_us": statistics.median(pipeline_final_s) * 1e6,
        "finals": len(redact_final_s),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.redact", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40, help="calls per language (default 40)")
    args, _ = parser.parse_known_args(argv or [])
    print(
        "PII redactor per recognition result (median; one process, a shared machine):"
        f" {args.calls} calls x {len(SCRIPTS['ru'])} finals per language"
    )
    for lang in ("ru", "en"):
        m = measure(lang, args.calls)
        print(
            f"  {lang}: final {m['final_us']:.0f} us (p90 {m['final_p90_us']:.0f} us, "
            f"mean {m['final_mean_us']:.0f} us), partial {m['partial_us']:.0f} us; "
            "the pipeline on one final "
            f"{m['pipeline_us']:.0f} us -> redaction adds "
            f"{100 * m['final_us'] / m['pipeline_us']:.0f} % per final"
        )


if __name__ == "__main__":
    main()
