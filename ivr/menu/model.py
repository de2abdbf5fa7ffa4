"""An IVR menu as immutable values: what :func:`ivr.menu.loader.load_menu` returns.

Everything said to the caller or by the caller exists once per language, as a
read-only mapping from the language code (``"ru"``, ``"en"``) to the value.
Spoken synonyms are stored normalised (see :mod:`ivr.menu.words`), so they
are exactly what the recogniser's vocabulary and the matcher use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

DTMF_DIGITS = "0123456789*#"

K = TypeVar("K")
V = TypeVar("V")


def frozen_map(items: Mapping[K, V] | None = None) -> Mapping[K, V]:
    """A read-only copy of ``items`` (an empty one for ``None``)."""
    return MappingProxyType(dict(items or {}))


class ActionKind(StrEnum):
    MENU = "menu"  # go to the sub-menu ``target``
    QUEUE = "queue"  # end the IVR: wait in ``queue`` with ``priority``
    TRANSFER = "transfer"  # end the IVR: blind transfer to ``target`` (number, extension, queue)
    REPEAT = "repeat"  # play this node's prompt again
    BACK = "back"  # return to the node the caller came from
    HANGUP = "hangup"  # say the goodbye prompt and hang up


@dataclass(frozen=True)
class Prompt:
    """Something to say to the caller: a text (for text-to-speech and the logs)
    and/or a designer's recording."""

    text: str
    language: str
    wav: Path | None = None


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    target: str = ""  # menu: a node id; transfer: a number, extension or queue name
    queue: str = ""  # queue only
    priority: int = 0  # queue only; larger goes first (as Asterisk's QUEUE_PRIO)
    # Said before a queue/transfer ("connecting you...") or as a hangup's goodbye.
    prompts: Mapping[str, Prompt] = field(default_factory=frozen_map)

    @property
    def ends_call(self) -> bool:
        """Whether taking this action ends the IVR part of the call."""
        return self.kind in (ActionKind.QUEUE, ActionKind.TRANSFER, ActionKind.HANGUP)

    def describe(self) -> str:
        """A short readable form: ``queue billing (priority 1)``, ``menu internet``."""
        match self.kind:
            case ActionKind.MENU:
                return f"menu {self.target}"
            case ActionKind.QUEUE:
                return f"queue {self.queue}" + (
                    f" (priority {self.priority})" if self.priority else ""
                )
            case ActionKind.TRANSFER:
                return f"transfer {self.target}"
            case _:
                return self.kind.value


@dataclass(frozen=True)
class Option:
    """One choice in a node: a keypad digit and/or spoken synonyms per language."""

    action: Action
    digit: str = ""
    say: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)

    def phrases(self, language: str) -> tuple[str, ...]:
        return self.say.get(language, ())

    def label(self, language: str) -> str:
        """``1 / 'internet'``: the digit and the first synonym, as far as they exist."""
        phrases = self.phrases(language)
        parts = [self.digit] if self.digit else []
        if phrases:
            parts.append(f"'{phrases[0]}'")
        return " / ".join(parts)


@dataclass(frozen=True)
class Node:
    id: str
    prompts: Mapping[str, Prompt]
    options: tuple[Option, ...]
    timeout_s: float
    retries: int
    no_match: Mapping[str, Prompt]  # the node's own or the menu-wide default
    no_input: Mapping[str, Prompt]
    titles: Mapping[str, str] = field(default_factory=frozen_map)

    def title(self, language: str) -> str:
        return self.titles.get(language, self.id)

    def phrases(self, language: str) -> list[str]:
        """Every spoken synonym of this node's options, in file order."""
        return list(dict.fromkeys(p for o in self.options for p in o.phrases(language)))


@dataclass(frozen=True)
class OperatorRoute:
    """The always-understood way to a person: a digit and words in every node."""

    digit: str
    say: Mapping[str, tuple[str, ...]]
    queue: str
    priority: int = 0
    prompts: Mapping[str, Prompt] = field(default_factory=frozen_map)

    def phrases(self, language: str) -> tuple[str, ...]:
        return self.say.get(language, ())


@dataclass(frozen=True)
class Routing:
    """When to skip the menu and put the caller at the front of a queue."""

    fast_track: bool
    queue: str
    priority: int
    anger_levels: tuple[str, ...]  # AngerLevel values that fast-track
    no_matches_in_a_row: int  # this many consecutive no-matches fast-track; 0 = never
    prompts: Mapping[str, Prompt] = field(default_factory=frozen_map)


@dataclass(frozen=True)
class Menu:
    id: str
    languages: tuple[str, ...]
    start: str
    nodes: Mapping[str, Node]  # in file order
    fallback: Action  # after too many failures at a node
    operator: OperatorRoute
    routing: Routing
    timeout_s: float
    retries: int
    min_conf: float = 0.0  # recognitions below this confidence count as no match
    titles: Mapping[str, str] = field(default_factory=frozen_map)
    transfer_prompts: Mapping[str, Prompt] = field(default_factory=frozen_map)
    goodbye_prompts: Mapping[str, Prompt] = field(default_factory=frozen_map)
    source: Path | None = None

    def title(self, language: str) -> str:
        return self.titles.get(language, self.id)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def phrases(self, language: str) -> list[str]:
        """Every spoken synonym of every node plus the operator words: the
        vocabulary a recogniser for this menu needs."""
        words = [p for node in self.nodes.values() for p in node.phrases(language)]
        words.extend(self.operator.phrases(language))
        return list(dict.fromkeys(words))

    def listen_phrases(self, node_id: str, language: str) -> tuple[str, ...]:
        """What the recogniser is limited to at ``node_id``: its synonyms and the operator words."""
        own = self.nodes[node_id].phrases(language)
        return tuple(dict.fromkeys([*own, *self.operator.phrases(language)]))
