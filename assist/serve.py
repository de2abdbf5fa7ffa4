"""``ivr-assist serve``: the hub with live ingest, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import signal
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assist.calls.runner import CallRunner
from assist.chain.chain import EventChain
from assist.chain.redaction import redaction_config, redactors
from assist.chain.sink import CallbackSink
from assist.console import ConsoleLog
from assist.engines import load_engine
from assist.hub.access import Access, load_access
from assist.hub.server import Hub, HubLimits
from assist.listen import check_listen, listen_errors
from assist.pipeline import CallPipeline
from assist.postcall import PostCallQueue
from assist.recording import RecordingPipeline
from assist.serve_malloc import no_fast_bins
from assist.serve_telephony import Telephony, audiosocket_listeners, end_orphans, tls_for
from assist.store import default_store_path, open_store
from ivr import events as ev
from ivr.asr.vosk_engine import VoskEngine

if TYPE_CHECKING:
    from assist.cluster.node import ClusterNode


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    access_file: Path | None = None
    languages: tuple[str, ...] = ("ru", "en")
    model: Path | None = None
    allow_download: bool = False
    log_events: bool = True
    store_path: Path | None = None  # None: the default store file
    use_store: bool = True
    tls_cert: Path | None = None  # with tls_key: https and wss on the one port
    tls_key: Path | None = None
    telephony: bool = False  # /twilio and /audio_fork on the hub's port, for live assist
    audiosocket: tuple[str, ...] = ()  # HOST:PORT[:LANG[:ROLE]] listeners for live assist
    idle_timeout_s: float = 20.0  # an ingress peer that sends nothing this long ends its leg
    retain_ended_s: float = 300.0  # an ended call leaves memory this long after its end
    recent_window_s: float = 900.0  # ended calls a new supervisor is shown (if still in memory)
    record_dir: Path | None = None  # keep each live call's audio here (DIR/CALL_ID.wav)
    post_call: str | None = None  # "whisper": transcribe each recorded call again after it ends
    redact: bool = True  # False: --no-redact (said in the log at start)
    redact_file: Path | None = None  # None: assist/data/redact.toml
    broker: str | None = None  # nats://HOST:PORT: one node of a site (assist.cluster)

    @classmethod
    def from_args(cls, args: argparse.Namespace, languages: tuple[str, ...]) -> ServeOptions:
        """From the hub options ``serve`` and ``ivr`` share on the command line."""
        return cls(
            host=args.host,
            port=args.port,
            access_file=args.access,
            languages=languages,
            model=args.model,
            allow_download=args.download,
            log_events=not args.quiet,
            store_path=args.store,
            use_store=not args.no_store,
            tls_cert=getattr(args, "tls_cert", None),
            tls_key=getattr(args, "tls_key", None),
            telephony=getattr(args, "telephony", False),
            audiosocket=tuple(getattr(args, "audiosocket", None) or ()),
            idle_timeout_s=getattr(args, "idle_timeout", 20.0),
            retain_ended_s=getattr(args, "retain_ended", 300.0),
            recent_window_s=getattr(args, "recent_window", 900.0),
            record_dir=getattr(args, "record", None),
            post_call=getattr(args, "post_call", None),
            redact=not getattr(args, "no_redact", False),
            redact_file=getattr(args, "redact_config", None),
            broker=getattr(args, "broker", None),
        )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def access_for(options: ServeOptions) -> Access:
    if options.access_file is not None:
        return load_access(options.access_file)
    if not is_loopback(options.host):
        raise SystemExit(
            f"ivr-assist: refusing to serve {options.host} without --access FILE (tokens); "
            "without one the hub is open and may only listen on 127.0.0.1"
        )
    return Access.open_access()


@dataclass
class RunningHub:
    """What a running hub offers to the drivers that feed it calls."""

    hub: Hub
    chain: EventChain
    engines: dict[str, VoskEngine]
    executor: ThreadPoolExecutor
    runner: CallRunner
    telephony: Telephony | None = None
    cluster: ClusterNode | None = None  # with --broker: this node's place in the site

    def publish(self, event: ev.Event) -> ev.Event | None:
        return self.chain.publish(event)


@contextlib.asynccontextmanager
async def running_hub(options: ServeOptions) -> AsyncIterator[RunningHub]:
    """Start the hub (pages, screens, ingest) with its engines and store; stop it on exit."""
    no_fast_bins()  # a live node's recognition threads spend less in malloc (serve_malloc)
    access = access_for(options)
    check_listen(options.host, options.port)  # before the slow part: loading the models
    tls = tls_for(options)
    listeners = audiosocket_listeners(options, access)
    engines: dict[str, VoskEngine] = {}
    for lang in options.languages:
        if options.model is not None and engines:
            engines[lang] = next(iter(engines.values()))  # one --model serves every language
        else:
            engines[lang] = load_engine(lang, options.model, allow_download=options.allow_download)
    for lang in engines:
        # Each language's lexicon, anger settings and phrase book load on first
        # use: here, not in the first call's answers.
        CallPipeline.create("start-up", lang)
    redaction = redaction_config(options.redact_file, enabled=options.redact)
    store = open_store(options.store_path) if options.use_store else None
    chain = EventChain(
        store, redactor_for=redactors(redaction), retain_ended_s=options.retain_ended_s
    )
    # Past calls show on the dashboard (their events stay in the store); read off the loop.
    restored = await asyncio.to_thread(chain.restore_calls) if store is not None else []
    if options.log_events:
        chain.add_sink(CallbackSink("console", ConsoleLog()))

    post_calls = post_call_queue(options)
    with ThreadPoolExecutor(max_workers=2) as executor:
        registry = CallRunner(
            lambda lang: engines[lang], chain.publish, executor, open_call=chain.open_call
        )
        registry.wrap_pipeline = recorder_for(options, post_calls)
        limits = HubLimits(
            idle_timeout_s=options.idle_timeout_s, recent_window_s=options.recent_window_s
        )
        hub = Hub(chain, access=access, registry=registry, limits=limits)
        telephony = Telephony(registry, access, options, listeners)
        with listen_errors(options.host, options.port):
            await hub.start(options.host, options.port, tls=tls)
        web, ws = ("https", "wss") if tls is not None else ("http", "ws")
        print(
            f"ivr-assist hub on {web}://{options.host}:{hub.port}: pages /agent and /supervisor, "
            f"ingest {ws}://{options.host}:{hub.port}/ws/ingest",
            flush=True,
        )
        await telephony.start(hub, ws)
        cluster = None
        if options.broker:
            from assist.cluster.options import join_site

            cluster = await join_site(
                options.broker, options.access_file, chain, port=hub.port, screens=hub.screens,
                runner=registry, recent_window_s=options.recent_window_s,
                status=hub.status_extra,
            )  # fmt: skip
        ender = asyncio.create_task(end_orphans(chain, registry, restored, options.idle_timeout_s))
        print(
            "access: "
            + ("open (loopback only)" if access.open else f"{len(access.tokens)} tokens"),
            flush=True,
        )
        try:
            yield RunningHub(hub, chain, engines, executor, registry, telephony, cluster)
        finally:
            print("shutting down: closing connections", flush=True)
            ender.cancel()
            await telephony.stop()
            await hub.stop()
            for call_id in registry.live_call_ids:
                await registry.detach(call_id, None, "server shutdown")
            if cluster is not None:
                await cluster.stop()  # the broker gets what this node still holds
            await asyncio.to_thread(chain.close)  # the store's writer commits what is left
            if post_calls is not None:
                post_calls.close(wait=False)  # queued calls keep their recordings for later


def post_call_queue(options: ServeOptions) -> PostCallQueue | None:
    """The post-call worker for ``--post-call whisper`` (it needs ``--record DIR``)."""
    if options.post_call is None:
        return None
    if options.record_dir is None:
        raise ValueError("--post-call needs --record DIR (the calls' audio to transcribe)")
    store_path = (options.store_path or default_store_path()) if options.use_store else None
    return PostCallQueue(store_path)


def recorder_for(
    options: ServeOptions, post_calls: PostCallQueue | None
) -> Callable[[CallPipeline], CallPipeline] | None:
    """Wraps each live call's pipeline to keep its audio (``--record DIR``),
    queueing the post-call pass when the recording is written."""
    if options.record_dir is None:
        return None
    folder = options.record_dir

    def saved(call_id: str, path: Path) -> None:
        print(f"recorded {call_id}: {path}", flush=True)
        if post_calls is not None:
            post_calls.submit(call_id, path).add_done_callback(
                lambda done: print(
                    done.result()
                    if done.exception() is None
                    else f"post-call {call_id}: FAILED: {done.exception()}",
                    flush=True,
                )
            )

    redaction = redaction_config(options.redact_file, enabled=options.redact, quiet=True)
    return lambda pipeline: RecordingPipeline(  # type: ignore[return-value]
        pipeline, folder, saved, redaction=redaction
    )


def stop_on_signals(stop: asyncio.Event | None = None) -> asyncio.Event:
    """An event set by ``stop``'s owner, Ctrl-C or SIGTERM. Call it before
    announcing that the server is up, so an early SIGTERM stops it cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def serve_forever(options: ServeOptions, stop: asyncio.Event | None = None) -> None:
    stop = stop_on_signals(stop)
    async with running_hub(options):
        await stop.wait()
