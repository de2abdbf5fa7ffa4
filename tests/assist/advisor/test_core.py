import pytest

from assist.advisor import Advisor, load_phrases, trigger_of
from ivr import events as ev


def update(at_s, level, trend=ev.Trend.RISING, *reasons):
    return ev.AngerUpdate("c", at_s, 0.5, level, trend, tuple(ev.AngerReason(k, t, w) for k, t, w in reasons))


THREAT = ("keyword:threat", "keyword 'жалоба' (threat)", 0.4)
LOUD = ("loudness", "loudness +9 dB above this caller's baseline", 0.5)
PITCH = ("pitch", "pitch +40 %", 0.2)


@pytest.mark.parametrize(
    ("kind", "text", "trigger"),
    [
        ("keyword:insult", "keyword 'безобразие' (insult)", "insult"),
        ("keyword:repeat_contact", "phrase 'третий раз' (repeat contact)", "repeat_contact"),
        ("keyword:transfer", "phrase 'passed around' (transfers)", "transfers"),
        ("talk_over", "talking over the agent for 4 s", "talk_over"),
        ("loudness", "loudness +9 dB", "shouting"),
        ("pitch", "pitch +40 %", None),
        ("keyword:unheard_of", "keyword 'x' (new category)", None),
    ],
)
def test_reasons_map_to_triggers(kind, text, trigger):
    assert trigger_of(ev.AngerReason(kind, text, 0.3)) == trigger


def test_calm_and_steady_gets_nothing():
    assert Advisor("c", "ru").on_anger(update(1.0, ev.AngerLevel.CALM, ev.Trend.STEADY)) == []


def test_answers_the_strongest_reason_in_the_calls_language():
    (s,) = Advisor("c", "ru").on_anger(update(5.0, ev.AngerLevel.TENSE, ev.Trend.RISING, PITCH, THREAT))
    assert s.trigger == "threat" and s.language == "ru" and s.kind is ev.SuggestionKind.PHRASE
    assert s.text in {p.text for p in load_phrases("ru") if "threat" in p.triggers}
    assert s.at_s == 5.0 and s.call_id == "c"


def test_shouting_gets_a_behaviour_cue_only_when_angry():
    tense = Advisor("c", "en").on_anger(update(1.0, ev.AngerLevel.TENSE, ev.Trend.RISING, LOUD))
    assert tense[0].kind is ev.SuggestionKind.PHRASE and tense[0].trigger == "rising"
    (cue,) = Advisor("c", "en").on_anger(update(1.0, ev.AngerLevel.ANGRY, ev.Trend.RISING, LOUD))
    assert cue.kind is ev.SuggestionKind.CUE and cue.trigger == "shouting"


def test_cooldown_and_no_repeats():
    advisor = Advisor("c", "en", cooldown_s=6.0)
    shown = advisor.on_anger(update(1.0, ev.AngerLevel.TENSE, ev.Trend.RISING, THREAT))
    assert advisor.on_anger(update(2.0, ev.AngerLevel.TENSE, ev.Trend.RISING, THREAT)) == []
    # a new kind of trigger does not wait for the cooldown
    shown += advisor.on_anger(update(3.0, ev.AngerLevel.ANGRY, ev.Trend.RISING, LOUD))
    for t in range(10, 200, 7):
        shown += advisor.on_anger(update(float(t), ev.AngerLevel.ANGRY, ev.Trend.RISING, THREAT))
    ids = [s.suggestion_id.split("#")[0] for s in shown]
    assert len(ids) == len(set(ids)) >= 3
    gaps = [b.at_s - a.at_s for a, b in zip(shown[2:], shown[3:], strict=False)]
    assert all(g >= 6.0 for g in gaps)


def test_phrase_files_are_validated_with_file_and_line(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        '[[phrase]]\nid = "a"\ntext = "Hello"\nprinciple = "patience"\ntriggers = ["rising"]\n\n'
        '[[phrase]]\nid = "b"\ntext = "Hi"\nprinciple = "smugness"\ntriggers = ["rising"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=rf"{path}:7: phrase #2: unknown principle 'smugness'"):
        load_phrases("en", path)
