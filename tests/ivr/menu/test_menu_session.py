import pytest

from ivr.events import AngerLevel, AngerReason, AngerUpdate, IvrAction, Trend
from ivr.menu import (
    Hangup,
    IvrSession,
    Listen,
    Play,
    StopPlayback,
    Transfer,
    example_menu_path,
    load_menu,
)

from .menus import MINI, bend, write_menu


@pytest.fixture(scope="module")
def example():
    return load_menu(example_menu_path())


@pytest.fixture
def mini(tmp_path):
    return load_menu(write_menu(tmp_path))


def menu_from(tmp_path, *bends):
    text = MINI
    for old, new in bends:
        text = bend(text, old, new)
    return load_menu(write_menu(tmp_path, text))


def started(menu, language="ru", call_id="c1"):
    """A session that has played the start prompt and is listening (at 2 s)."""
    session = IvrSession(menu, call_id, language)
    assert [type(c) for c in session.start(0.0)] == [Play]
    assert [type(c) for c in session.prompt_done(2.0)] == [Listen]
    return session


def last_transfer(commands) -> Transfer:
    assert commands and isinstance(commands[-1], Transfer), commands
    return commands[-1]


def anger(level, call_id="c1", at_s=7.5, reasons=()):
    return AngerUpdate(call_id, at_s, 0.8, level, Trend.RISING, tuple(reasons))


# -- walking the example menu ----------------------------------------------------------------


def test_walk_by_digits_in_russian(example):
    session = IvrSession(example, "c1", "ru")
    (play,) = session.start(0.0)
    assert play.node == "main" and play.purpose == "prompt"
    assert play.prompt.text.startswith("Здравствуйте") and play.prompt.language == "ru"
    (listen,) = session.prompt_done(11.0)
    assert listen.node == "main" and listen.timeout_s == 6.0
    assert "интернет" in listen.phrases and "оператор" in listen.phrases
    (play,) = session.on_digit("1", 12.0)
    assert play.node == "internet" and play.prompt.text.startswith("Домашний интернет")
    session.prompt_done(20.0)
    commands = session.on_digit("1", 21.0)
    assert [type(c) for c in commands] == [Play, Transfer]
    assert commands[0].purpose == "transfer" and "технической поддержкой" in commands[0].prompt.text
    transfer = commands[1]
    assert (transfer.queue, transfer.priority, transfer.kind) == ("internet_support", 2, "queue")
    assert not transfer.fast_tracked
    # written for the agent, in the caller's language, with the node's title
    assert transfer.reason == "клиент выбрал клавишу 1 в разделе «Домашний интернет»"
    context = transfer.context
    assert [s.node for s in context.path] == ["main", "internet"]
    assert [s.title for s in context.path] == ["Главное меню", "Домашний интернет"]
    assert [(s.how, s.said) for s in context.path] == [("start", ""), ("digit", "1")]
    assert context.failed_attempts == 0 and context.choice == "клавишу 1"
    assert session.finished
    outcome = session.outcome
    assert outcome.kind == "queue" and outcome.destination == "internet_support"
    assert outcome.node == "internet" and outcome.at_s == 21.0


def test_walk_by_words_in_russian(example):
    session = started(example, "ru")
    (play,) = session.on_speech("у меня [unk] интернет", 4.0, 0.9)
    assert play.node == "internet"
    session.prompt_done(15.0)
    transfer = last_transfer(session.on_speech("Интернет совсем не работает", 17.0))
    assert transfer.queue == "internet_support" and transfer.priority == 2
    assert transfer.context.choice == "«не работает»"
    assert [(s.node, s.how, s.said) for s in transfer.context.path] == [
        ("main", "start", ""),
        ("internet", "speech", "интернет"),
    ]
    assert [(h.text, h.at_s, h.node) for h in transfer.context.heard] == [
        ("у меня [unk] интернет", 4.0, "main"),
        ("Интернет совсем не работает", 17.0, "internet"),
    ]


def test_walk_by_words_in_english_to_a_transfer(example):
    session = started(example, "en")
    (play,) = session.on_speech("my balance please", 5.0)
    assert play.node == "billing" and play.prompt.text.startswith("Balance and payments")
    session.prompt_done(12.0)
    commands = session.on_speech("check balance", 13.0)
    assert commands[0].prompt.text == "Transferring you to the automated balance line."
    transfer = last_transfer(commands)
    assert (transfer.queue, transfer.kind) == ("7001", "transfer")
    assert session.outcome.kind == "transfer"
    assert " > ".join(s.node for s in transfer.context.path) == "main > billing"


def test_a_lost_sim_card_goes_first_in_the_mobile_queue(example):
    session = started(example, "ru")
    session.on_speech("мобильная связь", 3.0)
    session.prompt_done(10.0)
    transfer = last_transfer(session.on_speech("я потеряла телефон", 11.0))
    assert (transfer.queue, transfer.priority) == ("mobile_support", 5)


def test_hangup_option_says_goodbye_then_hangs_up(example):
    session = started(example, "en")
    session.on_digit("6", 3.0)
    session.prompt_done(9.0)
    commands = session.on_speech("planned work", 10.0)
    assert [type(c) for c in commands] == [Play, Hangup]
    assert commands[0].purpose == "goodbye" and "Outages" in commands[0].prompt.text
    assert commands[1].node == "outage" and "planned work" in commands[1].reason
    assert session.finished and session.outcome.kind == "hangup"


# -- matching ----------------------------------------------------------------------------------


def test_words_match_whole_words_normalised(mini):
    session = started(mini)
    (play,) = session.on_speech("ЕЩЁ РАЗ", 3.0)  # ё as е, upper case
    assert play.node == "main" and play.purpose == "prompt"
    session.prompt_done(4.0)
    (play,) = session.on_speech("интернетом", 5.0)  # not the whole word
    assert play.purpose == "no_match"


def test_unknown_words_and_empty_results(mini):
    session = started(mini)
    assert session.on_speech("", 3.0) == []  # nothing said: not a failure
    assert session.heard == ()
    (play,) = session.on_speech("[unk] [unk]", 3.5)
    assert play.purpose == "no_match" and play.prompt.text == "Не поняла."
    assert session.failed_attempts == 1 and len(session.heard) == 1


def test_low_confidence_counts_as_not_understood(example):
    session = started(example, "ru")
    (play,) = session.on_speech("интернет", 3.0, conf=0.2)
    assert play.purpose == "no_match" and play.node == "main"
    session.prompt_done(5.0)
    (play,) = session.on_speech("интернет", 6.0, conf=0.9)
    assert play.node == "internet"


# -- barge-in, timeouts, retries ---------------------------------------------------------------


def test_a_digit_during_a_prompt_acts_at_once(mini):
    session = IvrSession(mini, "c1", "ru")
    session.start(0.0)
    stop, play = session.on_digit("1", 0.7)
    assert stop == StopPlayback("main") and play.node == "net"
    # matching speech barges in too
    stop, transfer = session.on_speech("нет интернета", 1.2)
    assert isinstance(stop, StopPlayback) and transfer.queue == "tech"


def test_speech_that_matches_nothing_during_a_prompt_is_ignored(mini):
    session = IvrSession(mini, "c1", "ru")
    session.start(0.0)
    assert session.on_speech("главное меню", 0.5) == []  # an echo of the prompt
    assert session.failed_attempts == 0
    stop, play = session.on_digit("7", 0.9)  # a wrong key is the caller's
    assert isinstance(stop, StopPlayback) and play.purpose == "no_match"
    assert session.failed_attempts == 1


def test_no_input_is_timed_in_audio_time_then_the_fallback(mini):
    session = IvrSession(mini, "c1", "en")
    session.start(0.0)
    assert session.on_time(100.0) == []  # still playing: the timer has not started
    (listen,) = session.prompt_done(3.0)
    assert listen.timeout_s == 5.0
    assert session.on_time(7.99) == []
    (play,) = session.on_time(8.0)
    assert play.purpose == "no_input" and play.prompt.text == "Are you there?"
    assert session.on_time(20.0) == []  # the no-input prompt is playing
    session.prompt_done(9.0)
    transfer = last_transfer(session.on_time(14.0))
    assert transfer.queue == "operator" and not transfer.fast_tracked
    assert transfer.reason == "2 failed attempts in Main (no input)"
    assert transfer.context.failed_attempts == 2
    assert session.outcome.kind == "queue"


def test_no_match_retries_then_the_fallback(mini):
    session = started(mini, "ru")
    (play,) = session.on_speech("погода", 3.0)
    assert play.purpose == "no_match"
    session.prompt_done(4.0)
    transfer = last_transfer(session.on_digit("5", 5.0))
    assert transfer.reason == "неудачных попыток в разделе «Главное»: 2 (не распознано)"
    assert transfer.queue == "operator" and not transfer.fast_tracked


def test_retries_count_per_node_and_a_good_choice_resets_them(mini):
    session = started(mini, "ru")
    session.on_speech("погода", 3.0)
    session.prompt_done(4.0)
    session.on_digit("1", 5.0)  # into net: its own count starts again
    session.prompt_done(6.0)
    (play,) = session.on_time(10.0)  # net waits 4 s
    assert play.purpose == "no_input" and play.node == "net"
    session.prompt_done(11.0)
    assert isinstance(session.on_time(15.0)[-1], Transfer)
    assert session.outcome.reason == "неудачных попыток в разделе «Интернет»: 2 (нет ответа)"


def test_fallback_into_a_node(tmp_path):
    fallback = '[menu.fallback]\naction = "menu"\ntarget = "net"\n\n[prompts]'
    menu = menu_from(tmp_path, ("[prompts]", fallback))
    session = started(menu, "ru")
    session.on_time(7.0)
    session.prompt_done(8.0)
    (play,) = session.on_time(13.0)
    assert play.node == "net" and play.purpose == "prompt"
    assert [(s.node, s.how) for s in session.path] == [("main", "start"), ("net", "fallback")]


# -- repeat, back, operator --------------------------------------------------------------------


def test_repeat_and_back(mini):
    session = started(mini, "en")
    (play,) = session.on_speech("repeat", 3.0)
    assert play.node == "main" and play.prompt.text == "Main menu."
    assert [s.node for s in session.path] == ["main"]
    session.prompt_done(4.0)
    session.on_digit("1", 5.0)
    session.prompt_done(6.0)
    (play,) = session.on_speech("back", 7.0)
    assert play.node == "main" and session.node == "main"
    session.prompt_done(8.0)
    session.on_digit("1", 9.0)
    session.prompt_done(10.0)
    (play,) = session.on_digit("#", 11.0)  # "main menu": a menu action back to the start
    assert play.node == "main"
    session.prompt_done(12.0)
    session.on_digit("1", 13.0)
    session.prompt_done(14.0)
    session.on_digit("9", 15.0)  # back goes to main, not to net
    assert session.node == "main"
    assert [s.node for s in session.path] == ["main", "net", "main", "net", "main", "net", "main"]


@pytest.mark.parametrize(
    ("language", "said"),
    [("ru", "соедините с оператором"), ("ru", "живой человек"), ("en", "agent please")],
)
def test_operator_words_work_in_every_node(mini, language, said):
    session = started(mini, language)
    session.on_digit("1", 3.0)
    session.prompt_done(4.0)
    transfer = last_transfer(session.on_speech(said, 5.0))
    asked = {"ru": "клиент попросил оператора", "en": "caller asked for an operator"}[language]
    assert transfer.queue == "operator" and transfer.reason == asked
    assert not transfer.fast_tracked and transfer.context.node == "net"


def test_zero_is_the_operator_even_during_a_prompt(example):
    session = IvrSession(example, "c1", "en")
    session.start(0.0)
    commands = session.on_digit("0", 1.0)
    assert [type(c) for c in commands] == [StopPlayback, Play, Transfer]
    assert commands[1].prompt.text.startswith("Connecting you to an operator")
    assert commands[2].queue == "general" and commands[2].context.choice == "key 0"


# -- fast track -------------------------------------------------------------------------------


def test_anger_fast_tracks_with_the_reason_and_the_context(example):
    session = started(example, "ru")
    session.on_speech("интернет", 3.0)
    session.prompt_done(10.0)
    session.on_speech("да вы идиоты [unk]", 12.0)
    session.prompt_done(12.1)
    reasons = (
        AngerReason("loudness", "louder than the caller's start by 9 dB", 0.2),
        AngerReason("keyword:insult", "keyword 'идиоты' (insult)", 0.45),
        AngerReason("pitch", "pitch up 4 semitones", 0.1),
    )
    commands = session.on_anger(anger(AngerLevel.ANGRY, at_s=12.3, reasons=reasons))
    assert [type(c) for c in commands] == [Play, Transfer]
    assert commands[0].purpose == "transfer" and "без очереди" in commands[0].prompt.text
    transfer = commands[1]
    assert (transfer.queue, transfer.priority, transfer.fast_tracked) == ("senior", 10, True)
    # the two strongest reasons, as the anger core wrote them, after the level in Russian
    assert transfer.reason == (
        "сердит: keyword 'идиоты' (insult); louder than the caller's start by 9 dB"
    )
    context = transfer.context
    assert context.fast_tracked and context.reason == transfer.reason
    assert [s.node for s in context.path] == ["main", "internet"]
    assert context.heard[-1].text == "да вы идиоты [unk]"
    assert context.anger[0].kind == "keyword:insult"
    assert context.failed_attempts == 1  # "да вы идиоты" is no option of the internet node
    assert session.outcome.fast_tracked and session.outcome.at_s == 12.3


def test_anger_during_a_prompt_stops_it(mini):
    session = IvrSession(mini, "c1", "en")
    session.start(0.0)
    stop, transfer = session.on_anger(anger(AngerLevel.TENSE, at_s=1.0))
    assert isinstance(stop, StopPlayback)
    assert transfer.fast_tracked and transfer.reason == "tense: anger score 0.80"


def test_anger_that_does_not_count(tmp_path, mini):
    session = started(mini)
    assert session.on_anger(anger(AngerLevel.CALM)) == []
    assert session.on_anger(anger(AngerLevel.ANGRY, call_id="someone-else")) == []
    assert not session.finished
    only_angry = menu_from(
        tmp_path, ('queue = "senior"', 'queue = "senior"\nanger_levels = ["angry"]')
    )
    session = started(only_angry)
    assert session.on_anger(anger(AngerLevel.TENSE)) == []
    assert session.on_anger(anger(AngerLevel.ANGRY))[-1].fast_tracked
    off = menu_from(tmp_path, ('queue = "senior"', 'queue = "senior"\nfast_track = false'))
    session = started(off)
    assert session.on_anger(anger(AngerLevel.ANGRY)) == []


def test_no_matches_in_a_row_fast_track(tmp_path):
    menu = menu_from(
        tmp_path,
        ("retries = 1", "retries = 5"),
        ("no_matches_in_a_row = 3", "no_matches_in_a_row = 2"),
    )
    session = started(menu, "ru")
    session.on_speech("погода", 3.0)
    session.prompt_done(4.0)
    session.on_time(9.0)  # silence neither counts nor breaks the row
    session.prompt_done(10.0)
    transfer = last_transfer(session.on_speech("что", 11.0))
    assert (transfer.queue, transfer.priority, transfer.fast_tracked) == ("senior", 10, True)
    assert transfer.reason == "неудачных попыток подряд: 2"
    assert transfer.context.failed_attempts == 3


def test_a_good_choice_breaks_the_row(tmp_path):
    menu = menu_from(
        tmp_path,
        ("retries = 1", "retries = 5"),
        ("no_matches_in_a_row = 3", "no_matches_in_a_row = 2"),
    )
    session = started(menu, "ru")
    session.on_speech("погода", 3.0)
    session.prompt_done(4.0)
    session.on_digit("1", 5.0)
    session.prompt_done(6.0)
    (play,) = session.on_speech("погода", 7.0)
    assert play.purpose == "no_match" and not session.finished


# -- events, determinism, the end --------------------------------------------------------------


def test_commands_become_ivr_actions(example):
    session = IvrSession(example, "c9", "en")
    (play,) = session.start(0.0)
    event = play.to_event("c9", 0.0)
    assert isinstance(event, IvrAction) and event.action == "play" and event.node == "main"
    assert event.detail["purpose"] == "prompt" and event.detail["language"] == "en"
    assert event.detail["wav"] == ""
    (listen,) = session.prompt_done(9.0)
    event = listen.to_event("c9", 9.0)
    assert event.action == "listen" and "internet" in event.detail["phrases"].split(" | ")
    assert event.detail["timeout_s"] == "6"
    session.on_digit("1", 10.0)
    session.prompt_done(15.0)
    transfer = last_transfer(session.on_anger(anger(AngerLevel.ANGRY, "c9", 16.5)))
    event = transfer.to_event("c9", 16.5)
    assert event.action == "transfer" and event.node == "internet" and event.call_id == "c9"
    detail = event.detail
    assert all(isinstance(v, str) for v in detail.values())
    assert detail["path"] == "main > internet"
    assert detail["path_titles"] == "Main menu > Home internet"
    assert detail["steps"] == "main [start] > internet [1]"
    assert detail["heard"] == ""  # keys only
    assert (detail["queue"], detail["priority"], detail["fast_tracked"]) == ("senior", "10", "yes")
    assert detail["reason"] == "angry: anger score 0.80" and detail["failed_attempts"] == "0"
    assert detail["menu"] == "telecom_support" and detail["language"] == "en"
    assert Hangup("caller chose x", "main").to_event("c9", 1.0).detail == {
        "reason": "caller chose x"
    }
    assert StopPlayback("main").to_event("c9", 1.0).action == "stop"


def test_heard_words_reach_the_event(mini):
    session = started(mini, "ru")
    session.on_speech("интернет", 3.0)
    session.prompt_done(4.0)
    event = last_transfer(session.on_speech("медленно", 5.0)).to_event("c1", 5.0)
    assert event.detail["heard"] == "3.0s 'интернет'; 5.0s 'медленно'"
    assert event.detail["steps"] == "main [start] > net ['интернет']"
    assert (event.detail["queue"], event.detail["kind"]) == ("7001", "transfer")


SCRIPT = [
    ("start", 0.0),
    ("on_digit", "5", 0.4),
    ("prompt_done", 2.0),
    ("on_speech", "интернет", 3.0),
    ("prompt_done", 6.0),
    ("on_time", 9.9),
    ("on_speech", "[unk]", 10.0),
    ("prompt_done", 11.0),
    ("on_speech", "назад", 12.0),
    ("prompt_done", 13.0),
    ("on_digit", "2", 14.0),
    ("on_speech", "оператор", 15.0),
]


def run_script(menu):
    session = IvrSession(menu, "c1", "ru")
    out = []
    for name, *args in SCRIPT:
        commands = getattr(session, name)(*args)
        out.append([c.to_event("c1", args[-1]) for c in commands])
    return session, out


def test_the_same_inputs_give_the_same_commands(mini):
    first, events = run_script(mini)
    second, again = run_script(mini)
    assert events == again
    assert first.path == second.path and first.outcome == second.outcome
    assert [e.action for batch in events for e in batch] == [
        "play", "stop", "play", "listen", "play", "listen", "play", "listen", "play",
        "listen", "play", "hangup",
    ]  # fmt: skip
    assert first.outcome.kind == "hangup"
    assert events[-1] == []  # finished by the hangup option


def test_a_finished_session_ignores_everything(mini):
    session = started(mini, "ru")
    last_transfer(session.on_digit("0", 3.0))
    outcome = session.outcome
    assert session.start(4.0) == []
    assert session.prompt_done(4.0) == []
    assert session.on_digit("1", 5.0) == []
    assert session.on_speech("интернет", 5.0) == []
    assert session.on_anger(anger(AngerLevel.ANGRY)) == []
    assert session.on_time(100.0) == []
    assert session.on_hangup(101.0) == []
    assert session.outcome == outcome and session.outcome.kind == "queue"


def test_the_caller_hanging_up_ends_the_session(mini):
    session = started(mini, "ru")
    assert session.on_hangup(3.0) == []
    assert session.finished and session.outcome.kind == "caller_hangup"
    assert session.on_digit("1", 4.0) == []


def test_input_before_start_is_ignored_and_languages_are_checked(mini):
    session = IvrSession(mini, "c1", "ru")
    assert session.on_digit("1", 0.0) == [] and session.on_speech("интернет", 0.0) == []
    assert session.prompt_done(0.0) == [] and session.on_time(50.0) == []
    assert session.node is None and not session.finished
    with pytest.raises(ValueError, match="no language 'de'"):
        IvrSession(mini, "c1", "de")


def test_back_from_the_start_replays_it_and_main_menu_clears_the_way_back(tmp_path):
    back_in_main = '[[node.main.option]]\ndigit = "9"\naction = "back"\n\n[node.net]'
    menu = menu_from(tmp_path, ("[node.net]", back_in_main))
    session = started(menu, "ru")
    (play,) = session.on_digit("9", 3.0)  # nowhere to go back to
    assert play.node == "main" and play.purpose == "prompt"
    assert [s.node for s in session.path] == ["main"]
    for digit, at_s in [("1", 5.0), ("#", 7.0)]:  # main > net > main menu
        session.prompt_done(at_s - 1)
        session.on_digit(digit, at_s)
    session.prompt_done(8.0)
    (play,) = session.on_digit("9", 9.0)  # "main menu" left no way back to net
    assert play.node == "main"
    assert [s.node for s in session.path] == ["main", "net", "main"]
