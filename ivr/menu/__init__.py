"""IVR menus: the TOML format and its checking loader, diagrams, and the pure
session state machine that walks a caller through a menu.

The menu format is described in ``ivr/menu/README.md``; the shipped example is
:func:`example_menu_path` (a telecom support line in Russian and English).
"""

from ivr.menu.commands import Command, Hangup, Listen, Play, StopPlayback, Transfer
from ivr.menu.handoff import Handoff, Heard, Outcome, PathStep
from ivr.menu.loader import MenuError, Problem, example_menu_path, load_menu
from ivr.menu.model import (
    Action,
    ActionKind,
    Menu,
    Node,
    OperatorRoute,
    Option,
    Prompt,
    Routing,
)
from ivr.menu.session import IvrSession

__all__ = [
    "Action",
    "ActionKind",
    "Command",
    "Handoff",
    "Hangup",
    "Heard",
    "IvrSession",
    "Listen",
    "Menu",
    "MenuError",
    "Node",
    "OperatorRoute",
    "Option",
    "Outcome",
    "PathStep",
    "Play",
    "Problem",
    "Prompt",
    "Routing",
    "StopPlayback",
    "Transfer",
    "example_menu_path",
    "load_menu",
]
