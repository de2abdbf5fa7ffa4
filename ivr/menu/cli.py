"""Command line for menu files.

``python -m ivr.menu check MENU.toml``: every problem as ``file:line: message``
(exit 1), or a one-line summary (exit 0).
``python -m ivr.menu draw MENU.toml [--lang ru|en] [--svg OUT.svg]``: the menu
as an indented tree, and optionally as an SVG picture.
``python -m ivr.menu phrases MENU.toml [--lang ru|en]``: the words the menu's
speech recogniser needs, one phrase per line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ivr.menu.diagram import menu_svg, menu_text
from ivr.menu.loader import MenuError, load_menu
from ivr.menu.model import Menu


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sub-commands, for this module's own parser or a bigger CLI's sub-parser."""
    sub = parser.add_subparsers(dest="menu_command", required=True, metavar="COMMAND")
    check = sub.add_parser("check", help="check a menu file and list every problem")
    check.add_argument("menu", type=Path, metavar="MENU.toml")
    draw = sub.add_parser("draw", help="print the menu as a tree; --svg writes a picture")
    draw.add_argument("menu", type=Path, metavar="MENU.toml")
    draw.add_argument("--lang", help="the language to show (default: the menu's first)")
    draw.add_argument("--svg", type=Path, metavar="OUT.svg", help="also write an SVG diagram")
    phrases = sub.add_parser("phrases", help="list the spoken phrases the recogniser needs")
    phrases.add_argument("menu", type=Path, metavar="MENU.toml")
    phrases.add_argument("--lang", help="the language (default: the menu's first)")


def _load(path: Path) -> Menu | None:
    try:
        return load_menu(path)
    except MenuError as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        count = len(exc.messages)
        print(f"{count} problem{'s' if count != 1 else ''} in {path}", file=sys.stderr)
        return None


def _language(menu: Menu, wanted: str | None) -> str | None:
    if wanted is None:
        return menu.languages[0]
    if wanted not in menu.languages:
        print(
            f"error: menu {menu.id!r} has no language {wanted!r} "
            f"(it has {', '.join(menu.languages)})",
            file=sys.stderr,
        )
        return None
    return wanted


def run(args: argparse.Namespace) -> int:
    """Carry out the parsed command; 0 ok, 1 the menu has problems, 2 bad usage."""
    menu = _load(args.menu)
    if menu is None:
        return 1
    if args.menu_command == "check":
        print(
            f"{args.menu}: ok — menu {menu.id!r}, {len(menu.nodes)} nodes, "
            f"languages {', '.join(menu.languages)}"
        )
        return 0
    language = _language(menu, args.lang)
    if language is None:
        return 2
    if args.menu_command == "phrases":
        print("\n".join(menu.phrases(language)))
        return 0
    print(menu_text(menu, language), end="")
    if args.svg is not None:
        try:
            args.svg.write_text(menu_svg(menu, language), encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot write {args.svg}: {exc.strerror}", file=sys.stderr)
            return 2
        print(f"wrote {args.svg}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ivr.menu", description="Check and draw IVR menu files."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
