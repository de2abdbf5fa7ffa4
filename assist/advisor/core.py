"""The advisor: picks a calming phrase or a behaviour cue from the context,
and warns the agent about their own words and voice.

Sans-I/O: fed anger updates, transcripts, prosody frames and the agent's
feedback; returns Suggestion events. Files are read only when it is built
(through the loaders, which cache). Time is audio time.

How a suggestion is chosen for an anger update:

1. A calm, not rising customer gets nothing.
2. **Demands first.** Something new of the kinds in ``choice.answer_first``
   (a demand for a manager, "third time", a threat) is answered before
   anything else.
3. **Behaviour next.** When the customer shouts (loudness, pitch or a sharp
   voice at level angry), talks fast or talks over the agent, the answer is a
   behaviour cue (lower your voice, slow down, let them finish) rather than a
   script. While that cue is on screen and fresh (``choice.stale_s``) no
   other script is offered; the same behaviour is cued again at most every
   ``cues.repeat_s``. A customer who stays loud for minutes thus gets a cue,
   then (once it was acted on or went stale) answers to what they say, then
   another cue.
4. **Then scripts.** A trigger the customer has just said something new about
   (a keyword reason not seen before) is answered at once, strongest first.
   Otherwise, once the cooldown has passed (and the customer is not calm and
   anger is not falling): a trigger answered long enough ago, then general
   rising anger as the fallback when angry or rising.
5. Only phrases whose premises were heard are candidates (see
   :mod:`assist.advisor.premises`): a phrase about the router waits for the
   router to be mentioned. Among the unused ones of the trigger, the one that
   also answers other current reasons (much preferred) and whose principle
   suits the state (angry, rising, tense, falling) wins; the principle of the
   last suggestion and principles the agent dismissed count against a phrase.
   Ties go to file order.

No phrase is ever repeated in a call. At most ``screen.max_cards``
suggestions are on screen (see :mod:`assist.advisor.screen`); a phrase waits
rather than replace a card that appeared less than ``min_visible_s`` ago.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from assist.advisor.agent_rules import AgentRules, load_agent_rules
from assist.advisor.agent_voice import AgentVoiceWatch
from assist.advisor.phrases import (
    CUE_TRIGGERS,
    Phrase,
    PhraseBook,
    library_language,
    load_phrase_book,
)
from assist.advisor.premises import Heard
from assist.advisor.screen import Screen
from assist.advisor.settings import AdvisorSettings, load_advisor_settings, trigger_of
from assist.advisor.wording import tokenize
from ivr import events as ev


def _reason_key(reason: ev.AngerReason) -> tuple[str, str, float | None, str]:
    """Identity of a keyword reason (its words; the same words said again
    read differently)."""
    return (reason.kind, reason.words, reason.value, reason.text)


class Advisor:
    def __init__(
        self,
        call_id: str,
        language: str,
        *,
        cooldown_s: float | None = None,
        settings: AdvisorSettings | None = None,
        book: PhraseBook | None = None,
        agent_rules: AgentRules | None = None,
    ) -> None:
        self.call_id = call_id
        self.language = library_language(language)
        settings = settings or load_advisor_settings()
        if cooldown_s is not None:
            choice = dataclasses.replace(settings.choice, cooldown_s=cooldown_s)
            settings = dataclasses.replace(settings, choice=choice)
        self.settings = settings
        self.book = book or load_phrase_book(self.language)
        self.agent_rules = agent_rules or load_agent_rules(self.language)
        self.screen = Screen(settings.screen.max_cards)
        self._voice = AgentVoiceWatch(settings.agent_voice)
        self._suggested: list[ev.Suggestion] = []
        self._by_id: dict[str, ev.Suggestion] = {}
        self._used_phrases: set[str] = set()
        self._last_s: float | None = None  # last phrase or cue
        self._answered_at: dict[str, float] = {}
        self._seen_reasons: set[tuple[str, str, float | None, str]] = set()
        self.heard = Heard(self.book.topics)
        self._pending: ev.AngerUpdate | None = None  # a demand waiting for min_gap_s
        self._cued_at: dict[str, float] = {}
        self._last_principle: str | None = None
        self._dismissed: Counter[str] = Counter()
        self._used: Counter[str] = Counter()
        self._warned_at: dict[str, float] = {}

    # ------------------------------------------------------------ views

    @property
    def on_screen(self) -> tuple[ev.Suggestion, ...]:
        """Suggestions showing now (shown, neither used, dismissed nor
        superseded), oldest first."""
        return self.screen.cards

    @property
    def suggested(self) -> tuple[ev.Suggestion, ...]:
        """Everything suggested in this call, in order."""
        return tuple(self._suggested)

    def trigger_for(self, reason: ev.AngerReason) -> str | None:
        """:func:`trigger_of`, with an outage reason whose words speak of
        waiting ("on hold", "жду на линии") read as waiting."""
        trigger = trigger_of(reason, self.settings)
        if trigger == "outage" and self.book.waiting_words:
            words = tokenize(reason.words)
            if any(slot.matches(w) for w in words for slot in self.book.waiting_words):
                return "waiting"
        return trigger

    # ------------------------------------------------------------ inputs

    def on_anger(self, update: ev.AngerUpdate) -> list[ev.Suggestion]:
        if update.call_id != self.call_id:
            return []
        self._pending = None
        weights: dict[str, float] = {}
        fresh: dict[str, list[tuple[str, str, float | None, str]]] = {}
        for reason in update.reasons:
            trigger = self.trigger_for(reason)
            self.heard.reason(trigger, reason.words)
            if trigger is None:
                continue
            weights[trigger] = weights.get(trigger, 0.0) + reason.weight
            key = _reason_key(reason)
            if reason.kind.startswith("keyword:") and key not in self._seen_reasons:
                fresh.setdefault(trigger, []).append(key)
        if update.level is ev.AngerLevel.CALM and update.trend is not ev.Trend.RISING:
            return []
        if any(t in fresh for t in self.settings.choice.answer_first):
            answer = self._script(weights, fresh, update, only_fresh=True)
            if answer:
                return answer  # what the customer asks for comes before a behaviour cue
            if self._too_soon(update.at_s):
                # Answered once the gap has passed, even if anger does not change again.
                self._pending = update
        behaviour = self._behaviour(weights, update.level)
        if behaviour:
            cue = self._cue(behaviour, weights, update)
            if cue or any(self._card_fresh(t, update.at_s) for t in behaviour):
                return cue  # the behaviour comes first while its cue is fresh on screen
        return self._script(weights, fresh, update)

    def on_transcript(
        self, event: ev.TranscriptPartial | ev.TranscriptFinal
    ) -> list[ev.Suggestion]:
        """The customer's words are remembered (the premises of phrases); the
        agent's final transcripts are checked against the warning patterns
        (one warning per utterance at most)."""
        if event.call_id != self.call_id:
            return []
        if event.role is ev.ChannelRole.CUSTOMER:
            self.heard.utterance(event.text, final=isinstance(event, ev.TranscriptFinal))
            return []
        if not isinstance(event, ev.TranscriptFinal):
            return []
        cfg = self.settings.agent_words
        rules = self.agent_rules
        for heard in rules.check(rules.tokens(event), cfg.min_conf):
            rule = heard.rule
            last = self._warned_at.get(rule.rule_id)
            if last is not None and event.at_s - last < cfg.repeat_s:
                continue
            self._warned_at[rule.rule_id] = event.at_s
            return [self._warn(rule.rule_id, rule.principle, rule.text, "agent_words", event.at_s)]
        return []

    def on_prosody(self, frame: ev.ProsodyFrame) -> list[ev.Suggestion]:
        """Prosody frames of both channels: warns when the agent talks over
        the customer or the agent's voice rises above their own calm start.
        They also carry audio time forward: a demand that came too soon after
        the previous suggestion is answered here once the gap has passed."""
        if frame.call_id != self.call_id:
            return []
        out = []
        pending = self._pending
        if pending is not None and not self._too_soon(frame.at_s):
            out += self.on_anger(dataclasses.replace(pending, at_s=frame.at_s))
        for alert in self._voice.feed(frame):
            if alert.what == "agent_talk_over":
                notice, warning_id = self.agent_rules.talk_over, f"{self.language}-agent-talk-over"
            else:
                notice, warning_id = self.agent_rules.voice_rising, f"{self.language}-agent-voice"
            out.append(
                self._warn(warning_id, notice.principle, notice.text, alert.what, alert.at_s)
            )
        return out

    def on_feedback(self, feedback: ev.SuggestionFeedback) -> None:
        """The agent marked a card used or dismissed: it leaves the screen;
        a dismissed principle is offered less in this call, a used one more."""
        if feedback.call_id != self.call_id:
            return
        self.screen.remove(feedback.suggestion_id)
        suggestion = self._by_id.get(feedback.suggestion_id)
        if suggestion is None:
            # Not ours (e.g. suggested before a restart): never offer it again.
            self._used_phrases.add(feedback.suggestion_id.rsplit("#", 1)[0])
            return
        if suggestion.kind is ev.SuggestionKind.WARNING:
            return
        if feedback.verdict is ev.Verdict.USED:
            self._used[suggestion.principle] += 1
        else:
            self._dismissed[suggestion.principle] += 1

    # ------------------------------------------------------------ choice

    def _behaviour(self, weights: dict[str, float], level: ev.AngerLevel) -> list[str]:
        cues = self.settings.cues
        out = []
        if (
            level is ev.AngerLevel.ANGRY
            and weights.get("shouting", 0.0) >= cues.shouting_min_weight
        ):
            out.append("shouting")
        if level is not ev.AngerLevel.CALM:
            if weights.get("talk_over", 0.0) >= cues.talk_over_min_weight:
                out.append("talk_over")
            if weights.get("fast_speech", 0.0) >= cues.fast_speech_min_weight:
                out.append("fast_speech")
        return out

    def _cue(
        self, behaviour: list[str], weights: dict[str, float], update: ev.AngerUpdate
    ) -> list[ev.Suggestion]:
        at_s = update.at_s
        if self._too_soon(at_s):
            return []
        showing = {card.trigger for card in self.screen.cards}
        for trigger in behaviour:
            last = self._cued_at.get(trigger)
            if trigger in showing or (
                last is not None and at_s - last < self.settings.cues.repeat_s
            ):
                continue
            phrase = self._choose(trigger, weights, update)
            if phrase is not None:
                self._cued_at[trigger] = at_s
                return [self._suggest(phrase, trigger, at_s)]
        return []

    def _script(
        self,
        weights: dict[str, float],
        fresh: dict[str, list[tuple[str, str, float | None, str]]],
        update: ev.AngerUpdate,
        *,
        only_fresh: bool = False,
    ) -> list[ev.Suggestion]:
        at_s = update.at_s
        choice = self.settings.choice
        if self._too_soon(at_s) or self._screen_busy(at_s):
            return []
        first, tie_order = choice.answer_first, choice.tie_order

        def order(t: str) -> tuple[int, float, int]:
            urgent = first.index(t) if t in first and t in fresh else len(first)
            rank = tie_order.index(t) if t in tie_order else len(tie_order)
            return (urgent, -weights[t], rank)

        # Everything but the behaviour cues is answered by a script (new
        # triggers of advisor.toml's [triggers] too); rising is the fallback.
        scripted = (t for t in weights if t not in CUE_TRIGGERS and t != "rising")
        specific = sorted(scripted, key=order)
        candidates = [t for t in specific if t in fresh and not self._card_fresh(t, at_s)]
        if only_fresh:
            pass
        elif "rising" in fresh and not self._card_fresh("rising", at_s):
            candidates.append("rising")
        cooling = only_fresh or (
            self._last_s is not None and at_s - self._last_s < choice.cooldown_s
        )
        quiet = update.level is ev.AngerLevel.CALM or update.trend is ev.Trend.FALLING
        if not cooling and not quiet:
            for trigger in specific:
                if trigger not in candidates and self._due(trigger, at_s, choice.reanswer_s):
                    candidates.append(trigger)
            general = update.level is ev.AngerLevel.ANGRY or update.trend is ev.Trend.RISING
            if (
                general
                and "rising" not in candidates
                and self._due("rising", at_s, choice.rising_repeat_s)
            ):
                candidates.append("rising")
        for trigger in candidates:
            phrase = self._choose(trigger, weights, update)
            if phrase is None:
                continue
            for answered in {trigger, *(t for t in phrase.triggers if t in weights)}:
                self._answered_at[answered] = at_s
                self._seen_reasons.update(fresh.get(answered, ()))
            return [self._suggest(phrase, trigger, at_s)]
        return []

    def _choose(
        self, trigger: str, weights: dict[str, float], update: ev.AngerUpdate
    ) -> Phrase | None:
        order = self._preference(update)
        best: tuple[float, int] | None = None
        chosen: Phrase | None = None
        for index, phrase in enumerate(self.book.phrases):
            if trigger not in phrase.triggers or phrase.phrase_id in self._used_phrases:
                continue
            if not self.heard.holds(phrase.needs):
                continue  # it would assume something the customer has not said
            also = [t for t in phrase.triggers if t != trigger and t in weights]
            cover = sum(0.3 + weights[t] for t in also)
            rank = order.index(phrase.principle) if phrase.principle in order else len(order)
            suits = 0.5 * (len(order) - rank) / max(1, len(order))
            score = cover + suits
            score += 0.1 * self._used[phrase.principle] - 0.4 * self._dismissed[phrase.principle]
            if phrase.principle == self._last_principle:
                score -= 0.3
            key = (round(score, 9), -index)
            if best is None or key > best:
                best, chosen = key, phrase
        return chosen

    def _preference(self, update: ev.AngerUpdate) -> tuple[str, ...]:
        pref = self.settings.preference
        if update.level is ev.AngerLevel.ANGRY:
            return pref.angry
        if update.trend is ev.Trend.FALLING:
            return pref.falling
        if update.trend is ev.Trend.RISING:
            return pref.rising
        return pref.tense

    def _too_soon(self, at_s: float) -> bool:
        return self._last_s is not None and at_s - self._last_s < self.settings.choice.min_gap_s

    def _screen_busy(self, at_s: float) -> bool:
        """Full, and the card a new one would replace appeared only just now."""
        cards = self.screen.cards
        return self.screen.full and at_s - cards[0].at_s < self.settings.screen.min_visible_s

    def _card_fresh(self, trigger: str, at_s: float) -> bool:
        stale_s = self.settings.choice.stale_s
        return any(c.trigger == trigger and at_s - c.at_s < stale_s for c in self.screen.cards)

    def _due(self, trigger: str, at_s: float, repeat_s: float) -> bool:
        last = self._answered_at.get(trigger)
        return (last is None or at_s - last >= repeat_s) and not self._card_fresh(trigger, at_s)

    # ------------------------------------------------------------ output

    def _suggest(self, phrase: Phrase, trigger: str, at_s: float) -> ev.Suggestion:
        self._used_phrases.add(phrase.phrase_id)
        self._last_principle = phrase.principle
        self._last_s = at_s
        return self._emit(
            phrase.phrase_id, phrase.text, phrase.principle, trigger, phrase.kind, at_s
        )

    def _warn(
        self, warning_id: str, principle: str, text: str, trigger: str, at_s: float
    ) -> ev.Suggestion:
        return self._emit(warning_id, text, principle, trigger, ev.SuggestionKind.WARNING, at_s)

    def _emit(
        self,
        base_id: str,
        text: str,
        principle: str,
        trigger: str,
        kind: ev.SuggestionKind,
        at_s: float,
    ) -> ev.Suggestion:
        suggestion = ev.Suggestion(
            self.call_id,
            f"{base_id}#{len(self._suggested) + 1}",
            text,
            principle,
            trigger,
            self.language,
            kind,
            at_s=at_s,
        )
        self._suggested.append(suggestion)
        self._by_id[suggestion.suggestion_id] = suggestion
        self.screen.show(suggestion)
        return suggestion
