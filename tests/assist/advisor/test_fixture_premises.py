"""Over every fixture call, live-style (the real audio through the anger core,
the words arriving as growing partials then a final): no card takes for
granted what the customer has not said, and demands get their answer."""

from __future__ import annotations

import re
from functools import cache

import pytest

from assist.advisor import load_phrase_book, trigger_of
from assist.advisor.wording import tokenize
from assist.pipeline import CallPipeline
from audio_fixtures import FIXTURE_DIR, call_ids, load_labels
from ivr import events as ev
from ivr.asr.base import AsrResult
from ivr.sources import WavSource

CALLS = call_ids()
# Each call as the line delivers it: stereo telephone band, the customer alone
# through a line's gain control (every turn equally loud), and wideband.
RECORDINGS = ("8k.stereo", "8k.agc", "16k")
RUNS = [(c, r) for c in CALLS for r in RECORDINGS]

# What a card's text claims, and the customer words (regular expressions over
# the words said before the card) that must back the claim. Written here, not
# taken from the phrase files, so a phrase file that forgets a premise fails.
CLAIMS: dict[str, list[tuple[str, str]]] = {
    "en": [
        (r"router", r"^(router|modem|restart|reboot)"),
        (r"\bdays\b", r"^(days?|weeks?|months?)$"),
        (r"supervisor", r"^(manager|supervisor|boss)"),
        (r"earlier calls|last time|calling back", r"^(time|again|called|calling)$"),
        (r"leaving|like to keep you|before you decide|choice is entirely yours|cancel",
         r"^(cancel\w*|leave|leaving|switch)$"),
        (r"complain", r"^(complain\w*|regulator|court|sue|lawyer)"),
        (r"refund", r"^(refund|compensation)"),
        (r"for work", r"^(work|job|business)$"),
        (r"condition of the plan|\bfees?\b", r"^(fees?|charged?|penalty|price|terms)$"),
    ],
    "ru": [
        (r"роутер", r"^(роутер|модем|перезагру)"),
        (r"дней", r"^(дн|недел|сут|месяц)"),
        (r"руководител", r"^(руководител|начальник|менеджер|директор|старш)"),
        (r"прошл|перезвонили|ещё раз", r"^(раз|звон|звонил)"),
        (r"уйти|остались|прежде чем решать|решать|расторж",
         r"^(расторг|уйд|перейд|откаж|конкурент)"),
        (r"жалоб", r"^(жалоб|жалова|пожалуюсь|суд|прокуратур|регулятор)"),
        (r"возврат", r"^(возврат|компенсац|верн)"),
        (r"для работы", r"^(работ|удал|бизнес)"),
        (r"условие тарифа", r"^(штраф|комисси|списа|абонентск|услови)"),
    ],
}

# (customer words that make a demand, the trigger that must answer it)
DEMANDS = {
    "en": [("manager", "manager"), ("third time", "repeat_contact")],
    "ru": [
        ("руководителя", "manager"),
        ("руководитель", "manager"),
        ("третий раз", "repeat_contact"),
    ],
}


def customer_words(labels: dict) -> list[ev.Word]:
    out = []
    for turn in labels["turns"]:
        if turn["role"] != "customer":
            continue
        words = turn["text"].split()
        step = (turn["end_s"] - turn["start_s"]) / len(words)
        out += [
            ev.Word(w, turn["start_s"] + i * step, turn["start_s"] + (i + 0.9) * step, 0.95)
            for i, w in enumerate(words)
        ]
    return out


@cache
def live_run(call_id: str, recording: str = "8k.stereo") -> tuple[dict, tuple[ev.Event, ...]]:
    """The call through the real pipeline: the stereo recording's audio, and
    each turn's words as they are spoken (a partial per word, then the final)."""
    labels = load_labels(call_id)
    feeds: list[tuple[float, ev.ChannelRole, AsrResult]] = []
    for turn in labels["turns"]:
        role = ev.ChannelRole(turn["role"])
        texts = turn["text"].split()
        step = (turn["end_s"] - turn["start_s"]) / len(texts)
        words = tuple(
            ev.Word(w, turn["start_s"] + i * step, turn["start_s"] + (i + 0.9) * step, 0.95)
            for i, w in enumerate(texts)
        )
        for n in range(1, len(words) + 1):
            partial = AsrResult(" ".join(texts[:n]), words[:n], False)
            feeds.append((words[n - 1].end_s, role, partial))
        feeds.append((turn["end_s"] + 0.3, role, AsrResult(" ".join(texts), words, True)))
    feeds.sort(key=lambda f: f[0])
    pipeline = CallPipeline.create(call_id, labels["language"])
    events = pipeline.start()
    source = WavSource(FIXTURE_DIR / f"{call_id}.{recording}.wav", call_id=call_id)
    for chunk in source.chunks():
        events += pipeline.on_audio(chunk)
        while feeds and feeds[0][0] <= chunk.end_s:
            _, role, result = feeds.pop(0)
            events += pipeline.on_asr(role, result)
    for _, role, result in feeds:
        events += pipeline.on_asr(role, result)
    events += pipeline.end()
    return labels, tuple(events)


def cards(events) -> list[ev.Suggestion]:
    return [e for e in events if isinstance(e, ev.Suggestion)]


def heard_before(labels: dict, at_s: float) -> list[str]:
    """The customer's words whose end the recogniser had reached at ``at_s``."""
    return [w.word for w in customer_words(labels) if w.end_s <= at_s + 0.05]


def test_the_fixture_calls_get_cards_at_all():
    assert len(CALLS) >= 6
    escalating = [c for c in CALLS if not c.endswith("calm")]
    assert all(cards(live_run(c)[1]) for c in escalating)
    for call_id in CALLS:  # never a card for a customer the anger core finds calm and steady
        events = live_run(call_id)[1]
        mood = None
        for event in events:
            if isinstance(event, ev.AngerUpdate):
                mood = (event.level, event.trend)
            elif isinstance(event, ev.Suggestion) and event.kind is not ev.SuggestionKind.WARNING:
                assert mood not in (None, (ev.AngerLevel.CALM, ev.Trend.STEADY)), event


@pytest.mark.parametrize(("call_id", "recording"), RUNS)
def test_no_card_claims_what_was_not_said(call_id, recording):
    labels, events = live_run(call_id, recording)
    lang = labels["language"]
    unbacked = []
    for card in cards(events):
        words = heard_before(labels, card.at_s)
        for claim, backing in CLAIMS[lang]:
            if re.search(claim, card.text, re.I) and not any(re.search(backing, w) for w in words):
                unbacked.append((card.at_s, card.suggestion_id, claim))
    assert unbacked == []


@pytest.mark.parametrize(("call_id", "recording"), RUNS)
def test_every_card_had_its_stated_premises(call_id, recording):
    labels, events = live_run(call_id, recording)
    book = load_phrase_book(labels["language"])
    by_id = {p.phrase_id: p for p in book.phrases}
    for card in cards(events):
        phrase = by_id.get(card.suggestion_id.split("#")[0])
        if phrase is None:
            continue  # a warning about the agent's own words or voice
        words = " ".join(tokenize(" ".join(heard_before(labels, card.at_s)))).split()
        for topic in phrase.needs.topics:
            assert any(p.find(words, 2) for p in book.topics[topic]), (card, topic)
        for pattern in phrase.needs.words:
            assert pattern.find(words, 2), (card, pattern.text)
        updates = [e for e in events if isinstance(e, ev.AngerUpdate) and e.at_s <= card.at_s]
        pointed = {trigger_of(r) for u in updates for r in u.reasons}
        for reason in phrase.needs.reasons:
            assert reason in pointed, (card, reason)


def said_at(words: list[ev.Word], phrase: str) -> float | None:
    """The end of the first place the customer said ``phrase``."""
    wanted = phrase.split()
    for i in range(len(words) - len(wanted) + 1):
        if [w.word.strip(".,!?") for w in words[i : i + len(wanted)]] == wanted:
            return words[i + len(wanted) - 1].end_s
    return None


@pytest.mark.parametrize("call_id", CALLS)
def test_demands_get_their_own_answer(call_id):
    """Once the anger core reports a demand among its reasons, a card answers
    it within seconds, even while a behaviour cue is on screen."""
    labels, events = live_run(call_id)
    words = customer_words(labels)
    reported = {
        trigger_of(r)
        for e in events
        if isinstance(e, ev.AngerUpdate)
        for r in e.reasons
        if r.kind.startswith("keyword:")
    }
    asked = 0
    for phrase, trigger in DEMANDS[labels["language"]]:
        at_s = said_at(words, phrase)
        if at_s is None or trigger not in reported:
            continue
        asked += 1
        answers = [c for c in cards(events) if c.trigger == trigger and c.at_s >= at_s - 1.0]
        assert answers, f"{call_id}: {phrase!r} at {at_s:.1f} s was never answered"
        assert answers[0].at_s - at_s <= 6.0, answers[0]
    assert asked or call_id.endswith("calm") or not any(
        said_at(words, p) for p, _ in DEMANDS[labels["language"]]
    ), f"{call_id}: no demand the customer made reached the advisor"
