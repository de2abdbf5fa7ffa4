"""The demo: bundled fixture calls streamed through the live pipeline at
real-time pace, with the agent and supervisor pages served on localhost and
a readable log in the terminal."""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from assist.console import ConsoleLog
from assist.engines import load_engine
from assist.hub.bus import EventBus
from assist.hub.server import Hub
from assist.listen import check_listen, listen_errors
from assist.live import run_live_call
from assist.pipeline import CallPipeline
from assist.serve import ServeOptions, access_for
from ivr import events as ev
from ivr.sources import WavSource

DEMO_CALLS = ("ru_escalating", "en_escalating", "ru_calm", "en_calm")


@dataclass(frozen=True)
class DemoOptions:
    calls: tuple[str, ...] = DEMO_CALLS
    host: str = "127.0.0.1"
    port: int = 8765
    speed: float = 1.0
    stereo: bool = True
    exit_when_done: bool = False
    model: Path | None = None
    allow_download: bool = False
    access_file: Path | None = None  # tokens; required to listen off loopback


def fixture_file(fixture_dir: Path, call_id: str, stereo: bool) -> Path:
    return fixture_dir / (f"{call_id}.8k.stereo.wav" if stereo else f"{call_id}.16k.wav")


def check_demo_options(options: DemoOptions) -> None:
    """Bad options are one line (SystemExit), before anything is loaded."""
    from audio_fixtures import call_ids

    known = call_ids()
    unknown = [c for c in options.calls if c not in known]
    if unknown:
        raise SystemExit(
            f"ivr-assist: no fixture call {unknown[0]!r}; the calls are {', '.join(known)}"
        )
    if not options.speed > 0:
        raise SystemExit(f"ivr-assist: --speed must be above 0 (1 is real time): {options.speed}")


async def run_demo(options: DemoOptions, log: ConsoleLog | None = None) -> EventBus:
    from audio_fixtures import ensure_fixtures

    # Refused like serve: an open hub listens on loopback only. Then the port,
    # before the slow part (the speech models).
    access = access_for(ServeOptions(host=options.host, access_file=options.access_file))
    check_demo_options(options)
    check_listen(options.host, options.port)
    log = log or ConsoleLog(reorder_s=2.0)
    fixture_dir = ensure_fixtures()
    languages = sorted({call.split("_", 1)[0] for call in options.calls})
    engines = {
        lang: load_engine(lang, options.model, allow_download=options.allow_download)
        for lang in languages
    }
    bus = EventBus()
    hub = Hub(bus, access=access)
    with listen_errors(options.host, options.port):
        await hub.start(options.host, options.port)
    base = f"http://{options.host}:{hub.port}"
    print(f"Supervisor dashboard: {base}/supervisor", flush=True)
    for call in options.calls:
        print(f"Agent screen for {call}: {base}/agent?call={call}", flush=True)
    for lang, engine in engines.items():
        print(f"Speech model ({lang}): {engine.model_dir}", flush=True)

    pipelines = {
        call: CallPipeline.create(
            call, call.split("_", 1)[0], agent_id=f"agent-{n + 1}", source="demo"
        )
        for n, call in enumerate(options.calls)
    }
    hub.feedback_listeners.append(lambda fb: pipelines[fb.call_id].on_feedback(fb))

    def publish(event: ev.Event) -> None:
        log(bus.publish(event))

    with ThreadPoolExecutor(max_workers=2) as executor:
        await asyncio.gather(
            *(
                run_live_call(
                    WavSource(fixture_file(fixture_dir, call, options.stereo), call_id=call).paced(
                        speed=options.speed
                    ),
                    pipeline,
                    engines[pipeline.language],
                    publish,
                    executor=executor,
                )
                for call, pipeline in pipelines.items()
            )
        )
    log.flush()
    print("All demo calls have ended.", flush=True)
    if not options.exit_when_done:
        print(f"The pages stay up at {base}/supervisor - press Ctrl-C to stop.", flush=True)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()
    await hub.stop()
    return bus
