"""Reading a menu's nodes: each ``[node.<id>]`` with its options, the action
an option (or a route of the menu's head) takes, and the check that every
node can be reached from the start.

:class:`NodeReader` is the lower half of the menu loader
(:func:`ivr.menu.loader.load_menu` reads the file's head on top of it); like
every field check it collects problems instead of stopping at the first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ivr.menu.fields import FieldReader
from ivr.menu.model import Action, ActionKind, Node, OperatorRoute, Option, Prompt, frozen_map
from ivr.tomllines import KeyPath

ID_PATTERN = re.compile(r"^[A-Za-z0-9_\-]+$")
_NODE_KEYS = (
    "title", "prompt", "prompt_wav", "no_match", "no_match_wav", "no_input", "no_input_wav",
    "timeout_s", "retries", "option",
)  # fmt: skip
ACTION_KEYS = ("action", "target", "queue", "priority", "prompt", "prompt_wav")
_OPTION_KEYS = ("digit", "say", *ACTION_KEYS)
# Which of target / queue / priority / prompt each action uses.
_ACTION_USES: dict[ActionKind, tuple[str, ...]] = {
    ActionKind.MENU: ("target",),
    ActionKind.QUEUE: ("queue", "priority", "prompt", "prompt_wav"),
    ActionKind.TRANSFER: ("target", "prompt", "prompt_wav"),
    ActionKind.REPEAT: (),
    ActionKind.BACK: (),
    ActionKind.HANGUP: ("prompt", "prompt_wav"),
}


class NodeReader(FieldReader):
    """Nodes, options and actions on top of the field checks."""

    def __init__(self, path: Path, data: dict[str, Any], lines: list[str]) -> None:
        super().__init__(path, data, lines)
        self._menu_refs: list[tuple[KeyPath, str]] = []  # (where, target node id)

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
            if not ID_PATTERN.match(node_id):
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
