"""Where the PII is in one utterance's tokens: spans to hide, typed.

Stateless: the caller passes the words said just before (for cue words) and
what a number left open at the end of the previous final continues with.
See ``assist/data/redact.toml`` for the rules in a reader's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .config import RedactionConfig
from .numbers import NumberRun, clean, is_number_token, luhn_ok, number_runs


@dataclass(frozen=True)
class Span:
    """Tokens ``start..end-1`` are hidden behind ``kind``'s placeholder.

    ``digits`` is what a number span read as; ``open`` marks a span that
    reaches the end of the utterance and may continue in the next one."""

    start: int
    end: int
    kind: str
    digits: str = ""
    open: bool = False


@dataclass(frozen=True)
class Lead:
    """A number the previous final ended with, for the next utterance to continue."""

    digits: str
    kind: str | None  # None: it was not hidden (too short to be anything yet)
    context: tuple[str, ...]


def cue_of(config: RedactionConfig, before: Sequence[str]) -> tuple[str | None, bool]:
    """The kind named by the nearest cue word in ``before`` (last
    ``context_words``), and whether a generic cue ("номер") was seen first."""
    generic = False
    window = before[-config.context_words :] if config.context_words else ()
    placeholders = {k.placeholder: k.name for k in config.numbers if k.enabled}
    for token in reversed(window):
        if token in placeholders:
            return placeholders[token], generic
        word = clean(token)
        for kind in config.numbers:
            if kind.enabled and kind.cues.match(word):
                return kind.name, generic
        if config.generic_cues.match(word):
            generic = True
    return None, generic


def _fallback(config: RedactionConfig) -> str | None:
    return "account" if config.kind("account") else None


def _phone_shape(digits: str) -> bool:
    n = len(digits)
    return n == 10 or (n == 11 and digits[0] in "0178")


def classify(
    config: RedactionConfig, digits: str, *, plus: bool, quantity: bool,
    cue: str | None, generic: bool,
) -> str | None:  # fmt: skip
    """The kind of a complete number, or None if it is not PII."""
    n = len(digits)
    if quantity and cue is None:
        return None  # "two thousand twenty four", "пять тысяч": an amount or a year
    card = config.kind("card")
    if card is not None and card.min_digits <= n <= card.max_digits and luhn_ok(digits):
        return "card"  # a Luhn-valid card number is a card whatever was said before it
    kind = config.kind(cue) if cue else None
    if kind is not None and min(kind.min_digits, config.generic_min_digits) <= n <= kind.max_digits:
        return kind.name  # after a cue word a piece of the number is hidden too
    phone = config.kind("phone")
    if plus and phone is not None and phone.min_digits <= n <= phone.max_digits:
        return "phone"
    if card is not None and not card.luhn and card.min_digits <= n <= card.max_digits:
        return "card"
    if phone is not None and _phone_shape(digits):
        return "phone"
    if n >= config.min_digits or (generic and n >= config.generic_min_digits):
        return _fallback(config)
    return None


def could_be(
    config: RedactionConfig, digits: str, *, plus: bool, quantity: bool,
    cue: str | None, generic: bool, eager_digits: int,
) -> str | None:  # fmt: skip
    """The kind a number at the end of an utterance may turn out to be, if it
    is worth hiding before its end is heard."""
    kind = config.kind(cue) if cue else None
    if kind is not None and len(digits) <= kind.max_digits:
        return kind.name  # what the cue named, however far it has got
    done = classify(config, digits, plus=plus, quantity=quantity, cue=cue, generic=generic)
    if done is not None or (quantity and cue is None):
        return done
    if generic or plus:
        return "phone" if plus and config.kind("phone") else _fallback(config)
    if len(digits) >= eager_digits:
        guess = "phone" if digits[0] in "078" else "card" if digits[0] in "23456" else "account"
        return guess if config.kind(guess) else _fallback(config)
    return None


def complete(config: RedactionConfig, kind: str, digits: str) -> bool:
    """A number that cannot go on: a Luhn-valid card of 16 or more digits, a
    phone number of its usual shape (nothing said next continues it)."""
    if kind == "card":
        return len(digits) >= 16 and luhn_ok(digits)
    if kind == "phone":
        return _phone_shape(digits)
    return False


def _bridged(
    config: RedactionConfig, tokens: Sequence[str], runs: list[NumberRun]
) -> list[NumberRun]:
    """Runs joined across one misheard word ("четыре пять беспредел девять
    один ..."): when both sides have two digits or more, the word between is
    no cue word, and together they are long enough to be PII."""
    out: list[NumberRun] = []
    for run in runs:
        prev = out[-1] if out else None
        if (
            prev is not None
            and run.start - prev.end == 1
            and not run.plus
            and not (prev.quantity or run.quantity)
            and min(len(prev.digits), len(run.digits)) >= 2
            and len(prev.digits) + len(run.digits) >= config.min_digits
            and not _is_cue(config, tokens[prev.end])
        ):
            out[-1] = NumberRun(prev.start, run.end, prev.digits + run.digits, prev.plus)
        else:
            out.append(run)
    return out


def _is_cue(config: RedactionConfig, token: str) -> bool:
    word = clean(token)
    email = config.email
    return (
        any(k.cues.match(word) for k in config.numbers)
        or config.generic_cues.match(word)
        or (email is not None and word in email.at | email.dot | email.joiners)
    )


def number_spans(
    config: RedactionConfig, tokens: Sequence[str], context: Sequence[str], *,
    lead: Lead | None, eager_digits: int, slack: int = 0,
) -> list[Span]:  # fmt: skip
    """Number spans of one utterance; ``lead`` is continued by a run at its
    start; a run ending ``slack`` words or fewer before the end may still grow
    (a partial's last word is often a digit misheard, then corrected)."""
    spans: list[Span] = []
    for run in _bridged(config, tokens, number_runs(tokens)):
        before = [*context, *tokens[: run.start]]
        open_end = run.end >= len(tokens) - slack
        digits, cue_ctx = run.digits, before
        continued = lead is not None and run.start == 0 and not run.plus
        if continued and lead is not None:
            digits, cue_ctx = lead.digits + run.digits, list(lead.context)
        cue, generic = cue_of(config, cue_ctx)
        args = {"plus": run.plus, "quantity": run.quantity, "cue": cue, "generic": generic}
        kind = (
            could_be(config, digits, eager_digits=eager_digits, **args)  # type: ignore[arg-type]
            if open_end
            else classify(config, digits, **args)  # type: ignore[arg-type]
        )
        if kind is None and continued and lead is not None and lead.kind is not None:
            kind = lead.kind  # its start is already hidden: hide the rest the same way
        if kind is not None:
            spans.append(Span(run.start, run.end, kind, digits, open_end))
        elif open_end:
            spans.append(Span(run.start, run.end, "", digits, True))  # kept, but may continue
    return spans


def email_spans(
    config: RedactionConfig, tokens: Sequence[str], context: Sequence[str], *, final: bool
) -> list[Span]:
    """E-mail addresses spelt out: ``word (dot word)* at word (dot word)+``
    ("john dot smith at gmail dot com", "иван точка петров собака майл точка ру").
    The beginning of one at the end of a partial (or a final after an e-mail
    cue) is hidden before its domain is heard."""
    email = config.email
    if email is None or not email.enabled:
        return []
    words = [clean(t) for t in tokens]
    links = email.dot | email.joiners | email.at
    spans: list[Span] = []
    i = 0
    while i < len(words):
        if "@" in words[i] and "." in words[i].split("@")[-1]:
            spans.append(Span(i, i + 1, "email"))  # written out by an engine: a@b.c
        if words[i] not in email.at or i == 0 or words[i - 1] in links:
            i += 1
            continue
        start = i - 1
        while start >= 2 and words[start - 1] in email.dot | email.joiners:
            if words[start - 2] in links:
                break
            start -= 2
        end, dots = i + 1, 0
        if end < len(words) and words[end] not in links:
            end += 1
            while end + 1 < len(words) and words[end] in email.dot:
                if words[end + 1] in links:
                    break
                end, dots = end + 2, dots + 1
        if dots:
            spans.append(Span(start, end, "email", open=end == len(words)))
            i = end
            continue
        reaches_end = end == len(words) or (end == len(words) - 1 and words[end] in links)
        said = [*context, *words[:start]][-config.context_words :] if config.context_words else []
        cue = any(email.cues.match(w) for w in said)
        if reaches_end and (cue or (start < i - 1 and not final)):
            spans.append(Span(start, len(words), "email", open=True))
            break
        i += 1
    return spans


def find_spans(
    config: RedactionConfig, tokens: Sequence[str], context: Sequence[str] = (), *,
    lead: Lead | None = None, final: bool = True,
) -> list[Span]:  # fmt: skip
    """Every span to hide in ``tokens`` (non-overlapping, in order); an open
    number span with an empty kind is a number kept that the next final may continue."""
    eager = config.eager_digits_final if final else config.eager_digits_partial
    emails = email_spans(config, tokens, context, final=final)
    taken = {n for s in emails for n in range(s.start, s.end)}
    numbers = [
        s
        for s in number_spans(
            config, tokens, context, lead=lead, eager_digits=eager, slack=0 if final else 1
        )
        if not taken.intersection(range(s.start, s.end))
    ]
    return sorted([*emails, *numbers], key=lambda s: s.start)


__all__ = ["Lead", "Span", "classify", "could_be", "cue_of", "find_spans", "is_number_token"]
