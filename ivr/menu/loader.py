"""Reading and checking an IVR menu file.

:func:`load_menu` reads the TOML described in ``ivr/menu/README.md`` (the
shipped ``data/telecom_support.toml`` is a worked example) and checks all of
it before anything runs: a designer gets every problem at once, each as
``file:line: message``, in a :class:`MenuError`. This module reads the
file's head (``[menu]``, ``[prompts]``, ``[routing]``, the operator and the
fallback); the nodes and their options are read by :mod:`ivr.menu.nodes`.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

from ivr.datafile import DataFileError, load_toml
from ivr.events import AngerLevel
from ivr.menu.fields import MenuError, Problem, is_number
from ivr.menu.model import (
    Action,
    ActionKind,
    Menu,
    OperatorRoute,
    Routing,
    frozen_map,
)
from ivr.menu.nodes import ACTION_KEYS, ID_PATTERN, NodeReader
from ivr.tomllines import KeyPath

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_RETRIES = 2
DEFAULT_OPERATOR_QUEUE = "operator"
DEFAULT_ROUTING_PRIORITY = 10
DEFAULT_NO_MATCHES_IN_A_ROW = 2
# Understood in every node unless [menu.operator] says otherwise.
DEFAULT_OPERATOR_WORDS: dict[str, tuple[str, ...]] = {
    "ru": ("оператор", "оператора", "оператором", "человек", "человеком"),
    "en": ("operator", "agent", "human", "representative"),
}

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TOP_KEYS = ("menu", "prompts", "routing", "node")
_MENU_KEYS = (
    "id", "title", "languages", "start", "timeout_s", "retries", "min_conf", "fallback",
    "operator",
)  # fmt: skip
_OPERATOR_KEYS = ("digit", "say", "queue", "priority", "prompt", "prompt_wav")
_ROUTING_KEYS = (
    "fast_track", "queue", "priority", "anger_levels", "no_matches_in_a_row", "prompt",
    "prompt_wav",
)  # fmt: skip
_PROMPTS_KEYS = (
    "no_match", "no_match_wav", "no_input", "no_input_wav", "transfer", "transfer_wav",
    "goodbye", "goodbye_wav",
)  # fmt: skip


def example_menu_path() -> Path:
    """The shipped example: a telecom operator's support line in Russian and English."""
    return Path(str(resources.files("ivr.menu") / "data" / "telecom_support.toml"))


def load_menu(path: Path) -> Menu:
    """The menu in ``path``, checked; raises :class:`MenuError` listing every problem."""
    path = Path(path)
    try:
        data, lines = load_toml(path)
    except DataFileError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise MenuError(path, [Problem(exc.line, str(exc).removeprefix(f"{where}: "))]) from None
    reader = _Reader(path, data, lines)
    menu = reader.read()
    if reader.problems or menu is None:
        raise MenuError(path, reader.problems or [Problem(None, "not a usable menu")])
    return menu


class _Reader(NodeReader):
    """The menu's head, prompts and routes on top of its nodes and the field checks."""

    # -- the file ---------------------------------------------------------------------------

    def read(self) -> Menu | None:
        self.check_keys(self.data, (), _TOP_KEYS)
        head = self.table(self.data, (), "menu")
        if head is None:
            self.problem((), "the file needs a [menu] table (id, languages, start)", 1)
            head = {}
        path: KeyPath = ("menu",)
        self.check_keys(head, path, _MENU_KEYS)
        self.read_languages(head)
        menu_id = self.text(head, path, "id", default="", required=True)
        if menu_id and not ID_PATTERN.match(menu_id):
            self.problem((*path, "id"), f"menu.id {menu_id!r} may hold only letters, digits, _, -")
        start = self.text(head, path, "start", default="", required=True)
        titles = self.texts(head, path, "title")
        timeout_s = self.timeout(head, path, DEFAULT_TIMEOUT_S)
        retries = self.count(head, path, "retries", DEFAULT_RETRIES)
        min_conf = self.value(
            head, path, "min_conf", lambda v: is_number(v) and 0 <= v <= 1,
            "a number from 0 to 1", 0.0,
        )  # fmt: skip

        defaults = self.table(self.data, (), "prompts") or {}
        self.check_keys(defaults, ("prompts",), _PROMPTS_KEYS)
        default_prompts = {
            kind: self.prompts(defaults, ("prompts",), kind)
            for kind in ("no_match", "no_input", "transfer", "goodbye")
        }
        operator = self.read_operator(head)
        routing = self.read_routing(operator)
        fallback = self.read_fallback(head, operator)
        nodes = self.read_nodes(timeout_s, retries, default_prompts, operator)

        self.check_graph(start, nodes, fallback)
        if self.problems:
            return None
        return Menu(
            id=menu_id,
            languages=self.languages,
            start=start,
            nodes=frozen_map(nodes),
            fallback=fallback,
            operator=operator,
            routing=routing,
            timeout_s=timeout_s,
            retries=retries,
            min_conf=float(min_conf),
            titles=frozen_map(titles),
            transfer_prompts=frozen_map(default_prompts["transfer"]),
            goodbye_prompts=frozen_map(default_prompts["goodbye"]),
            source=self.path,
        )

    def read_languages(self, head: dict[str, Any]) -> None:
        path: KeyPath = ("menu",)
        languages = self.value(
            head, path, "languages",
            lambda v: isinstance(v, list) and v and all(isinstance(x, str) for x in v),
            'a list of language codes like ["ru", "en"]', [], required=True,
        )  # fmt: skip
        good = []
        for language in languages:
            if not _LANGUAGE.match(language):
                self.problem((*path, "languages"), f"{language!r} is not a language code like 'ru'")
            elif language in good:
                self.problem((*path, "languages"), f"language '{language}' is listed twice")
            else:
                good.append(language)
        self.languages = tuple(good)

    def read_operator(self, head: dict[str, Any]) -> OperatorRoute:
        path: KeyPath = ("menu", "operator")
        table = self.table(head, ("menu",), "operator") or {}
        self.check_keys(table, path, _OPERATOR_KEYS)
        digit = self.digit(table, path) if "digit" in table else "0"
        say = {
            language: tuple(p for p, _ in phrases)
            for language, phrases in self.say(table, path).items()
        }
        for language in self.languages:
            if language not in say:
                if language in DEFAULT_OPERATOR_WORDS:
                    say[language] = DEFAULT_OPERATOR_WORDS[language]
                else:
                    self.problem(
                        path,
                        f"no built-in operator words for '{language}': "
                        f"add say.{language} to [menu.operator]",
                    )
        queue = self.text(table, path, "queue", default=DEFAULT_OPERATOR_QUEUE)
        priority = self.count(table, path, "priority", 0)
        prompts = self.prompts(table, path, "prompt")
        return OperatorRoute(digit, frozen_map(say), queue, priority, frozen_map(prompts))

    def read_routing(self, operator: OperatorRoute) -> Routing:
        path: KeyPath = ("routing",)
        table = self.table(self.data, (), "routing") or {}
        self.check_keys(table, path, _ROUTING_KEYS)
        fast_track = self.value(
            table, path, "fast_track", lambda v: isinstance(v, bool), "true or false", True
        )
        levels_allowed = (AngerLevel.TENSE.value, AngerLevel.ANGRY.value)
        levels = self.value(
            table, path, "anger_levels",
            lambda v: isinstance(v, list) and all(x in levels_allowed for x in v),
            f"a list of {', '.join(repr(x) for x in levels_allowed)}", list(levels_allowed),
        )  # fmt: skip
        return Routing(
            fast_track=fast_track,
            queue=self.text(table, path, "queue", default=operator.queue),
            priority=self.count(table, path, "priority", DEFAULT_ROUTING_PRIORITY),
            anger_levels=tuple(levels),
            no_matches_in_a_row=self.count(
                table, path, "no_matches_in_a_row", DEFAULT_NO_MATCHES_IN_A_ROW
            ),
            prompts=frozen_map(self.prompts(table, path, "prompt")),
        )

    def read_fallback(self, head: dict[str, Any], operator: OperatorRoute) -> Action:
        path: KeyPath = ("menu", "fallback")
        table = self.table(head, ("menu",), "fallback")
        default = Action(ActionKind.QUEUE, queue=operator.queue, priority=operator.priority)
        if table is None:
            return default
        self.check_keys(table, path, ACTION_KEYS)
        allowed = (ActionKind.MENU, ActionKind.QUEUE, ActionKind.TRANSFER, ActionKind.HANGUP)
        return self.action(table, path, allowed) or default
