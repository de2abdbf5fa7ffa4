"""The ``text`` subcommand: chat or e-mail messages, one per line, scored by
the anger core (text evidence only) with reasons and the advisor's suggestions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from assist.text.conversation import TextConversation, TextVerdict
from assist.text.messages import Message, MessageError, parse_line
from ivr import events as ev

LANGUAGES = ("ru", "en")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    text = sub.add_parser(
        "text",
        help="score chat or e-mail messages (one per line) for anger and complaints",
        description=(
            "Score messages, one per line: a plain line is one customer message on its own; "
            'a JSON line {"conversation": ID, "role": "customer"|"agent", "time": T, '
            '"text": ...} belongs to a conversation whose messages are read in order '
            "(time in seconds or ISO 8601). A message is flagged when the anger core, fed "
            "its words only, leaves calm. Bad lines are reported on stderr and skipped "
            "(exit code 1)."
        ),
    )
    text.add_argument("file", nargs="?", type=Path, help="the messages (default: stdin)")
    text.add_argument("--lang", choices=LANGUAGES, default="ru")
    text.add_argument("--json", action="store_true", help="one JSON object per message")
    text.set_defaults(run=cmd_text)


def cmd_text(args: argparse.Namespace) -> int:
    source = str(args.file) if args.file else "<stdin>"
    try:
        stream = args.file.open(encoding="utf-8") if args.file else sys.stdin
    except OSError as exc:
        print(f"ivr-assist text: cannot read {source}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        bad = run(stream, args.lang, args.json, source, sys.stdout, sys.stderr)
    except UnicodeDecodeError:
        print(f"ivr-assist text: {source} is not UTF-8 text", file=sys.stderr)
        return 2
    finally:
        if args.file:
            stream.close()
    return 1 if bad else 0


def run(
    lines: Iterable[str], language: str, as_json: bool, source: str, out: TextIO, err: TextIO
) -> int:
    """Score every line; returns how many lines were refused."""
    conversations: dict[str, TextConversation] = {}
    origins: dict[str, float] = {}
    bad = 0
    for number, line in enumerate(lines, start=1):
        try:
            message = parse_line(number, line)
        except MessageError as exc:
            bad += 1
            print(f"{source}:{number}: {exc}", file=err)
            continue
        if message is None:
            continue
        if message.conversation:
            conversation = conversations.get(message.conversation)
            if conversation is None:
                conversation = TextConversation(message.conversation, language)
                conversations[message.conversation] = conversation
        else:
            conversation = TextConversation(f"line-{number}", language)
        at_s = None
        if message.time_s is not None:
            origin = origins.setdefault(conversation.conversation_id, message.time_s)
            at_s = message.time_s - origin
        verdict, _ = conversation.add(message.role, message.text, at_s)
        out.write(_render(message, verdict, as_json) + "\n")
        out.flush()
    return bad


def _render(message: Message, verdict: TextVerdict, as_json: bool) -> str:
    customer = message.role is ev.ChannelRole.CUSTOMER
    if as_json:
        return json.dumps(
            {
                "line": message.line,
                "conversation": message.conversation,
                "role": message.role.value,
                "flagged": verdict.flagged,
                "level": verdict.level.value,
                "score": verdict.score,
                "reasons": [
                    {
                        "category": r.category,
                        "kind": r.kind,
                        "words": r.words,
                        "weight": r.weight,
                        "text": r.text,
                    }
                    for r in verdict.reasons
                ],
                "suggestions": [
                    {
                        "text": s.text,
                        "principle": s.principle,
                        "trigger": s.trigger,
                        "kind": s.kind.value,
                    }
                    for s in verdict.suggestions
                ],
            },
            ensure_ascii=False,
        )
    where = f"{message.conversation}:" if message.conversation else ""
    mark = ("FLAG " if verdict.flagged else "     ") if customer else "agent"
    head = f"{where}{message.line}\t{mark}\t{verdict.level.value:<5}\t{verdict.score:.2f}"
    reasons = "; ".join(r.text for r in verdict.reasons)
    lines = [f"{head}\t{reasons}" if reasons else head]
    lines += [f"\t-> {s.text} ({s.principle})" for s in verdict.suggestions]
    return "\n".join(lines)
