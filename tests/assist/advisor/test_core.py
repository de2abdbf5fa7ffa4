import dataclasses
import itertools

import pytest

from assist.advisor import Advisor, load_advisor_settings, load_phrases, trigger_of
from ivr import events as ev

ANGRY, TENSE, CALM = ev.AngerLevel.ANGRY, ev.AngerLevel.TENSE, ev.AngerLevel.CALM
RISING, STEADY, FALLING = ev.Trend.RISING, ev.Trend.STEADY, ev.Trend.FALLING
SETTINGS = load_advisor_settings()


def update(at_s, level, trend=RISING, *reasons, call="c"):
    return ev.AngerUpdate(
        call,
        at_s,
        0.5,
        level,
        trend,
        tuple(r if isinstance(r, ev.AngerReason) else ev.AngerReason(*r) for r in reasons),
    )


def kw(category, words, weight=0.3, label=None):
    return (f"keyword:{category}", f"keyword '{words}' ({label or category})", weight)


# The words of a threat to complain and leave, in both languages: the threat
# phrases that need a complaint or leaving to have been heard may answer it.
THREAT = ev.AngerReason(
    "keyword:threat", "keyword 'жалоба' (threat)", 0.4, "жалоба расторгну complaint cancel"
)
REPEAT = kw("repeat_contact", "third time", 0.2, "repeated contact")
INSULT = kw("insult", "outrageous", 0.4)
LOUD = ("loudness", "loudness +9 dB above this caller's baseline", 0.5)
PITCH = ("pitch", "pitch +40 %", 0.2)
FAST = ("rate", "speaking rate +35 % above this caller's baseline", 0.08)
OVER = ("talk_over", "talking over the agent for 3 s", 0.15)


def ids(suggestions):
    return [s.suggestion_id.split("#")[0] for s in suggestions]


@pytest.mark.parametrize(
    ("kind", "text", "trigger"),
    [
        ("keyword:insult", "keyword 'безобразие' (insult)", "insult"),
        ("keyword:profanity", "keyword 'damn' (profanity)", "insult"),
        ("keyword:repeat_contact", "phrase 'третий раз' (repeat contact)", "repeat_contact"),
        ("keyword:transfer", "phrase 'passed around' (transfers)", "transfers"),
        ("keyword:manager_demand", "keyword 'manager' (manager demand)", "manager"),
        ("keyword:exasperation", "keyword 'ridiculous' (exasperation)", "rising"),
        ("talk_over", "talking over the agent for 4 s", "talk_over"),
        ("loudness", "loudness +9 dB", "shouting"),
        ("pitch", "pitch +40 %", "shouting"),
        ("brightness", "sharper voice", "shouting"),
        ("rate", "speaking rate +30 %", "fast_speech"),
        ("pitch_range", "pitch range 9 semitones", None),
        ("keyword:unheard_of", "keyword 'x' (new category)", None),
    ],
)
def test_reasons_map_to_triggers(kind, text, trigger):
    assert trigger_of(ev.AngerReason(kind, text, 0.3)) == trigger


@pytest.mark.parametrize(
    ("lang", "words", "trigger"),
    [
        ("en", "on hold", "waiting"),
        ("en", "waited forever", "waiting"),
        ("en", "not working", "outage"),
        ("ru", "жду на линии", "waiting"),
        ("ru", "невозможно дозвониться", "waiting"),
        ("ru", "нет интернета", "outage"),
    ],
)
def test_outage_reasons_that_speak_of_waiting_are_waiting(lang, words, trigger):
    advisor = Advisor("c", lang)
    reason = ev.AngerReason(
        "keyword:outage", f"phrase '{words}' (outage or waiting)", 0.15, words=words
    )
    assert advisor.trigger_for(reason) == trigger
    (s,) = advisor.on_anger(update(1.0, TENSE, RISING, reason))
    assert s.trigger == trigger


def test_calm_and_steady_gets_nothing():
    assert Advisor("c", "ru").on_anger(update(1.0, CALM, STEADY, THREAT)) == []


def test_calm_but_rising_gets_only_something_new_and_specific():
    advisor = Advisor("c", "en")
    assert advisor.on_anger(update(1.0, CALM, RISING, PITCH)) == []
    (s,) = advisor.on_anger(update(4.0, CALM, RISING, PITCH, REPEAT))
    assert s.trigger == "repeat_contact"


def test_answers_the_strongest_reason_in_the_calls_language():
    (s,) = Advisor("c", "ru").on_anger(update(5.0, TENSE, RISING, PITCH, THREAT))
    assert s.trigger == "threat" and s.language == "ru" and s.kind is ev.SuggestionKind.PHRASE
    assert s.text in {p.text for p in load_phrases("ru") if "threat" in p.triggers}
    assert s.at_s == 5.0 and s.call_id == "c"


def test_something_new_is_answered_at_once_even_within_the_cooldown():
    advisor = Advisor("c", "en", cooldown_s=6.0)
    (first,) = advisor.on_anger(update(1.0, TENSE, RISING, THREAT))
    # the threat is still there and stronger, but the repeat contact is new
    (second,) = advisor.on_anger(update(3.5, TENSE, RISING, THREAT, REPEAT))
    assert (first.trigger, second.trigger) == ("threat", "repeat_contact")
    # saying the threat again (x2) is new evidence too, once its card is dealt with
    repeated = ev.AngerReason("keyword:threat", THREAT.text + " x2", 0.5, THREAT.words)
    assert advisor.on_anger(update(6.0, ANGRY, RISING, repeated)) == []  # its card is still fresh
    advisor.on_feedback(ev.SuggestionFeedback("c", first.suggestion_id, ev.Verdict.USED, 6.5))
    (third,) = advisor.on_anger(update(7.0, ANGRY, RISING, repeated))
    assert third.trigger == "threat" and ids([third]) != ids([first])


def test_a_phrase_answering_several_current_reasons_is_preferred():
    # en-repeat-history answers both the repeat contact and the transfers
    both = Advisor("c", "en").on_anger(
        update(1.0, ANGRY, STEADY, REPEAT, kw("transfer", "passed around", 0.1))
    )
    alone = Advisor("c", "en").on_anger(update(1.0, ANGRY, STEADY, REPEAT))
    multi = {
        p.phrase_id
        for p in load_phrases("en")
        if {"repeat_contact", "transfers"} <= set(p.triggers)
    }
    assert ids(both)[0] in multi and ids(alone)[0] not in multi


def expected_principle(lang, trigger, order, heard=("complaint", "leaving")):
    available = {
        p.principle
        for p in load_phrases(lang)
        if trigger in p.triggers and set(p.needs.topics) <= set(heard) and not p.needs.words
    }
    return next(p for p in order if p in available)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_level_and_trend_choose_the_principle(lang):
    pref = SETTINGS.preference
    angry = Advisor("c", lang).on_anger(update(1.0, ANGRY, STEADY, THREAT))
    tense = Advisor("c", lang).on_anger(update(1.0, TENSE, STEADY, THREAT))
    rising = Advisor("c", lang).on_anger(update(1.0, TENSE, RISING, THREAT))
    assert angry[0].principle == expected_principle(lang, "threat", pref.angry)
    assert tense[0].principle == expected_principle(lang, "threat", pref.tense)
    assert rising[0].principle == expected_principle(lang, "threat", pref.rising)
    assert angry[0].principle != tense[0].principle


def test_falling_anger_gets_only_new_reasons():
    advisor = Advisor("c", "en")
    advisor.on_anger(update(1.0, ANGRY, RISING, THREAT))
    assert advisor.on_anger(update(60.0, TENSE, FALLING, THREAT)) == []  # old reason, long after
    (s,) = advisor.on_anger(update(61.0, TENSE, FALLING, THREAT, INSULT))
    assert s.trigger == "insult"


def test_general_rising_anger_is_the_fallback_when_nothing_specific_fits():
    (s,) = Advisor("c", "en").on_anger(
        update(1.0, TENSE, RISING, ("pitch_range", "pitch range", 0.1))
    )
    assert s.trigger == "rising"
    assert (
        Advisor("c", "en").on_anger(update(1.0, TENSE, STEADY, ("pitch_range", "pitch range", 0.1)))
        == []
    )


def test_shouting_gets_a_behaviour_cue_only_when_angry():
    tense = Advisor("c", "en").on_anger(update(1.0, TENSE, RISING, LOUD))
    assert tense[0].kind is ev.SuggestionKind.PHRASE and tense[0].trigger == "rising"
    (cue,) = Advisor("c", "en").on_anger(update(1.0, ANGRY, RISING, LOUD))
    assert cue.kind is ev.SuggestionKind.CUE and cue.trigger == "shouting"


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize(
    ("reason", "trigger"), [(FAST, "fast_speech"), (OVER, "talk_over"), (PITCH, "shouting")]
)
def test_fast_speech_talk_over_and_a_raised_voice_get_cues(lang, reason, trigger):
    level = ANGRY if trigger == "shouting" else TENSE
    (cue,) = Advisor("c", lang).on_anger(update(1.0, level, RISING, reason, INSULT))
    assert cue.kind is ev.SuggestionKind.CUE and cue.trigger == trigger
    assert cue.text in {p.text for p in load_phrases(lang) if trigger in p.triggers}


def test_faint_voice_evidence_is_not_shouting():
    (s,) = Advisor("c", "en").on_anger(
        update(1.0, ANGRY, RISING, ("loudness", "loudness +3 dB", 0.05), INSULT)
    )
    assert s.trigger == "insult" and s.kind is ev.SuggestionKind.PHRASE


def test_no_script_while_the_customer_shouts_then_the_reason_is_answered():
    advisor = Advisor("c", "en")
    (cue,) = advisor.on_anger(update(1.0, ANGRY, RISING, INSULT, LOUD))
    assert cue.trigger == "shouting"
    assert advisor.on_anger(update(8.0, ANGRY, STEADY, INSULT, LOUD)) == []  # cue still showing
    (s,) = advisor.on_anger(update(12.0, ANGRY, FALLING, INSULT))  # quieter now
    assert s.trigger == "insult" and s.kind is ev.SuggestionKind.PHRASE


def test_a_threat_is_answered_before_the_shouting_is_cued():
    advisor = Advisor("c", "en")
    (s,) = advisor.on_anger(update(1.0, ANGRY, RISING, THREAT, LOUD))
    assert s.trigger == "threat" and s.kind is ev.SuggestionKind.PHRASE
    (cue,) = advisor.on_anger(update(3.5, ANGRY, STEADY, THREAT, LOUD))
    assert cue.trigger == "shouting"


def test_the_same_behaviour_is_cued_again_only_after_its_interval():
    advisor = Advisor("c", "en")
    first = advisor.on_anger(update(1.0, ANGRY, RISING, LOUD))
    advisor.on_feedback(ev.SuggestionFeedback("c", first[0].suggestion_id, ev.Verdict.USED, 2.0))
    repeat_s = SETTINGS.cues.repeat_s
    # the cue was acted on and is not due again: still loud, the customer gets a script
    between = advisor.on_anger(update(repeat_s - 2, ANGRY, RISING, LOUD))
    assert [s.kind for s in between] == [ev.SuggestionKind.PHRASE]
    (again,) = advisor.on_anger(update(1.0 + repeat_s, ANGRY, RISING, LOUD))
    assert again.trigger == "shouting" and ids([again]) != ids(first)


def test_cooldown_and_no_repeats():
    advisor = Advisor("c", "en", cooldown_s=6.0)
    shown = advisor.on_anger(update(1.0, TENSE, RISING, THREAT))
    assert advisor.on_anger(update(2.0, TENSE, RISING, THREAT)) == []
    # a new kind of trigger does not wait for the cooldown
    shown += advisor.on_anger(update(3.0, ANGRY, RISING, LOUD))
    for t in range(10, 200, 7):
        shown += advisor.on_anger(update(float(t), ANGRY, RISING, THREAT))
    assert len(ids(shown)) == len(set(ids(shown))) >= 3
    gaps = [b.at_s - a.at_s for a, b in itertools.pairwise(shown[2:])]
    assert all(g >= 6.0 for g in gaps)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_long_angry_call_never_repeats_a_phrase_and_runs_dry_quietly(lang):
    advisor = Advisor("c", lang)
    categories = [
        "insult",
        "threat",
        "repeat_contact",
        "outage",
        "transfer",
        "manager_demand",
        "exasperation",
    ]
    shown = []
    for step in range(600):  # 50 minutes, an update every 5 s, a new word every time
        category = categories[step % len(categories)]
        reasons = [kw(category, f"word{step}", 0.3), LOUD if step % 9 == 0 else PITCH]
        shown += advisor.on_anger(update(5.0 * step, ANGRY, RISING, *reasons))
        if step % 3 == 0 and shown:
            advisor.on_feedback(
                ev.SuggestionFeedback("c", shown[-1].suggestion_id, ev.Verdict.USED, 5.0 * step)
            )
    assert len(ids(shown)) == len(set(ids(shown))) > 40
    assert len(advisor.on_screen) <= 2


def test_at_most_two_on_screen_and_the_newest_replaces_the_oldest():
    advisor = Advisor("c", "en")
    a = advisor.on_anger(update(1.0, TENSE, RISING, THREAT))
    b = advisor.on_anger(update(5.0, TENSE, RISING, THREAT, REPEAT))
    assert advisor.on_screen == (*a, *b)
    c = advisor.on_anger(update(9.0, TENSE, RISING, THREAT, REPEAT, INSULT))
    assert advisor.on_screen == (*b, *c)  # a was superseded
    advisor.on_feedback(ev.SuggestionFeedback("c", b[0].suggestion_id, ev.Verdict.USED, 10.0))
    assert advisor.on_screen == tuple(c)
    advisor.on_feedback(ev.SuggestionFeedback("c", c[0].suggestion_id, ev.Verdict.DISMISSED, 11.0))
    assert advisor.on_screen == ()
    assert advisor.suggested == (*a, *b, *c)


def test_a_phrase_waits_rather_than_replace_a_card_just_shown():
    advisor = Advisor("c", "en")
    advisor.on_anger(update(10.0, TENSE, RISING, THREAT))
    advisor.on_transcript(ev.TranscriptFinal("c", ev.ChannelRole.AGENT, "calm down", at_s=11.0))
    assert len(advisor.on_screen) == 2
    # 2.5 s after the last phrase, but the oldest card is younger than min_visible_s
    assert advisor.on_anger(update(12.5, TENSE, RISING, THREAT, REPEAT)) == []
    (s,) = advisor.on_anger(update(13.1, TENSE, RISING, THREAT, REPEAT))
    assert s.trigger == "repeat_contact" and [c.trigger for c in advisor.on_screen] == [
        "agent_words",
        "repeat_contact",
    ]


def test_a_dismissed_principle_is_offered_less():
    def run(dismiss):
        advisor = Advisor("c", "en")
        (first,) = advisor.on_anger(update(1.0, ANGRY, STEADY, THREAT))
        if dismiss:
            advisor.on_feedback(
                ev.SuggestionFeedback("c", first.suggestion_id, ev.Verdict.DISMISSED, 2.0)
            )
        advisor.on_anger(update(4.0, ANGRY, STEADY, THREAT, INSULT))
        (third,) = advisor.on_anger(update(7.0, ANGRY, STEADY, THREAT, INSULT, REPEAT))
        return first.principle, third.principle

    kept, dismissed = run(False), run(True)
    assert kept[0] == dismissed[0] == kept[1]  # the same principle wins again when not dismissed
    assert dismissed[1] != dismissed[0]


def test_feedback_for_an_unknown_suggestion_retires_that_phrase():
    advisor = Advisor("c", "en")
    (s,) = Advisor("c", "en").on_anger(update(1.0, TENSE, RISING, THREAT))
    advisor.on_feedback(ev.SuggestionFeedback("c", s.suggestion_id, ev.Verdict.USED, 2.0))
    (t,) = advisor.on_anger(update(3.0, TENSE, RISING, THREAT))
    assert ids([t]) != ids([s])


# ---------------------------------------------------------------- agent channel


def agent_says(advisor, text, at_s, role=ev.ChannelRole.AGENT, final=True):
    cls = ev.TranscriptFinal if final else ev.TranscriptPartial
    return advisor.on_transcript(cls("c", role, text, at_s=at_s))


@pytest.mark.parametrize(
    ("lang", "text", "principle"),
    [
        ("en", "look I can't do anything about it", "can_solve"),
        ("en", "that's not my department", "respect"),
        ("en", "you did it wrong yourself", "praise"),
        ("ru", "я тут ничего не могу сделать", "can_solve"),
        ("ru", "это не ко мне", "respect"),
        ("ru", "вы сами виноваты", "praise"),
        ("ru", "успокойтесь", "empathy"),
    ],
)
def test_the_agents_words_raise_a_warning_with_the_principle_and_a_better_line(
    lang, text, principle
):
    advisor = Advisor("c", lang)
    (w,) = agent_says(advisor, text, 4.0)
    assert w.kind is ev.SuggestionKind.WARNING and w.trigger == "agent_words"
    assert w.principle == principle and w.language == lang and w.at_s == 4.0
    assert w in advisor.on_screen


def test_only_the_agents_final_words_count():
    advisor = Advisor("c", "en")
    assert agent_says(advisor, "calm down", 1.0, final=False) == []
    assert agent_says(advisor, "calm down", 1.0, role=ev.ChannelRole.CUSTOMER) == []
    assert len(agent_says(advisor, "calm down", 1.5)) == 1


def test_polite_agent_speech_raises_nothing():
    advisor = Advisor("c", "en")
    for i, text in enumerate(
        [
            "I can't wait to help you",
            "let me see what I can do",
            "it's not your fault",
            "thank you for waiting",
        ]
    ):
        assert agent_says(advisor, text, float(i)) == []
    ru = Advisor("c", "ru")
    assert agent_says(ru, "не волнуйтесь, я всё проверю и перезвоню", 1.0) == []


def test_the_same_warning_is_not_repeated_soon():
    advisor = Advisor("c", "en")
    repeat_s = SETTINGS.agent_words.repeat_s
    assert len(agent_says(advisor, "calm down", 1.0)) == 1
    assert agent_says(advisor, "calm down", 1.0) == []  # the same final delivered twice
    assert agent_says(advisor, "please calm down", 1.0 + repeat_s / 2) == []
    assert [w.trigger for w in agent_says(advisor, "not my department", 2.0)] == ["agent_words"]
    assert len(agent_says(advisor, "calm down now", 1.0 + repeat_s)) == 1


def test_one_utterance_gives_one_warning():
    (w,) = Advisor("c", "en").on_transcript(
        ev.TranscriptFinal("c", ev.ChannelRole.AGENT, "calm down, it's not my department", at_s=1.0)
    )
    assert w.suggestion_id.startswith("en-agent-not-mine")  # the earlier rule in the file wins


def frames(role, end_s, spans, loudness_db=-25.0):
    out = []
    for k in range(1, round(end_s * 10) + 1):
        at_s = k / 10
        voiced = any(a < at_s <= b for a, b in spans)
        out.append(ev.ProsodyFrame("c", role, at_s, loudness_db, 120.0 if voiced else None, voiced))
    return out


def test_prosody_of_both_channels_flags_the_agent_talking_over_the_customer():
    advisor = Advisor("c", "ru")
    both = sorted(
        frames(ev.ChannelRole.CUSTOMER, 8, [(0, 6)]) + frames(ev.ChannelRole.AGENT, 8, [(2, 5)]),
        key=lambda f: (f.at_s, f.role),
    )
    out = [s for f in both for s in advisor.on_prosody(f)]
    (w,) = out
    assert w.kind is ev.SuggestionKind.WARNING and w.trigger == "agent_talk_over"
    assert w.principle == "respect" and "перебиваете" in w.text


def test_prosody_flags_the_agents_voice_rising():
    advisor = Advisor("c", "en")
    calm = frames(ev.ChannelRole.AGENT, 12, [(0, 12)])
    loud = [
        ev.ProsodyFrame("c", ev.ChannelRole.AGENT, 12 + k / 10, -14.0, 125.0, True)
        for k in range(1, 30)
    ]
    (w,) = [s for f in calm + loud for s in advisor.on_prosody(f)]
    assert (
        w.trigger == "agent_voice"
        and w.principle == "not_personal"
        and w.kind is ev.SuggestionKind.WARNING
    )


# ---------------------------------------------------------------- the rest


def test_events_of_another_call_are_ignored():
    advisor = Advisor("c", "en")
    assert advisor.on_anger(update(1.0, ANGRY, RISING, THREAT, call="other")) == []
    assert (
        advisor.on_transcript(
            ev.TranscriptFinal("other", ev.ChannelRole.AGENT, "calm down", at_s=1.0)
        )
        == []
    )


@pytest.mark.parametrize(("given", "lang"), [("ru-RU", "ru"), ("de", "en")])
def test_language_of_the_library(given, lang):
    (s,) = Advisor("c", given).on_anger(update(1.0, TENSE, RISING, THREAT))
    assert s.language == lang and s.text in {p.text for p in load_phrases(lang)}


def test_same_input_same_suggestions():
    def run():
        advisor = Advisor("c", "ru")
        out = []
        for step in range(40):
            reasons = [
                kw(["insult", "threat", "outage"][step % 3], f"w{step // 2}"),
                LOUD if step % 5 == 0 else PITCH,
            ]
            out += advisor.on_anger(
                update(3.0 * step, ANGRY if step % 4 else TENSE, RISING, *reasons)
            )
            out += agent_says(
                advisor, "успокойтесь" if step % 7 == 0 else "сейчас проверю", 3.0 * step + 1
            )
        return out, advisor.on_screen

    assert run() == run()


def test_equal_reasons_are_answered_in_the_settings_tie_order():
    """Two new reasons of the same weight, neither to be answered first: the
    order of advisor.toml's choice.tie_order decides, not the code."""
    insult, transfer = kw("insult", "outrageous", 0.3), kw("transfer", "passed around", 0.3)
    default = Advisor("c", "en").on_anger(update(1.0, TENSE, RISING, insult, transfer))
    assert [s.trigger for s in default] == ["transfers"]  # listed before insult
    choice = dataclasses.replace(SETTINGS.choice, tie_order=("insult", "transfers"))
    flipped = dataclasses.replace(SETTINGS, choice=choice)
    swapped = Advisor("c", "en", settings=flipped).on_anger(
        update(1.0, TENSE, RISING, insult, transfer)
    )
    assert [s.trigger for s in swapped] == ["insult"]
