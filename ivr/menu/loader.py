"""Reading and checking an IVR menu file.

:func:`load_menu` reads the TOML described in ``ivr/menu/README.md`` (the
shipped ``data/telecom_support.toml`` is a worked example) and checks all of
it before anything runs: a designer gets every problem at once, each as
``file:line: message``, in a :class:`MenuError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ivr.datafile import DataFileError, load_toml
from ivr.events import AngerLevel
from ivr.menu.fields import FieldReader, MenuError, Problem, is_number
from ivr.menu.model import (
    Action,
    ActionKind,
    Menu,
    Node,
    OperatorRoute,
    Option,
    Prompt,
    Routing,
    frozen_map,
)
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

_ID = re.compile(r"^[A-Za-z0-9_\-]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TOP_KEYS = ("menu", "prompts", "routing", "node")
_MENU_KEYS = (
    "id", "title", "languages", "start", "timeout_s", "retries", "min_conf", "fallback",
    "operator",
)  # fmt: skip
_NODE_KEYS = (
    "title", "prompt", "prompt_wav", "no_match", "no_match_wav", "no_input", "no_input_wav",
    "timeout_s", "retries", "option",
)  # fmt: skip
_ACTION_KEYS = ("action", "target", "queue", "priority", "prompt", "prompt_wav")
_OPTION_KEYS = ("digit", "say", *_ACTION_KEYS)
_OPERATOR_KEYS = ("digit", "say", "queue", "priority", "prompt", "prompt_wav")
_ROUTING_KEYS = (
    "fast_track", "queue", "priority", "anger_levels", "no_matches_in_a_row", "prompt",
    "prompt_wav",
)  # fmt: skip
_PROMPTS_KEYS = (
    "no_match", "no_match_wav", "no_input", "no_input_wav", "transfer", "transfer_wav",
    "goodbye", "goodbye_wav",
)  # fmt: skip
# Which of target / queue / priority / prompt each action uses.
_ACTION_USES: dict[ActionKind, tuple[str, ...]] = {
    ActionKind.MENU: ("target",),
    ActionKind.QUEUE: ("queue", "priority", "prompt", "prompt_wav"),
    ActionKind.TRANSFER: ("target", "prompt", "prompt_wav"),
    ActionKind.REPEAT: (),
    ActionKind.BACK: (),
    ActionKind.HANGUP: ("prompt", "prompt_wav"),
}


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


class _Reader(FieldReader):
    """The menu's structure on top of the field checks."""

    def __init__(self, path: Path, data: dict[str, Any], lines: list[str]) -> None:
        super().__init__(path, data, lines)
        self._menu_refs: list[tuple[KeyPath, str]] = []  # (where, target node id)

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
        if menu_id and not _ID.match(menu_id):
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
        self.check_keys(table, path, _ACTION_KEYS)
        allowed = (ActionKind.MENU, ActionKind.QUEUE, ActionKind.TRANSFER, ActionKind.HANGUP)
        return self.action(table, path, allowed) or default

    def action(
        self, table: dict[str, Any], path: KeyPath, allowed: Sequence[ActionKind]
    ) -> Action | None:
        names = ", ".join(kind.value for kind in allowed)
        name = self.text(table, path, "action", required=True)
        if name is None:
            return None
        if name not in [kind.value for kind in allowed]:
            known = name in ActionKind.__members__.values()
            why = "cannot be used here" if known else "is not an action"
            self.problem((*path, "action"), f"'{name}' {why}; use one of: {names}")
            return None
        kind = ActionKind(name)
        uses = _ACTION_USES[kind]
        for key in ("target", "queue", "priority", "prompt", "prompt_wav"):
            if key in table and key not in uses:
                self.problem((*path, key), f"{key} is not used by action '{name}'")
        target = queue = ""
        if kind is ActionKind.MENU:
            target = self.text(table, path, "target", default="", required=True)
            if target:
                self._menu_refs.append(((*path, "target"), target))
        elif kind is ActionKind.TRANSFER:
            target = self.text(table, path, "target", default="", required=True)
        elif kind is ActionKind.QUEUE:
            queue = self.text(table, path, "queue", default="", required=True)
        priority = self.count(table, path, "priority", 0) if "priority" in uses else 0
        prompts = self.prompts(table, path, "prompt") if "prompt" in uses else {}
        return Action(kind, target, queue, priority, frozen_map(prompts))

    def read_nodes(
        self,
        timeout_s: float,
        retries: int,
        default_prompts: dict[str, dict[str, Prompt]],
        operator: OperatorRoute,
    ) -> dict[str, Node]:
        tables = self.table(self.data, (), "node")
        if not tables:
            if tables is not None or "node" not in self.data:
                self.problem((), "the menu has no nodes: add [node.<id>] tables", 1)
            return {}
        nodes: dict[str, Node] = {}
        missing: dict[str, list[str]] = {"no_match": [], "no_input": []}
        for node_id, table in tables.items():
            path: KeyPath = ("node", node_id)
            if not _ID.match(node_id):
                self.problem(path, f"node id {node_id!r} may hold only letters, digits, _, -")
            if not isinstance(table, dict):
                self.problem(path, f"node.{node_id} must be a table [node.{node_id}]")
                continue
            self.check_keys(table, path, _NODE_KEYS)
            prompts = self.prompts(table, path, "prompt")
            self.require_languages(table, path, "prompt")
            own = {kind: self.prompts(table, path, kind) for kind in missing}
            resolved = {kind: {**default_prompts[kind], **own[kind]} for kind in missing}
            for kind, got in resolved.items():
                if any(language not in got for language in self.languages):
                    missing[kind].append(node_id)
            nodes[node_id] = Node(
                id=node_id,
                prompts=frozen_map(prompts),
                options=self.read_options(table, path, operator),
                timeout_s=self.timeout(table, path, timeout_s),
                retries=self.count(table, path, "retries", retries),
                no_match=frozen_map(resolved["no_match"]),
                no_input=frozen_map(resolved["no_input"]),
                titles=frozen_map(self.texts(table, path, "title")),
            )
        for kind, node_ids in missing.items():
            if not node_ids:
                continue
            languages = [
                language
                for language in self.languages
                if any(language not in getattr(nodes[n], kind) for n in node_ids)
            ]
            self.problem(
                ("prompts", kind) if "prompts" in self.data else ("menu",),
                f"no {kind} prompt for {', '.join(languages)}: add "
                f"{', '.join(f'{kind}.{lang}' for lang in languages)} to [prompts] "
                f"(needed by node(s) {', '.join(node_ids)})",
            )
        return nodes

    def read_options(
        self, table: dict[str, Any], path: KeyPath, operator: OperatorRoute
    ) -> tuple[Option, ...]:
        raw = table.get("option")
        node_id = path[-1]
        if raw is None:
            self.problem(path, f"node '{node_id}' has no options: add [[node.{node_id}.option]]")
            return ()
        if not isinstance(raw, list) or not all(isinstance(o, dict) for o in raw):
            self.problem(
                (*path, "option"),
                f"options must be [[node.{node_id}.option]] tables (note the [[ ]])",
            )
            return ()
        options: list[Option] = []
        digits: dict[str, int] = {}  # digit -> option number (1-based)
        phrases: dict[tuple[str, str], int] = {}
        operator_words = {(lang, w) for lang in operator.say for w in operator.say[lang]}
        allowed = tuple(ActionKind)
        for index, item in enumerate(raw):
            where: KeyPath = (*path, "option", index)
            self.check_keys(item, where, _OPTION_KEYS)
            digit = self.digit(item, where)
            if digit and digit == operator.digit:
                self.problem(
                    (*where, "digit"),
                    f"digit '{digit}' is kept for the operator in every node "
                    "(change [menu.operator] digit to use it here)",
                )
            elif digit in digits:
                self.problem(
                    (*where, "digit"),
                    f"digit '{digit}' is used twice in node '{node_id}' "
                    f"(options {digits[digit]} and {index + 1})",
                )
            elif digit:
                digits[digit] = index + 1
            say = self.say(item, where)
            for language, pairs in say.items():
                for phrase, written in pairs:
                    line = self.where.text_line((*where, "say", language), written)
                    key = (language, phrase)
                    if key in operator_words:
                        self.problem(
                            where,
                            f"say.{language}: '{phrase}' already means the operator in every node",
                            line,
                        )
                    elif key in phrases:
                        options_text = (
                            f"option {index + 1}"
                            if phrases[key] == index + 1
                            else f"options {phrases[key]} and {index + 1}"
                        )
                        self.problem(
                            where,
                            f"say.{language}: '{phrase}' is said twice in node '{node_id}' "
                            f"({options_text})",
                            line,
                        )
                    else:
                        phrases[key] = index + 1
            if "digit" not in item:
                for language in self.languages:
                    if not say.get(language):
                        self.problem(
                            where,
                            f"option {index + 1} of node '{node_id}' has neither a digit "
                            f"nor say.{language}: callers in '{language}' cannot choose it",
                        )
            action = self.action(item, where, allowed)
            if action is not None:
                options.append(
                    Option(
                        action,
                        digit,
                        frozen_map(
                            {lang: tuple(p for p, _ in pairs) for lang, pairs in say.items()}
                        ),
                    )
                )
        return tuple(options)

    def check_graph(self, start: str, nodes: dict[str, Node], fallback: Action) -> None:
        declared = self.data.get("node")
        if not isinstance(declared, dict) or not declared:
            return
        for where, target in self._menu_refs:
            if target not in declared:
                self.problem(where, f"target '{target}' is not a node")
        if start and start not in declared:
            self.problem(("menu", "start"), f"start node '{start}' is not a node")
            return
        if not start:
            return
        seen = {start}
        todo = [start]
        if fallback.kind is ActionKind.MENU and fallback.target in nodes:
            seen.add(fallback.target)
            todo.append(fallback.target)
        while todo:
            node = nodes.get(todo.pop())
            for option in node.options if node else ():
                target = option.action.target
                if option.action.kind is ActionKind.MENU and target in nodes and target not in seen:
                    seen.add(target)
                    todo.append(target)
        for node_id in nodes:
            if node_id not in seen:
                self.problem(
                    ("node", node_id),
                    f"node '{node_id}' cannot be reached from the start node '{start}'",
                )
