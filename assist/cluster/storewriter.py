"""The site's one store writer: a durable JetStream consumer that puts every
call's events into the call store exactly once.

The consumer's position lives in the broker: a writer that is killed and
started again goes on from the first event it had not acknowledged. An event
is acknowledged only after the batch holding it is committed to the store,
so a crash between the two makes the broker deliver it again; the writer
then finds it stored already (by call and sequence number) and skips it.
Nothing is missing and nothing is doubled, and the store stays the single
source for reports.

Run it beside one node (or on the machine with the store)::

    python -m assist.cluster store-writer --broker nats://HOST:4222 \
        --access access.toml --store /var/lib/ivr-assist/calls.sqlite
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence

from nats.errors import TimeoutError as NatsTimeout
from nats.js import api

from assist.cluster.broker import Broker
from assist.store import CallStore
from ivr import events as ev
from ivr import wire

log = logging.getLogger(__name__)

DEFAULT_ACK_WAIT_S = 10.0
ENGINE_HEADER = "Assist-Engine"  # the speech engine of a replayed call's words
_BATCH = 500


class StoreWriter:
    def __init__(
        self,
        broker: Broker,
        store: CallStore,
        *,
        ack_wait_s: float = DEFAULT_ACK_WAIT_S,
        batch: int = _BATCH,
    ) -> None:
        self.broker = broker
        self.store = store
        self.ack_wait_s = ack_wait_s
        self.batch = batch
        self.stored = 0  # events committed by this process
        self.skipped = 0  # events found stored already (a redelivery)
        self.replays = 0  # replayed calls stored (replay --broker)
        self.refused = 0  # replayed calls refused (a live call has the id)
        self._last_seq: dict[str, int] = {}  # per call: the highest seq known stored
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Write until :meth:`stop`; survives the broker going away and back."""
        waits = [asyncio.ensure_future(e.wait()) for e in (self.broker.ready, self._stop)]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()
        sub = None
        while not self._stop.is_set():
            try:
                if sub is None:
                    sub = await self._subscribe()
                msgs = await sub.fetch(self.batch, timeout=1.0)
            except (TimeoutError, NatsTimeout):
                continue
            except Exception as exc:
                if self._stop.is_set():
                    break
                log.info("store writer: waiting for the broker (%s)", exc)
                await asyncio.sleep(0.5)
                sub = None
                continue
            await self._write(msgs)
        if sub is not None:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    def stop(self) -> None:
        self._stop.set()

    async def _subscribe(self):
        js = self.broker.js
        assert js is not None
        names = self.broker.names
        with contextlib.suppress(Exception):
            info = await js.consumer_info(names.stream, names.store_consumer)
            if info.num_ack_pending:
                # A writer died holding these: let the broker hand them out
                # again before anything newer, so each call is written in order.
                log.info("store writer: %d events to take over", info.num_ack_pending)
                await asyncio.sleep(info.config.ack_wait or self.ack_wait_s)
        config = api.ConsumerConfig(
            durable_name=names.store_consumer,
            ack_policy=api.AckPolicy.EXPLICIT,
            deliver_policy=api.DeliverPolicy.ALL,
            ack_wait=self.ack_wait_s,
            max_ack_pending=self.batch * 4,
            filter_subject=names.everything,
        )
        return await js.pull_subscribe(
            names.everything, durable=names.store_consumer, stream=names.stream, config=config
        )

    async def _write(self, msgs: Sequence) -> None:
        entries = []
        replays_prefix = self.broker.names.replay_subject("")
        for msg in msgs:
            if msg.subject.startswith(replays_prefix):
                await self._retrying(self._replay, msg)
                continue
            try:
                text = msg.data.decode()
                entries.append((wire.decode(text), text))
            except (UnicodeDecodeError, wire.WireError) as exc:
                log.error("store writer: not an event on %s (%s); skipped", msg.subject, exc)
        await self._retrying(self._commit, entries)
        # One by one: acknowledging only the last (AckPolicy.ALL) would also
        # acknowledge older events a dead writer held that are not yet redelivered.
        for msg in msgs:
            with contextlib.suppress(Exception):
                await msg.ack()

    @staticmethod
    async def _retrying(write, *args) -> None:
        """Run a store write in a worker thread until it succeeds."""
        while True:
            try:
                await asyncio.to_thread(write, *args)
                return
            except Exception as exc:
                log.error("store writer: cannot store (will retry): %s", exc)
                await asyncio.sleep(1.0)

    def _replay(self, msg) -> None:
        """A replayed call, whole (``replay --broker``): it replaces an
        earlier replay of the call, never a live call (refused, and said)."""
        try:
            texts = json.loads(msg.data)
            events = [wire.decode(t) for t in texts]
        except (ValueError, TypeError, wire.WireError) as exc:
            log.error("store writer: not a replayed call on %s (%s); skipped", msg.subject, exc)
            return
        if not events:
            return
        call_id = events[0].call_id
        record = self.store.call(call_id)
        if record is not None and record.origin == "live":
            log.error("store writer: replay of %s refused: a live call has that id", call_id)
            self.refused += 1
            return
        engine = (msg.headers or {}).get(ENGINE_HEADER, "vosk")
        self.store.replace_call(call_id, events, engine=engine)
        self.replays += 1

    def _commit(self, entries: list[tuple[ev.Event, str]]) -> None:
        """Append the entries not stored yet (runs in a worker thread)."""
        fresh: list[tuple[ev.Event, str]] = []
        batch_keys: set[tuple[str, int]] = set()
        for event, text in entries:
            key = (event.call_id, event.seq)
            if isinstance(event, ev.AudioChunk) or key in batch_keys or self._stored(*key):
                self.skipped += 1
                continue
            batch_keys.add(key)
            fresh.append((event, text))
        if fresh:
            self.store.append([e for e, _ in fresh], [t for _, t in fresh])
        for event, _ in fresh:
            if event.seq > self._last_seq.get(event.call_id, 0):
                self._last_seq[event.call_id] = event.seq
            if isinstance(event, ev.CallEnded):
                self._last_seq.pop(event.call_id, None)
        self.stored += len(fresh)

    def _stored(self, call_id: str, seq: int) -> bool:
        """Is (call, seq) in the store? Cheap for the usual case, a new event
        after the last one this writer stored."""
        last = self._last_seq.get(call_id)
        if last is None:
            last = self._last_seq[call_id] = self.store.last_seq(call_id)
        if seq > last:
            return False
        found = self.store.events_after(call_id, seq - 1, limit=1)
        return bool(found) and found[0].seq == seq
