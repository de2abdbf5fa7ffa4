"""One call's redactor: each event in, the same event with its PII replaced
by typed placeholders out (the very object when there is nothing to hide).

Stateful per call, because PII does not respect utterance boundaries:

- the words of the previous final (same speaker) are the context where cue
  words ("card", "номер договора") are looked for;
- a final that ends in digits which could start a PII number hides them at
  once (typed by what they could be; see ``redact.toml``), and remembers
  them as a *lead*: the next final (or partial) of the same speaker that starts
  with digits within ``join_gap_s`` continues that number, is judged with the
  lead's digits in front, and is hidden too if the lead was. A number split
  over two finals is thus hidden in both, at the price of sometimes hiding
  a final's trailing number that was not PII;
- partials are judged like finals but hide a trailing number sooner (they
  grow digit by digit); the final that replaces them is judged afresh;
- free text the product makes (anger reasons, suggestions, flags) also loses
  any fragment of a number or e-mail address already hidden in this call.

``spans_s`` are the customer's audio spans hidden in finals (word times), for
recordings; :meth:`spans_for` gives either speaker's.
"""

from __future__ import annotations

from dataclasses import replace

from ivr import events as ev

from .config import RedactionConfig
from .detect import Lead, Span, complete, find_spans
from .numbers import clean
from .text import Secrets, placeholder, redact_text

_TEXTS_KEPT = 256


class CallRedactor:
    def __init__(self, config: RedactionConfig, lang: str) -> None:
        self.config = config
        self.lang = lang
        self._context: dict[ev.ChannelRole, tuple[str, ...]] = {}
        self._lead: dict[ev.ChannelRole, tuple[Lead, float]] = {}
        self._spans: dict[ev.ChannelRole, list[tuple[float, float]]] = {}
        self.secrets = Secrets()
        # Free text already redacted while the secrets stayed the same: anger
        # reasons and suggestions repeat from update to update.
        self._texts: dict[str, str] = {}

    @property
    def spans_s(self) -> list[tuple[float, float]]:
        """The customer's audio hidden so far, (start_s, end_s) in call time."""
        return self.spans_for(ev.ChannelRole.CUSTOMER)

    def spans_for(self, role: ev.ChannelRole) -> list[tuple[float, float]]:
        return list(self._spans.get(role, ()))

    def redact(self, event: ev.Event) -> ev.Event:
        if not self.config.enabled:
            return event
        if isinstance(event, ev.TranscriptFinal | ev.TranscriptPartial):
            return self._transcript(event)
        if isinstance(event, ev.AngerUpdate):
            reasons = tuple(self._reason(r) for r in event.reasons)
            changed = any(a is not b for a, b in zip(reasons, event.reasons, strict=True))
            return replace(event, reasons=reasons) if changed else event
        if isinstance(event, ev.Suggestion):
            return self._fields(event, "text", "trigger")
        if isinstance(event, ev.CallFlagged):
            return self._fields(event, "reason")
        if isinstance(event, ev.Error):
            return self._fields(event, "message")
        if isinstance(event, ev.IvrAction) and event.detail:
            detail = {k: self.text(v) for k, v in event.detail.items()}
            return replace(event, detail=detail) if detail != event.detail else event
        return event

    def text(self, text: str) -> str:
        """Free text of this call with its PII hidden (see :mod:`.text`)."""
        if not self.config.enabled:
            return text
        done = self._texts.get(text)
        if done is None:
            done = redact_text(self.config, text, self.secrets)
            if len(self._texts) >= _TEXTS_KEPT:
                self._texts.clear()
            self._texts[text] = done
        return done

    # ------------------------------------------------------------------ inside

    def _fields(self, event: ev.Event, *names: str) -> ev.Event:
        new = {n: self.text(getattr(event, n)) for n in names}
        if all(new[n] == getattr(event, n) for n in names):
            return event
        return replace(event, **new)  # type: ignore[type-var]

    def _reason(self, reason: ev.AngerReason) -> ev.AngerReason:
        text, words = self.text(reason.text), self.text(reason.words)
        if text == reason.text and words == reason.words:
            return reason
        return replace(reason, text=text, words=words)

    def _lead_for(self, role: ev.ChannelRole, words: tuple[ev.Word, ...]) -> Lead | None:
        held = self._lead.get(role)
        if held is None:
            return None
        lead, end_s = held
        if words and words[0].start_s - end_s > self.config.join_gap_s:
            return None
        return lead

    def _transcript(
        self, event: ev.TranscriptFinal | ev.TranscriptPartial
    ) -> ev.TranscriptFinal | ev.TranscriptPartial:
        final = isinstance(event, ev.TranscriptFinal)
        role = event.role
        tokens = [w.word for w in event.words] if event.words else event.text.split()
        context = self._context.get(role, ())
        lead = self._lead_for(role, event.words)
        spans = find_spans(self.config, tokens, context, lead=lead, final=final)
        hidden = [s for s in spans if s.kind]
        if final:
            self._remember(role, tokens, context, spans, event.words)
        if not hidden:
            return event
        for span in hidden:
            self._keep_secret(span, tokens)
        text = event.text
        words = event.words
        if words:
            words = self._hide_words(words, hidden)
            if text.split() == tokens:
                text = " ".join(w.word for w in words)
            else:
                text = self._hide_text(text, context, lead, final)
        else:
            text = " ".join(self._hide_tokens(tokens, hidden))
        return replace(event, text=text, words=words)

    def _hide_text(
        self, text: str, context: tuple[str, ...], lead: Lead | None, final: bool
    ) -> str:
        tokens = text.split()
        spans = [
            s for s in find_spans(self.config, tokens, context, lead=lead, final=final) if s.kind
        ]
        return self.text(" ".join(self._hide_tokens(tokens, spans)))

    def _hide_tokens(self, tokens: list[str], spans: list[Span]) -> list[str]:
        out: list[str] = []
        at = 0
        for span in spans:
            out += [*tokens[at : span.start], placeholder(self.config, span.kind)]
            at = span.end
        return out + tokens[at:]

    def _hide_words(self, words: tuple[ev.Word, ...], spans: list[Span]) -> tuple[ev.Word, ...]:
        out: list[ev.Word] = []
        at = 0
        for span in spans:
            part = words[span.start : span.end]
            out += [*words[at : span.start]]
            out.append(
                ev.Word(
                    placeholder(self.config, span.kind),
                    part[0].start_s,
                    part[-1].end_s,
                    min(w.conf for w in part),
                )
            )
            at = span.end
        return (*out, *words[at:])

    def _keep_secret(self, span: Span, tokens: list[str]) -> None:
        self._texts.clear()  # a text redacted before may now hide more
        if span.kind == "email":
            email = self.config.email
            links = (email.at | email.dot | email.joiners) if email else frozenset()
            self.secrets.words.update(
                w for w in (clean(t) for t in tokens[span.start : span.end]) if w not in links
            )
        elif span.digits:
            self.secrets.numbers.setdefault(span.digits, span.kind)

    def _remember(
        self,
        role: ev.ChannelRole,
        tokens: list[str],
        context: tuple[str, ...],
        spans: list[Span],
        words: tuple[ev.Word, ...],
    ) -> None:
        """After a final: its words become the next one's context, a number
        it ends with becomes the next one's lead, hidden audio is noted."""
        keep = self.config.context_words
        self._context[role] = tuple([*context, *tokens][-keep:]) if keep else ()
        last = spans[-1] if spans else None
        self._lead.pop(role, None)
        if (
            last is not None
            and last.open
            and last.digits
            and not complete(self.config, last.kind, last.digits)
        ):
            lead_context = tuple([*context, *tokens[: last.start]][-keep:]) if keep else ()
            end_s = words[-1].end_s if words else 0.0
            self._lead[role] = (Lead(last.digits, last.kind or None, lead_context), end_s)
        if words:
            times = self._spans.setdefault(role, [])
            for span in spans:
                if span.kind:
                    times.append((words[span.start].start_s, words[span.end - 1].end_s))
