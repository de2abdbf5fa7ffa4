"""The broker as a sink of the event log: a node's calls' events to the site
stream, one subject per call.

:meth:`StreamPublisher.put` is called on the publisher's path and only
appends to the :class:`~assist.cluster.outbox.Outbox`; a task sends what
gathered in pipelined batches (JetStream acknowledges each message) and
drops it from the outbox once acknowledged. While the broker is away the
outbox holds the node's events (bounded; see :mod:`assist.cluster.outbox`
for what goes first), and the task sends them once it is back.

Each message carries ``Nats-Msg-Id: <call>:<seq>``, so a batch sent again
after a reconnect (the broker may have stored part of it) is not stored
twice, and ``Assist-Node``, so a node's own tail of the site stream can
skip the events it published itself. Raw audio never leaves the node.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from assist.cluster.broker import Broker
from assist.cluster.outbox import Entry, Outbox
from ivr import events as ev

log = logging.getLogger(__name__)

NODE_HEADER = "Assist-Node"
MSG_ID_HEADER = "Nats-Msg-Id"
DEFAULT_MAX_BUFFERED = 20_000
_BATCH = 512
_ACK_TIMEOUT_S = 5.0


class StreamPublisher:
    def __init__(self, broker: Broker, *, max_buffered: int = DEFAULT_MAX_BUFFERED) -> None:
        self.broker = broker
        self.outbox = Outbox(max_buffered)
        self.published = 0  # acknowledged by the broker
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task | None = None
        self._headers_base = {NODE_HEADER: broker.node}

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def put(self, event: ev.Event, text: str) -> None:
        """Queue one numbered event; returns at once (never blocks the caller)."""
        if isinstance(event, ev.AudioChunk):
            return
        self.outbox.append((event, text))
        self._idle.clear()
        self._wake.set()

    @property
    def backlog(self) -> int:
        return len(self.outbox)

    async def flush(self, timeout_s: float = 10.0) -> None:
        """Wait until everything put so far is acknowledged by the broker."""
        await asyncio.wait_for(self._idle.wait(), timeout_s)

    async def close(self, timeout_s: float = 5.0) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await self.flush(timeout_s)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            if not self.outbox:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            await self.broker.wait_connected()
            await self.broker.ready.wait()
            batch = self.outbox.peek(_BATCH)
            try:
                await self._send(batch)
            except Exception as exc:
                self.outbox.retry()
                log.info("broker publish failed (%s); %d events held", exc, len(self.outbox))
                await asyncio.sleep(0.2)
                with contextlib.suppress(Exception):  # a broker that lost its store
                    await self.broker.ensure_stream()
                continue
            self.outbox.done(len(batch))
            self.published += len(batch)

    async def _send(self, batch: list[Entry]) -> None:
        js = self.broker.js
        assert js is not None
        names = self.broker.names
        futures = []
        for event, text in batch:
            headers = {**self._headers_base, MSG_ID_HEADER: f"{event.call_id}:{event.seq}"}
            futures.append(
                await js.publish_async(
                    names.call_subject(event.call_id), text.encode(), headers=headers
                )
            )
        done = await asyncio.wait_for(
            asyncio.gather(*futures, return_exceptions=True), _ACK_TIMEOUT_S
        )
        failed = [r for r in done if isinstance(r, BaseException)]
        if failed:
            raise RuntimeError(f"{len(failed)} of {len(batch)} not acknowledged: {failed[0]!r}")
