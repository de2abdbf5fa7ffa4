import pytest

from ivr.datafile import DataFileError
from ivr.menu import ActionKind, MenuError, example_menu_path, load_menu
from ivr.tomllines import KeyLines

from .menus import MINI, bend, line_with, write_menu


def test_the_example_menu_loads_with_both_languages():
    menu = load_menu(example_menu_path())
    assert menu.id == "telecom_support"
    assert menu.languages == ("ru", "en")
    assert menu.start == "main"
    assert 8 <= len(menu.nodes) <= 10
    for node in menu.nodes.values():
        assert set(node.prompts) == {"ru", "en"}
        assert set(node.no_match) == {"ru", "en"} and set(node.no_input) == {"ru", "en"}
        for option in node.options:
            assert option.phrases("ru") and option.phrases("en")
    main = menu.node("main")
    targets = {o.action.target for o in main.options if o.action.kind is ActionKind.MENU}
    assert targets == set(menu.nodes) - {"main"}
    # the node's own no_match overrides the menu-wide one
    assert "«интернет»" in main.no_match["ru"].text
    assert menu.node("internet").no_match["ru"].text.startswith("Извините, я не расслышала")
    assert menu.node("outage").retries == 1 and menu.node("internet").retries == 2
    assert menu.routing.priority > max(
        o.action.priority for n in menu.nodes.values() for o in n.options
    )
    ru = menu.phrases("ru")
    assert "нет интернета" in ru and "оператор" in ru and "баланс" in ru
    assert len(ru) == len(set(ru))
    assert "operator" in menu.phrases("en") and "operator" not in ru
    # synonyms are stored normalised: ё as е, lower case
    assert "еще раз" in main.phrases("ru")


def test_a_menu_of_the_smallest_kind_and_its_defaults(tmp_path):
    menu = load_menu(write_menu(tmp_path))
    assert menu.operator.digit == "0"
    assert "оператор" in menu.operator.phrases("ru") and "agent" in menu.operator.phrases("en")
    assert menu.operator.queue == menu.fallback.queue == "operator"
    assert menu.fallback.kind is ActionKind.QUEUE
    assert menu.routing.fast_track and menu.routing.anger_levels == ("tense", "angry")
    assert menu.routing.queue == "senior" and menu.routing.priority == 10
    assert menu.node("net").timeout_s == 4.0 and menu.node("main").timeout_s == 5.0
    assert menu.node("main").title("en") == "Main"
    assert menu.listen_phrases("net", "en")[:2] == ("not working", "slow")
    assert "operator" in menu.listen_phrases("net", "en")


def test_a_recorded_prompt_is_a_path_next_to_the_menu(tmp_path):
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "main_ru.wav").write_bytes(b"RIFF")
    text = bend(MINI, 'prompt.ru = "Главное меню."', 'prompt_wav.ru = "prompts/main_ru.wav"')
    menu = load_menu(write_menu(tmp_path, text))
    prompt = menu.node("main").prompts["ru"]
    assert prompt.wav == (tmp_path / "prompts" / "main_ru.wav").resolve()
    assert prompt.text == "" and prompt.language == "ru"


BROKEN = [
    # (what is written instead of what, the message, the text on the reported line)
    ('id = "mini"', 'id = "mini"\ncolour = "red"', "unknown key 'colour' in [menu]", "colour"),
    (
        'digit = "2"\nsay.ru = ["до свидания"]',
        'digits = "2"\nsay.ru = ["до свидания"]',
        "unknown key 'digits' in [node.main.option[2]]",
        "digits",
    ),
    ("timeout_s = 5\n", 'timeout_s = "five"\n', "menu.timeout_s must be a number", "five"),
    ("timeout_s = 5\n", "timeout_s = -1\n", "menu.timeout_s must be > 0", "-1"),
    ("timeout_s = 4", "timeout_s = -0.5", "node.net.timeout_s must be > 0", "-0.5"),
    ("retries = 1", "retries = 1.5", "menu.retries must be a whole number", "1.5"),
    ("retries = 1", "retries = -2", "menu.retries must not be negative", "-2"),
    ('say.en = ["slow"]', 'say.en = "slow"', "say.en must be a list of texts", '"slow"'),
    ('digit = "9"', "digit = 9", 'digit must be a quoted key like "9"', "digit = 9"),
    ('digit = "9"', 'digit = "12"', "digit '12' is not one key of 0-9, * or #", '"12"'),
    ('digit = "9"', 'digit = "A"', "digit 'A' is not one key of 0-9, * or #", '"A"'),
    (
        'digit = "9"',
        'digit = "2"',
        "digit '2' is used twice in node 'net' (options 2 and 3)",
        'digit = "2"\nsay.ru = ["назад"]',
    ),
    (
        'say.ru = ["медленно"]',
        'say.ru = ["медленно", "Нет Интернета"]',
        "say.ru: 'нет интернета' is said twice in node 'net' (options 1 and 2)",
        "Нет Интернета",
    ),
    (
        'say.ru = ["медленно"]',
        'say.ru = ["2 раза"]',
        "say.ru: '2 раза' must be words (letters only)",
        "2 раза",
    ),
    ('prompt.en = "Main menu."\n', "", "node.main has no prompt.en", 'prompt.ru = "Главное меню."'),
    (
        'prompt.en = "Main menu."',
        'prompt.en = "Main menu."\nprompt.de = "Hauptmenü."',
        "prompt.de: language 'de' is not in menu.languages (ru, en)",
        "prompt.de",
    ),
    (
        'target = "net"',
        'target = "nett"',
        "target 'nett' is not a node",
        "nett",
    ),
    ('action = "back"', 'action = "go_back"', "'go_back' is not an action", "go_back"),
    (
        'queue = "tech"\n',
        "",
        "node.net.option[1] needs queue (a text)",
        '[[node.net.option]]\ndigit = "1"',
    ),
    ('start = "main"', 'start = "menu"', "start node 'menu' is not a node", 'start = "menu"'),
    (
        'target = "net"',
        'target = "main"',
        "node 'net' cannot be reached from the start node 'main'",
        "[node.net]",
    ),
    (
        'say.en = ["back"]',
        'say.en = ["back", "Operator"]',
        "say.en: 'operator' already means the operator in every node",
        '"Operator"',
    ),
    (
        'digit = "9"',
        'digit = "0"',
        "digit '0' is kept for the operator",
        'digit = "0"',
    ),
    (
        'action = "back"',
        'action = "back"\ntarget = "main"',
        "target is not used by action 'back'",
        'target = "main"\n\n[[node.net.option]]\ndigit = "#"',
    ),
    (
        'no_input.en = "Are you there?"\n',
        "",
        "no no_input prompt for en: add no_input.en to [prompts] (needed by node(s) main, net)",
        "no_input.ru",
    ),
    (
        'queue = "senior"',
        'queue = "senior"\nanger_levels = ["calm"]',
        "routing.anger_levels must be a list of 'tense', 'angry'",
        "calm",
    ),
]


@pytest.mark.parametrize(("old", "new", "message", "needle"), BROKEN)
def test_each_problem_names_its_line(tmp_path, old, new, message, needle):
    text = bend(MINI, old, new)
    path = write_menu(tmp_path, text)
    with pytest.raises(MenuError) as info:
        load_menu(path)
    matching = [p for p in info.value.problems if message in p.message]
    assert matching, info.value.messages
    first_needle_line = needle.split("\n")[0]
    expected = line_with(text, needle) if "\n" not in needle else _block_line(text, needle)
    assert matching[0].line == expected, (first_needle_line, info.value.messages)
    assert f"{path}:{expected}: " in str(info.value)


def _block_line(text: str, block: str) -> int:
    """The line where the one occurrence of a multi-line ``block`` starts."""
    assert text.count(block) == 1, block
    return text[: text.index(block)].count("\n") + 1


def test_every_problem_is_reported_at_once_in_line_order(tmp_path):
    text = MINI
    text = bend(text, "retries = 1", "retries = -1")
    text = bend(text, 'digit = "9"', 'digit = "1"')
    text = bend(text, 'action = "back"', 'action = "fly"')
    text = bend(text, 'target = "main"', 'target = "nowhere"')
    text = bend(text, 'prompt.en = "Internet. Not working, 1; slow, 2."\n', "")
    path = write_menu(tmp_path, text)
    with pytest.raises(MenuError) as info:
        load_menu(path)
    error = info.value
    assert isinstance(error, DataFileError)
    lines = [p.line for p in error.problems]
    assert lines == sorted(lines)
    expected = {
        line_with(text, "retries = -1"),
        line_with(text, 'prompt.ru = "Интернет.'),
        _block_line(text, 'digit = "1"\nsay.ru = ["назад"]'),
        line_with(text, '"fly"'),
        line_with(text, '"nowhere"'),
    }
    assert set(lines) == expected, error.messages
    assert len(error.messages) == 5
    assert str(error).splitlines() == list(error.messages)
    assert all(m.startswith(f"{path}:") for m in error.messages)


def test_a_toml_syntax_error_is_a_menu_error_with_its_line(tmp_path):
    path = write_menu(tmp_path, bend(MINI, 'start = "main"', 'start = "main'))
    with pytest.raises(MenuError) as info:
        load_menu(path)
    assert info.value.problems[0].line == line_with(MINI, 'start = "main"')
    assert "not valid TOML" in str(info.value)
    assert str(info.value).startswith(f"{path}:{info.value.line}: ")


def test_a_missing_recording_and_an_empty_file(tmp_path):
    text = bend(MINI, 'prompt.en = "Main menu."', 'prompt_wav.en = "gone.wav"')
    with pytest.raises(MenuError, match=r"prompt_wav\.en: no such file 'gone\.wav'") as info:
        load_menu(write_menu(tmp_path, text))
    assert info.value.line == line_with(text, "gone.wav")
    with pytest.raises(MenuError) as info:
        load_menu(write_menu(tmp_path, "", "empty.toml"))
    assert "needs a [menu] table" in str(info.value)
    assert "no nodes" in str(info.value)


def test_key_lines_skip_multi_line_strings():
    lines = [
        "[node.a]",
        'prompt.ru = """',
        "[node.b]",
        'digit = "1"',
        '"""',
        "[[node.a.option]]",
        'digit = "2"',
        "[[node.a.option]]",
        "say.en = [",
        '  "one",',
        '  "two",',
        "]",
    ]
    where = KeyLines(lines)
    assert where.exact(("node", "b")) is None
    assert where.line(("node", "a", "prompt", "ru")) == 2
    assert where.line(("node", "a", "option", 0, "digit")) == 7
    assert where.line(("node", "a", "option", 1, "digit")) == 8  # falls back to its table
    assert where.text_line(("node", "a", "option", 1, "say", "en"), "two") == 11
