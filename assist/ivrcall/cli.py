"""The ``ivr`` and ``ivr-menu`` subcommands."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterable
from pathlib import Path

from assist.chain.redaction import add_redact_options
from assist.cluster.options import add_broker_option
from ivr import events as ev
from ivr.asr.models import LANGUAGES

DEFAULT_MENU = "the example telecom support menu shipped with the project"
RATE_HZ = 8000  # the local line runs at the telephone rate, like a real one


def _menu_path(text: str | None) -> Path:
    if text:
        return Path(text)
    from ivr.menu import example_menu_path

    return example_menu_path()


def cmd_ivr(args: argparse.Namespace) -> int:
    if args.local is not None or args.mic:
        return asyncio.run(_run_local(args))
    from assist.ivrcall.command import IvrOptions, Listener, run_ivr
    from assist.serve import ServeOptions

    options = IvrOptions(
        menu_path=_menu_path(args.menu),
        hub=ServeOptions.from_args(args, ()),  # languages: the menu's
        language=args.lang,
        audiosocket=tuple(Listener.parse(a) for a in args.audiosocket),
        media_ws=None if args.no_media_ws else Listener.parse(args.media_ws),
        seats=tuple(args.seats),
        prompt_cache=args.prompt_cache,
    )
    try:
        asyncio.run(run_ivr(options))
    except KeyboardInterrupt:
        print("stopped.")
    return 0


async def _run_local(args: argparse.Namespace) -> int:
    from assist.chain.chain import EventChain
    from assist.chain.redaction import config_from_args, redactors
    from assist.chain.sink import CallbackSink
    from assist.console import ConsoleLog
    from assist.engines import load_engine
    from assist.ivrcall.driver import IvrCall
    from assist.ivrcall.local import LocalLine
    from ivr.menu.loader import load_menu
    from ivr.prompts import PromptRenderer
    from ivr.sources import WavSource

    menu = load_menu(_menu_path(args.menu))
    language = args.lang or menu.languages[0]
    engine = load_engine(language, args.model, allow_download=args.download)
    if args.mic:
        from ivr.sources import MicSource
        from ivr.sources.speaker import Speaker

        microphone = MicSource(call_id="local", rate_hz=RATE_HZ)
        microphone.open()  # no input device: a clear error now, not a silent call
        speaker = Speaker(RATE_HZ)
        line = LocalLine("local", RATE_HZ, speaker=speaker)
        caller: AsyncIterable[ev.AudioChunk] = microphone
        print("speak to the menu (Ctrl-C to stop)", flush=True)
    else:
        line = LocalLine("local", RATE_HZ, speed=args.speed)
        caller = WavSource(args.local, call_id="local", target_rate_hz=RATE_HZ).paced(args.speed)
    chain = EventChain(
        redactor_for=redactors(config_from_args(args)),
        sinks=[CallbackSink("console", ConsoleLog())],
    )
    prompts = PromptRenderer(args.prompt_cache)
    call = IvrCall(line, menu, language, engine, prompts, chain.publish)
    feeding = asyncio.create_task(line.feed(caller, tail_s=args.wait))
    try:
        outcome = await call.run()
    finally:
        feeding.cancel()
        if args.mic:
            microphone.close()
            speaker.close()
    if args.record:
        line.write_recording(args.record)
        print(f"recording (caller left, IVR right): {args.record}")
    if outcome.transfer is not None:
        t = outcome.transfer
        print(f"outcome: transfer to {t.queue} (priority {t.priority}); {t.reason}")
    else:
        print(f"outcome: {outcome.end_reason}")
    return 0


def cmd_ivr_menu(args: argparse.Namespace) -> int:
    from ivr.menu.cli import main

    argv = [args.action, str(_menu_path(args.menu))]
    if args.action == "draw":
        argv += ["--lang", args.lang] if args.lang else []
        argv += ["--svg", str(args.svg)] if args.svg else []
    return main(argv)


def add_parsers(sub: argparse._SubParsersAction, add_model_options) -> None:  # type: ignore[type-arg]
    ivr = sub.add_parser(
        "ivr",
        help="run an IVR menu on Asterisk AudioSocket / Twilio / FreeSWITCH listeners, "
        "or locally on a WAV file",
    )
    ivr.add_argument("menu", nargs="?", help=f"menu TOML file (default: {DEFAULT_MENU})")
    ivr.add_argument("--lang", choices=LANGUAGES, help="default language (the menu's first)")
    ivr.add_argument(
        "--audiosocket",
        nargs="+",
        default=["127.0.0.1:9092"],
        metavar="HOST:PORT[:LANG]",
        help="Asterisk AudioSocket listeners (one per language if callers need different ones)",
    )
    ivr.add_argument(
        "--media-ws",
        default="127.0.0.1:9093",
        metavar="HOST:PORT",
        help="websocket listener for Twilio (/twilio) and FreeSWITCH audio_fork (/audio_fork)",
    )
    ivr.add_argument("--no-media-ws", action="store_true")
    ivr.add_argument("--seats", nargs="*", default=[], help="agent seats that take transfers")
    ivr.add_argument("--host", default="127.0.0.1", help="the hub's address")
    ivr.add_argument("--port", type=int, default=8765, help="the hub's port")
    ivr.add_argument("--access", type=Path, help="TOML file of tokens (required off loopback)")
    ivr.add_argument("--store", type=Path, help="call store file")
    ivr.add_argument("--no-store", action="store_true")
    ivr.add_argument("--quiet", action="store_true", help="no live event log")
    add_redact_options(ivr)
    add_broker_option(ivr)
    ivr.add_argument(
        "--prompt-cache", type=Path, help="rendered prompts (default ~/.cache/ivr-assist/prompts)"
    )
    local = ivr.add_argument_group("local mode (no telephony)")
    local.add_argument("--local", type=Path, metavar="CALLER.wav", help="the caller's audio")
    local.add_argument(
        "--mic", action="store_true", help="the caller is you: microphone in, speaker out"
    )
    local.add_argument("--record", type=Path, metavar="OUT.wav", help="caller + IVR, stereo")
    local.add_argument("--speed", type=float, default=1.0)
    local.add_argument(
        "--wait", type=float, default=15.0, help="seconds the caller waits after speaking"
    )
    add_model_options(ivr)
    ivr.set_defaults(run=cmd_ivr)

    menu = sub.add_parser("ivr-menu", help="check a menu file or draw it as text / SVG")
    menu.add_argument("action", choices=("check", "draw"))
    menu.add_argument("menu", nargs="?", help=f"menu TOML file (default: {DEFAULT_MENU})")
    menu.add_argument("--lang", choices=LANGUAGES)
    menu.add_argument("--svg", type=Path, help="write an SVG diagram here")
    menu.set_defaults(run=cmd_ivr_menu)
