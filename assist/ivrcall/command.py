"""``ivr-assist ivr MENU.toml``: the IVR on the telephony listeners, beside the hub.

One process runs the hub (pages, agent and supervisor screens, the store)
and the IVR listeners: Asterisk AudioSocket over TCP, and Twilio Media
Streams (``/twilio``) and FreeSWITCH mod_audio_fork (``/audio_fork``) over
websockets. Each call walks the menu; a transfer queues it for the next free
agent seat, highest priority first, and that seat's screen opens with the
IVR context.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assist.anger import lexicon_keywords
from assist.ivrcall.driver import IVR_BATCH_S, IvrCall
from assist.ivrcall.seats import SeatQueue
from assist.listen import check_listen, listen_errors
from assist.serve import RunningHub, ServeOptions, running_hub, stop_on_signals
from ivr import events as ev
from ivr.menu.commands import Transfer
from ivr.menu.loader import load_menu
from ivr.menu.model import Menu
from ivr.prompts import PromptRenderer
from ivr.telephony.audiosocket_server import serve_audiosocket
from ivr.telephony.line import Line
from ivr.telephony.media_ws_server import serve_media_websockets

if TYPE_CHECKING:
    from assist.cluster.ivrqueue import SiteSeatQueue

log = logging.getLogger("assist.ivr")

LANGUAGE_KEYS = ("lang", "language")  # in Twilio customParameters / audio_fork metadata


@dataclass(frozen=True)
class Listener:
    host: str
    port: int
    language: str | None = None  # AudioSocket carries no metadata: one port per language

    @classmethod
    def parse(cls, text: str) -> Listener:
        """``HOST:PORT`` or ``HOST:PORT:LANG``."""
        parts = text.rsplit(":", 2)
        try:
            host, port = parts[0], int(parts[1])
        except (IndexError, ValueError):
            raise ValueError(f"expected HOST:PORT[:LANG], got {text!r}") from None
        return cls(host, port, parts[2] if len(parts) > 2 else None)


@dataclass(frozen=True)
class IvrOptions:
    menu_path: Path
    hub: ServeOptions = field(default_factory=ServeOptions)
    language: str | None = None  # default: the menu's first language
    audiosocket: tuple[Listener, ...] = (Listener("127.0.0.1", 9092),)
    media_ws: Listener | None = Listener("127.0.0.1", 9093)
    seats: tuple[str, ...] = ()
    prompt_cache: Path | None = None


@dataclass
class IvrServers:
    """Where everything listens once started (ports resolved when 0 was asked)."""

    hub_port: int
    audiosocket_ports: list[int]
    media_ws_port: int | None


class IvrService:
    """The calls of one running IVR: which language, which seat, the handoff."""

    def __init__(self, menu: Menu, running: RunningHub, options: IvrOptions) -> None:
        self.menu = menu
        self.running = running
        self.default_language = options.language or menu.languages[0]
        self.prompts = PromptRenderer(options.prompt_cache)
        self.seats: SeatQueue | SiteSeatQueue = SeatQueue(options.seats)
        if running.cluster is not None:  # --broker: seats of every node take its callers
            from assist.cluster.ivrqueue import SiteSeatQueue

            self.seats = SiteSeatQueue(
                running.cluster.broker,
                options.seats,
                self._hand_over,
                node_alive=running.cluster.node_alive,
            )
        self.always_listen_for = {
            lang: sorted(set(lexicon_keywords(lang))) for lang in menu.languages
        }

    def handler(self, language: str | None = None) -> Callable[[Line], object]:
        async def handle(line: Line) -> None:
            await self.run_call(line, language)

        return handle

    def language_of(self, line: Line, listener_language: str | None) -> str:
        for key in LANGUAGE_KEYS:
            asked = line.info.metadata.get(key, "").lower()[:2]
            if asked in self.menu.languages:
                return asked
        return listener_language or self.default_language

    async def run_call(self, line: Line, listener_language: str | None = None) -> None:
        language = self.language_of(line, listener_language)
        if language not in self.running.engines:
            log.warning("call %s: no speech model for %s", line.info.call_id, language)
            await line.hangup(f"no speech model for {language}")
            return
        # Where the call stands, read from the store off the event loop (a new call: nowhere).
        await self.running.chain.open_call(line.info.call_id)
        call = IvrCall(
            line,
            self.menu,
            language,
            self.running.engines[language],
            self.prompts,
            self.running.publish,
            executor=self.running.executor,
            always_listen_for=self.always_listen_for.get(language, ()),
            on_transfer=self._queue_for_agent,
            runner=self.running.runner,
        )
        try:
            await call.run()
        finally:
            self._hand_over(self.seats.call_ended(line.info.call_id))

    def _queue_for_agent(self, call_id: str, transfer: Transfer) -> None:
        self._hand_over(self.seats.offer(call_id, transfer.priority))

    def _hand_over(self, assignments: list) -> None:
        """A seat takes a call: its screen follows the call and opens with the
        IVR context (the seat page follows calls whose agent is the seat; the
        hub sends it the call's history first)."""
        chain = self.running.chain
        for assignment in assignments:
            # A call being handed over is live, so its history is in memory.
            recent = [e for e, _ in chain.log.recent(assignment.call_id) or []]
            handoff = next(
                e
                for e in reversed(recent)
                if isinstance(e, ev.IvrAction) and e.action == "transfer"
            )
            language = chain.calls[assignment.call_id].language
            self.running.publish(
                ev.CallStarted(assignment.call_id, language, assignment.seat, source="ivr")
            )
            self.running.publish(
                dataclasses.replace(
                    handoff, action="handoff", detail={**handoff.detail, "seat": assignment.seat}
                )
            )


async def run_ivr(
    options: IvrOptions,
    stop: asyncio.Event | None = None,
    ready: Callable[[IvrServers], None] | None = None,
) -> IvrServers:
    menu = load_menu(options.menu_path)
    # The telephony ports are tried before the hub loads its models, as its own port is.
    for listener in options.audiosocket:
        check_listen(listener.host, listener.port, "--audiosocket")
    if options.media_ws is not None:
        check_listen(options.media_ws.host, options.media_ws.port, "--media-ws")
    stop = stop_on_signals(stop)
    hub_options = dataclasses.replace(options.hub, languages=tuple(menu.languages))
    async with running_hub(hub_options) as running:
        service = IvrService(menu, running, options)
        if not isinstance(service.seats, SeatQueue):
            await service.seats.start()
        servers = []
        ports = []
        for listener in options.audiosocket:
            with listen_errors(listener.host, listener.port, "--audiosocket"):
                server = await serve_audiosocket(
                    service.handler(listener.language),
                    listener.host,
                    listener.port,
                    audio_batch_s=IVR_BATCH_S,  # the driver's batches: one wake-up each
                )
            servers.append(server)
            ports.append(server.port)
        ws_port = None
        if options.media_ws is not None:
            with listen_errors(options.media_ws.host, options.media_ws.port, "--media-ws"):
                ws = await serve_media_websockets(
                    service.handler(options.media_ws.language),
                    options.media_ws.host,
                    options.media_ws.port,
                )
            servers.append(ws)
            ws_port = ws.port
        info = IvrServers(running.hub.port, ports, ws_port)
        print(
            f"IVR menu {menu.id!r} ({', '.join(menu.languages)}): AudioSocket on "
            + ", ".join(
                f"{lst.host}:{p}" for lst, p in zip(options.audiosocket, ports, strict=True)
            )
            + (
                f"; media websockets ws://{options.media_ws.host}:{ws_port}/twilio and /audio_fork"
                if ws_port
                else ""
            ),
            flush=True,
        )
        if ready is not None:
            ready(info)
        try:
            await stop.wait()
        finally:
            for server in servers:
                await server.close()
            if not isinstance(service.seats, SeatQueue):
                await service.seats.stop()
        return info
