"""The demo: recorded calls streamed through the live pipeline at real-time
pace, with the agent and supervisor pages served on localhost and a readable
log in the terminal.

The calls come from a folder of WAV files (the data path): ``--calls-dir``,
else ``$IVR_ASSIST_DEMO_CALLS``, else the repository's synthetic fixture
calls in ``audio_fixtures/generated``. A call ``NAME`` is ``NAME.8k.stereo.wav``
(customer left, agent right; the default) or ``NAME.16k.wav`` (``--mono``,
customer only); its language is the name's prefix (``ru_...``, ``en_...``).
In a repository checkout an empty default folder is filled by running the
fixture generator (``python -m audio_fixtures.make_fixtures``) once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from assist.calls.runner import CallRunner
from assist.chain.chain import EventChain
from assist.chain.redaction import redaction_config, redactors
from assist.chain.sink import CallbackSink
from assist.console import ConsoleLog
from assist.engines import load_engine
from assist.hub.server import Hub
from assist.listen import check_listen, listen_errors
from assist.pipeline import CallPipeline
from assist.serve import ServeOptions, access_for
from ivr.sources import WavSource

DEMO_CALLS = ("ru_escalating", "en_escalating", "ru_calm", "en_calm")
CALLS_DIR_ENV = "IVR_ASSIST_DEMO_CALLS"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CALLS_DIR = REPO_ROOT / "audio_fixtures" / "generated"


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
    calls_dir: Path | None = None  # None: $IVR_ASSIST_DEMO_CALLS, else the fixture calls
    redact: bool = True
    redact_file: Path | None = None


def fixture_file(calls_dir: Path, call_id: str, stereo: bool) -> Path:
    return calls_dir / (f"{call_id}.8k.stereo.wav" if stereo else f"{call_id}.16k.wav")


def calls_dir_for(options: DemoOptions) -> Path:
    if options.calls_dir is not None:
        return Path(options.calls_dir)
    from_env = os.environ.get(CALLS_DIR_ENV)
    return Path(from_env) if from_env else DEFAULT_CALLS_DIR


def demo_calls_in(folder: Path, stereo: bool) -> list[str]:
    suffix = ".8k.stereo.wav" if stereo else ".16k.wav"
    return sorted(p.name.removesuffix(suffix) for p in folder.glob(f"*{suffix}"))


def ensure_calls(folder: Path, wanted: tuple[str, ...], stereo: bool) -> None:
    """The default folder of a repository checkout is filled by the fixture
    generator (a separate process: the product does not import the test
    fixtures); any other folder must hold the calls already."""
    missing = [c for c in wanted if not fixture_file(folder, c, stereo).is_file()]
    generator = REPO_ROOT / "audio_fixtures" / "make_fixtures.py"
    if not missing or folder.resolve() != DEFAULT_CALLS_DIR.resolve() or not generator.is_file():
        return
    print("demo: rendering the fixture calls (once)...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "audio_fixtures.make_fixtures", "--out", str(folder), "--quiet"],
        cwd=REPO_ROOT,
        check=False,
    )


def check_demo_options(options: DemoOptions) -> Path:
    """Bad options are one line (SystemExit), before anything is loaded;
    returns the folder of the calls."""
    if not options.speed > 0:
        raise SystemExit(f"ivr-assist: --speed must be above 0 (1 is real time): {options.speed}")
    folder = calls_dir_for(options)
    ensure_calls(folder, options.calls, options.stereo)
    known = demo_calls_in(folder, options.stereo)
    unknown = [c for c in options.calls if c not in known]
    if unknown:
        listed = ", ".join(known) if known else "none"
        raise SystemExit(
            f"ivr-assist: no demo call {unknown[0]!r} in {folder}; the calls are {listed}"
        )
    return folder


async def run_demo(options: DemoOptions, log: ConsoleLog | None = None) -> EventChain:
    # Refused like serve: an open hub listens on loopback only. Then the port,
    # before the slow part (the speech models).
    access = access_for(ServeOptions(host=options.host, access_file=options.access_file))
    folder = check_demo_options(options)
    check_listen(options.host, options.port)
    redaction = redaction_config(options.redact_file, enabled=options.redact)
    log = log or ConsoleLog(reorder_s=2.0)
    languages = sorted({call.split("_", 1)[0] for call in options.calls})
    engines = {
        lang: load_engine(lang, options.model, allow_download=options.allow_download)
        for lang in languages
    }
    chain = EventChain(redactor_for=redactors(redaction), sinks=[CallbackSink("console", log)])
    with ThreadPoolExecutor(max_workers=2) as executor:
        runner = CallRunner(engines.__getitem__, chain.publish, executor)
        hub = Hub(chain, access=access, feedback=runner.feedback)
        with listen_errors(options.host, options.port):
            await hub.start(options.host, options.port)
        base = f"http://{options.host}:{hub.port}"
        print(f"Supervisor dashboard: {base}/supervisor", flush=True)
        for call in options.calls:
            print(f"Agent screen for {call}: {base}/agent?call={call}", flush=True)
        for lang, engine in engines.items():
            print(f"Speech model ({lang}): {engine.model_dir}", flush=True)
        await asyncio.gather(
            *(
                runner.run_source(
                    WavSource(fixture_file(folder, call, options.stereo), call_id=call).paced(
                        speed=options.speed
                    ),
                    CallPipeline.create(
                        call, call.split("_", 1)[0], agent_id=f"agent-{n + 1}", source="demo"
                    ),
                )
                for n, call in enumerate(options.calls)
            )
        )
    log.flush()
    print("All demo calls have ended.", flush=True)
    if not options.exit_when_done:
        print(f"The pages stay up at {base}/supervisor - press Ctrl-C to stop.", flush=True)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()
    await hub.stop()
    chain.close()
    return chain
