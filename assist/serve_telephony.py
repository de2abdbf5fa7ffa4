"""What ``serve`` adds beside the hub: TLS, live assist from telephony
(AudioSocket listeners; Twilio and audio_fork routes on the hub's own port)
and the ending of calls a crash left open."""

from __future__ import annotations

import asyncio
import ssl
from typing import TYPE_CHECKING

from assist.calls.runner import CallRunner
from assist.chain.chain import EventChain
from assist.hub.access import Access
from assist.hub.server import Hub
from assist.hub.telephony import AudioSocketListener, TelephonyAssist
from assist.hub.tls import TlsError, server_context
from assist.listen import check_listen, listen_errors
from ivr import events as ev
from ivr.telephony.audiosocket_server import AudioSocketServer, serve_audiosocket
from ivr.telephony.media_ws_server import MediaWebsocketServer

if TYPE_CHECKING:
    from assist.serve import ServeOptions

ORPHAN_REASON = "no audio since the restart"


def tls_for(options: ServeOptions) -> ssl.SSLContext | None:
    if options.tls_cert is None:
        if options.tls_key is not None:
            raise SystemExit("ivr-assist: --tls-key needs --tls-cert")
        return None
    try:
        return server_context(options.tls_cert, options.tls_key)
    except TlsError as exc:
        raise SystemExit(f"ivr-assist: {exc}") from None


def audiosocket_listeners(options: ServeOptions, access: Access) -> list[AudioSocketListener]:
    """The AudioSocket listeners asked for; AudioSocket carries no
    credentials, so off loopback only with access rules (``--access``)."""
    from assist.serve import is_loopback

    listeners = []
    for spec in options.audiosocket:
        try:
            listener = AudioSocketListener.parse(spec)
        except ValueError as exc:
            raise SystemExit(f"ivr-assist: {exc}") from None
        if listener.language is not None and listener.language not in options.languages:
            raise SystemExit(
                f"ivr-assist: AudioSocket {spec}: language {listener.language!r} is not served "
                f"(--lang {' '.join(options.languages)})"
            )
        if access.open and not is_loopback(listener.host):
            raise SystemExit(
                f"ivr-assist: refusing AudioSocket on {listener.host} without --access FILE; "
                "AudioSocket carries no credentials: bind it to the interface the PBX reaches"
            )
        check_listen(listener.host, listener.port, "--audiosocket")
        listeners.append(listener)
    return listeners


class Telephony:
    """The telephony ingress of one ``serve``: started after the hub, stopped before it."""

    def __init__(
        self,
        registry: CallRunner,
        access: Access,
        options: ServeOptions,
        listeners: list[AudioSocketListener],
    ) -> None:
        self.options = options
        self.listeners = listeners
        self.assist = TelephonyAssist(registry, access, options.languages)
        self.media: MediaWebsocketServer | None = None
        self.servers: list[AudioSocketServer] = []

    async def start(self, hub: Hub, ws_scheme: str) -> None:
        idle_s = self.options.idle_timeout_s
        if self.options.telephony:
            media = self.media = MediaWebsocketServer(self.assist.handler(), idle_timeout_s=idle_s)
            for path in ("/twilio", "/audio_fork"):
                hub.route(
                    path,
                    lambda connection, query: media.handle(connection),
                    check=media.check_path,
                    subprotocol=media.select_subprotocol,
                    compress=False,
                )
            where = f"{ws_scheme}://{self.options.host}:{hub.port}"
            print(f"telephony: Twilio {where}/twilio, FreeSWITCH {where}/audio_fork", flush=True)
        for listener in self.listeners:
            with listen_errors(listener.host, listener.port, "--audiosocket"):
                server = await serve_audiosocket(
                    self.assist.handler(listener.language, listener.role),
                    listener.host,
                    listener.port,
                    idle_timeout_s=idle_s,
                )
            self.servers.append(server)
            print(
                f"telephony: AudioSocket on {listener.host}:{server.port} "
                f"({listener.language or self.options.languages[0]}, {listener.role.value} leg)",
                flush=True,
            )

    @property
    def audiosocket_ports(self) -> list[int]:
        return [server.port for server in self.servers]

    async def stop(self) -> None:
        for server in self.servers:
            await server.close()
        if self.media is not None:
            await self.media.close()


async def end_orphans(
    chain: EventChain,
    registry: CallRunner,
    call_ids: list[str],
    after_s: float,
) -> None:
    """Calls a crash cut off (stored, never ended) that no ingress takes up
    again within ``after_s`` are ended, saying why, so they leave the list."""
    await asyncio.sleep(after_s)
    for call_id in call_ids:
        summary = chain.calls.get(call_id)
        if summary is not None and summary.live and not registry.running(call_id):
            chain.publish(ev.CallEnded(call_id, summary.last_audio_s, ORPHAN_REASON))
