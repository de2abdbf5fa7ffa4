"""The offline driver: a recording through the same feed loop and pipeline
as a live call, as fast as the machine allows (``analyze`` and QA replay).

The feed loop (:mod:`assist.calls.feed`) batches the recogniser's audio the
way it does live (0.2 s), so a recording gets the recognition it would have
had streamed to ``serve``. The run's events are the pipeline's own (words as
said, prosody frames included, not numbered); :func:`through_chain` sends
them through an outbound chain (redaction, numbering, sinks) and keeps what
comes out, which is what reports, ``analyze --json`` and the store see.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from assist.calls.feed import ASR_BATCH_S, CallFeed
from assist.chain.chain import EventChain
from assist.pipeline import CallPipeline
from ivr import events as ev
from ivr.asr.base import SpeechEngine
from ivr.sources import WavSource

__all__ = ["ASR_BATCH_S", "CallRun", "feed_offline", "run_recording", "through_chain"]

_QUEUE_CHUNKS = 64  # chunks queued ahead of the feed loop at most


@dataclass(frozen=True)
class CallRun:
    path: Path
    call_id: str
    duration_s: float
    events: list[ev.Event]


def feed_offline(
    chunks: Iterable[ev.AudioChunk],
    pipeline: CallPipeline,
    engine: SpeechEngine,
    *,
    batch_s: float = ASR_BATCH_S,
) -> list[ev.Event]:
    """Every event of the call, from its start to its end, decoded in this thread."""
    events: list[ev.Event] = []

    async def run() -> None:
        feed = CallFeed(pipeline, engine, events.append, inline=True, batch_s=batch_s)
        queued = 0
        for chunk in chunks:
            feed.channel(chunk.role, chunk.rate_hz).feed_chunk(chunk)
            queued += 1
            if queued >= _QUEUE_CHUNKS:
                await feed.drained()
                queued = 0
        await feed.end()

    _run_to_end(run)
    return events


def _run_to_end(main: Callable[[], Coroutine[object, object, None]]) -> None:
    """``asyncio.run(main())``, in a thread of its own when this thread already
    runs an event loop (a caller inside async code, a browser-driving test)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(main())
        return
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(main())).result()


def run_recording(
    path: Path,
    engine: SpeechEngine,
    *,
    call_id: str | None = None,
    customer_channel: str = "left",
    pipeline: CallPipeline | None = None,
) -> CallRun:
    """``pipeline``: one made by the caller (e.g. with its anger core traced);
    by default a new one for ``call_id`` in the engine's language."""
    call_id = pipeline.call_id if pipeline else call_id or path.stem
    source = WavSource(path, call_id=call_id, customer_channel=customer_channel)
    pipeline = pipeline or CallPipeline.create(call_id, engine.language, source=str(path.name))
    events = feed_offline(source.chunks(), pipeline, engine)
    return CallRun(path, call_id, source.duration_s, events)


def through_chain(run: CallRun, chain: EventChain) -> CallRun:
    """The run as it leaves ``chain``: redacted, logged events numbered
    (per-frame prosody kept, unnumbered, for the report's curves)."""
    out = [e for e in (chain.publish(event) for event in run.events) if e is not None]
    return replace(run, events=out)
