"""Premises of phrases: what must have been heard before a phrase is offered."""

from pathlib import Path

import pytest

from assist.advisor import Advisor, load_phrase_book
from assist.advisor.premises import Heard, Premises
from assist.advisor.wording import compile_pattern
from ivr import events as ev
from ivr.datafile import DataFileError

ANGRY, TENSE = ev.AngerLevel.ANGRY, ev.AngerLevel.TENSE
RISING = ev.Trend.RISING


def update(at_s, level, *reasons):
    return ev.AngerUpdate("c", at_s, 0.5, level, RISING, tuple(reasons))


def said(advisor, text, at_s=0.0, final=True):
    cls = ev.TranscriptFinal if final else ev.TranscriptPartial
    advisor.on_transcript(cls("c", ev.ChannelRole.CUSTOMER, text, at_s=at_s))


OUTAGE = ev.AngerReason("keyword:outage", "phrase 'not working'", 0.15, words="not working")
RUDE = ev.AngerReason("keyword:exasperation", "keyword 'ridiculous'", 0.3, words="ridiculous")


def test_heard_matches_topics_words_and_reasons():
    heard = Heard({"router": (compile_pattern("router{,s}"), compile_pattern("turned it off"))})
    needs = Premises(topics=("router",), reasons=("outage",))
    assert not heard.holds(needs)
    heard.utterance("i turned uh it off and on", final=False)  # a partial, one stray word
    assert heard.topic("router") and not heard.holds(needs)
    heard.reason("outage", "not working")
    assert heard.holds(needs)
    heard.utterance("i turned the power off", final=True)  # the partial was revised
    assert not heard.topic("router")
    assert heard.said(compile_pattern("not work*"))  # a keyword reason's words count as heard


def phrase_ids(book, trigger):
    return {p.phrase_id for p in book.phrases if trigger in p.triggers}


@pytest.mark.parametrize(
    ("lang", "router"), [("en", "i restarted the router"), ("ru", "я перезагрузил роутер")]
)
def test_praise_for_the_router_waits_for_the_router(lang, router):
    book = load_phrase_book(lang)
    restart = f"{lang}-outage-restart"
    assert book.for_trigger("outage") and restart in phrase_ids(book, "outage")
    offered = set()
    for _ in range(20):  # every outage phrase in turn, none about the router
        advisor = Advisor("c", lang)
        advisor._used_phrases.update(offered)
        out = advisor.on_anger(update(1.0, TENSE, OUTAGE))
        if not out:
            break
        offered.add(out[0].suggestion_id.split("#")[0])
    assert restart not in offered and offered
    advisor = Advisor("c", lang)
    advisor._used_phrases.update(offered - {restart})
    said(advisor, router)
    (card,) = advisor.on_anger(update(1.0, TENSE, OUTAGE))
    assert card.suggestion_id.startswith(restart)


def reason(category, words):
    return ev.AngerReason(f"keyword:{category}", f"'{words}' ({category})", 0.35, words)


@pytest.mark.parametrize(
    ("lang", "demand", "reason"),
    [
        ("en", "i want a manager", reason("manager_demand", "manager")),
        ("ru", "дайте мне руководителя", reason("manager_demand", "руководителя")),
        ("en", "third time i call", reason("repeat_contact", "third time")),
        ("ru", "я расторгну договор", reason("threat", "расторгну")),
        ("en", "i will cancel my contract", reason("threat", "cancel")),
    ],
)
def test_a_demand_is_answered_before_a_behaviour_cue(lang, demand, reason):
    advisor = Advisor("c", lang)
    loud = ev.AngerReason("loudness", "loud", 0.5, value=9.0)
    (cue,) = advisor.on_anger(update(1.0, ANGRY, loud))
    assert cue.kind is ev.SuggestionKind.CUE
    said(advisor, demand, 3.5)
    (answer,) = advisor.on_anger(update(3.5, ANGRY, loud, RUDE, reason))
    assert answer.kind is ev.SuggestionKind.PHRASE
    assert answer.trigger == advisor.trigger_for(reason)


def test_threat_phrases_tell_leaving_from_complaining():
    advisor = Advisor("c", "en")
    said(advisor, "i will complain to the regulator")
    threat = ev.AngerReason("keyword:threat", "t", 0.35, "complain")
    texts = []
    for at_s in range(0, 400, 50):
        out = advisor.on_anger(update(float(at_s), ANGRY, threat))
        texts += [s.text for s in out]
    assert texts and not any("leav" in t or "keep you" in t or "Cancel" in t for t in texts)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "phrases_en.toml"
    path.write_text('language = "en"\n' + body, encoding="utf-8")
    return path


ENTRY = '[[phrase]]\nid = "x"\ntext = "t"\nprinciple = "praise"\ntriggers = ["outage"]\n'


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            '[topics]\nrouter = ["router"]\n' + ENTRY + 'needs = { topics = ["modem"] }\n',
            9,
            "unknown topic 'modem'",
        ),
        (ENTRY + 'needs = { reasons = ["router"] }\n', 7, "unknown reason 'router'"),
        (ENTRY + 'needs = { words = ["{a"] }\n', 7, "needs.words"),
        (ENTRY + 'needs = { heard = ["a"] }\n', 7, "'needs' is a table"),
        ('[topics]\nrouter = []\n' + ENTRY, 3, "non-empty list"),
    ],
)
def test_bad_premises_name_the_file_and_line(tmp_path, body, line, message):
    path = write(tmp_path, body)
    with pytest.raises(DataFileError) as err:
        load_phrase_book("en", path)
    assert f"{path}:{line}" in str(err.value) and message in str(err.value)


@pytest.mark.parametrize(
    ("lang", "said_text", "words", "expected"),
    [
        ("ru", "у меня опять подорожал тариф", "подорожал", "ru-billing-price-no"),
        ("ru", "списали деньги без спроса", "списали деньги", "ru-billing-unwanted"),
        ("en", "you charged me for a subscription", "charged", "en-billing-unwanted"),
    ],
)
def test_a_lexicon_category_added_in_data_gets_its_own_phrases(lang, said_text, words, expected):
    """billing is no built-in trigger: advisor.toml maps the lexicon's billing
    category to it, and the phrase files answer it, premises included."""
    advisor = Advisor("c", lang)
    said(advisor, said_text)
    billing = ev.AngerReason("keyword:billing", f"'{words}' (money taken)", 0.2, words)
    offered = []
    for at_s in (1.0, 50.0, 100.0, 150.0, 200.0, 250.0):
        offered += advisor.on_anger(update(at_s, TENSE, billing))
    answers = [s for s in offered if s.trigger == "billing"]
    assert answers and answers[0].at_s == 1.0  # answered at once
    assert expected in {s.suggestion_id.split("#")[0] for s in answers}
