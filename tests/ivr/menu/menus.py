"""A small two-language menu the menu tests write and bend."""

from pathlib import Path

MINI = """\
[menu]
id = "mini"
title.ru = "Мини"
title.en = "Mini"
languages = ["ru", "en"]
start = "main"
timeout_s = 5
retries = 1

[routing]
queue = "senior"
no_matches_in_a_row = 3

[prompts]
no_match.ru = "Не поняла."
no_match.en = "Sorry?"
no_input.ru = "Вы здесь?"
no_input.en = "Are you there?"
goodbye.ru = "До свидания."
goodbye.en = "Goodbye."

[node.main]
title.ru = "Главное"
title.en = "Main"
prompt.ru = "Главное меню."
prompt.en = "Main menu."

[[node.main.option]]
digit = "1"
say.ru = ["интернет", "домашний интернет"]
say.en = ["internet"]
action = "menu"
target = "net"

[[node.main.option]]
digit = "2"
say.ru = ["до свидания"]
say.en = ["goodbye"]
action = "hangup"

[[node.main.option]]
digit = "*"
say.ru = ["повторить", "еще раз"]
say.en = ["repeat"]
action = "repeat"

[node.net]
title.ru = "Интернет"
title.en = "Internet"
prompt.ru = "Интернет. Не работает — 1, медленно — 2."
prompt.en = "Internet. Not working, 1; slow, 2."
timeout_s = 4

[[node.net.option]]
digit = "1"
say.ru = ["не работает", "нет интернета"]
say.en = ["not working"]
action = "queue"
queue = "tech"
priority = 2

[[node.net.option]]
digit = "2"
say.ru = ["медленно"]
say.en = ["slow"]
action = "transfer"
target = "7001"

[[node.net.option]]
digit = "9"
say.ru = ["назад"]
say.en = ["back"]
action = "back"

[[node.net.option]]
digit = "#"
say.ru = ["главное меню"]
say.en = ["main menu"]
action = "menu"
target = "main"
"""


def write_menu(directory: Path, text: str = MINI, name: str = "menu.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def bend(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_with(text: str, needle: str) -> int:
    """The 1-based line of the one occurrence of ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]
