"""The live driver: streams one call's audio through the pipeline in real
time, decoding off the event loop, and publishes what happens.

Audio is read and analysed as it arrives; recognition runs in a separate
task per channel that takes whatever audio has queued up, so a slow decode
never holds back the audio clock or the other calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor

from assist.pipeline import CallPipeline
from ivr import events as ev
from ivr.asr.aio import AsyncRecognizer
from ivr.asr.base import SpeechEngine

Publish = Callable[[ev.Event], object]

SCREEN_EVENTS = (
    ev.CallStarted,
    ev.CallEnded,
    ev.CallFlagged,
    ev.TranscriptPartial,
    ev.TranscriptFinal,
    ev.AngerUpdate,
    ev.Suggestion,
    ev.SuggestionFeedback,
    ev.IvrAction,
    ev.Error,
)


def publish_screen_events(events: list[ev.Event], publish: Publish) -> None:
    for event in events:
        if isinstance(event, SCREEN_EVENTS):
            publish(event)


async def _recognise(
    role: ev.ChannelRole,
    queue: asyncio.Queue[bytes | None],
    recognizer: AsyncRecognizer,
    pipeline: CallPipeline,
    publish: Publish,
) -> None:
    done = False
    while not done:
        pieces = [await queue.get()]
        while not queue.empty():
            pieces.append(queue.get_nowait())
        done = pieces[-1] is None
        audio = b"".join(p for p in pieces if p is not None)
        if audio:
            publish_screen_events(pipeline.on_asr(role, await recognizer.accept(audio)), publish)
    publish_screen_events(pipeline.on_asr(role, await recognizer.finish()), publish)


async def run_live_call(
    chunks: AsyncIterator[ev.AudioChunk],
    pipeline: CallPipeline,
    engine: SpeechEngine,
    publish: Publish,
    *,
    executor: ThreadPoolExecutor | None = None,
) -> None:
    """Drive one call to its end; publishes CallStarted ... CallEnded."""
    publish_screen_events(pipeline.start(), publish)
    queues: dict[ev.ChannelRole, asyncio.Queue[bytes | None]] = {}
    tasks: list[asyncio.Task[None]] = []
    reason = "hangup"
    try:
        async for chunk in chunks:
            queue = queues.get(chunk.role)
            if queue is None:
                queue = queues[chunk.role] = asyncio.Queue()
                recognizer = AsyncRecognizer(engine.recognizer(chunk.rate_hz), executor)
                tasks.append(
                    asyncio.create_task(_recognise(chunk.role, queue, recognizer, pipeline, publish))
                )
            queue.put_nowait(chunk.pcm)
            publish_screen_events(pipeline.on_audio(chunk), publish)
    except Exception as exc:
        reason = "error"
        publish(ev.Error(pipeline.call_id, "audio-source", str(exc)))
    finally:
        for queue in queues.values():
            queue.put_nowait(None)
        await asyncio.gather(*tasks)
        publish_screen_events(pipeline.end(reason), publish)
