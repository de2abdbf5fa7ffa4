"""Seats and queues across nodes, in JetStream key-value buckets with
compare-and-set.

**Seats** (:class:`ClusterSeats`) keep the one-node rule across the site: a
seat opened on a node is written to the seats bucket with that node and
connection; the newest opener wins, and the node that held it before sees
the change (it watches the bucket) and closes its screen with 4409, "this
seat was opened elsewhere", exactly as when both opens reach one node.

**Queues** (:class:`ClusterQueue`): a caller the IVR puts in a queue is a
key ``<queue>.<call>`` in the queue bucket (its revision is its place in
line across the site). A free seat on any node takes the next waiting call
by updating its key from "waiting" to "taken by this seat" with the
revision it read: of two seats that race for one call exactly one update
succeeds, the other moves on to the next call. The node that holds the call
(its audio stays there) watches the bucket and hands the caller to the
seat that took it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from nats.js.errors import BadRequestError, KeyWrongLastSequenceError
from nats.js.kv import KV_DEL, KV_PURGE, KeyValue

from assist.cluster.broker import Broker
from assist.cluster.subjects import token, untoken

log = logging.getLogger(__name__)

QUEUE_MAX_AGE_S = 4 * 3600.0  # a waiting entry no node ended (its node died) goes after this


async def _bucket(broker: Broker, name: str, *, max_age_s: float | None = None) -> KeyValue:
    js = broker.js
    assert js is not None
    return await js.create_key_value(
        bucket=name, history=1, ttl=max_age_s, replicas=broker.config.replicas
    )


class _Watch:
    """Every change of a bucket, handed to ``on_change(key, revision, value or None)``."""

    def __init__(self, kv: KeyValue, on_change: Callable[[str, int, dict | None], None]) -> None:
        self.kv = kv
        self.on_change = on_change
        self.synced = asyncio.Event()  # the bucket's current state has been seen
        self._task: asyncio.Task | None = None
        self._watcher = None

    async def start(self) -> None:
        self._watcher = await self.kv.watchall()
        self._task = asyncio.get_running_loop().create_task(self._run())
        await asyncio.wait_for(self.synced.wait(), 10.0)

    async def _run(self) -> None:
        assert self._watcher is not None
        async for entry in self._watcher:
            if entry is None:
                self.synced.set()
                continue
            gone = entry.operation in (KV_DEL, KV_PURGE)
            value = None if gone else json.loads(entry.value or b"null")
            try:
                self.on_change(entry.key, entry.revision, value)
            except Exception:
                log.exception("bucket change of %s", entry.key)

    async def stop(self) -> None:
        if self._watcher is not None:
            with contextlib.suppress(Exception):
                await self._watcher.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class ClusterSeats:
    """Who holds which agent seat, site-wide; ``on_taken(seat)`` is called
    when a seat this node holds is opened on another node (or connection)."""

    def __init__(self, broker: Broker, on_taken: Callable[[str], None]) -> None:
        self.broker = broker
        self.on_taken = on_taken
        self._held: dict[str, tuple[str, int]] = {}  # seat -> (holder id, revision)
        self._kv: KeyValue | None = None
        self._watch: _Watch | None = None

    async def start(self) -> None:
        self._kv = await _bucket(self.broker, self.broker.names.seats_bucket)
        self._watch = _Watch(self._kv, self._changed)
        await self._watch.start()

    async def stop(self) -> None:
        if self._watch is not None:
            await self._watch.stop()

    async def open(self, seat: str) -> str:
        """This node takes ``seat`` (whoever had it); returns the holder id."""
        assert self._kv is not None
        holder = uuid.uuid4().hex
        value = json.dumps({"seat": seat, "node": self.broker.node, "holder": holder})
        self._held[seat] = (holder, 0)
        revision = await self._kv.put(token(seat), value.encode())
        if self._held.get(seat, ("", 0))[0] == holder:
            self._held[seat] = (holder, revision)
        return holder

    async def close(self, seat: str, holder: str) -> None:
        """Let the seat go, unless it was opened elsewhere since."""
        assert self._kv is not None
        held = self._held.get(seat)
        if held is None or held[0] != holder:
            return
        del self._held[seat]
        with contextlib.suppress(KeyWrongLastSequenceError, BadRequestError):
            await self._kv.delete(token(seat), last=held[1])

    def holds(self, seat: str, holder: str) -> bool:
        held = self._held.get(seat)
        return held is not None and held[0] == holder

    def _changed(self, key: str, revision: int, value: dict | None) -> None:
        seat = untoken(key)
        held = self._held.get(seat)
        if held is None or value is None:
            return
        if value.get("holder") != held[0]:
            del self._held[seat]
            self.on_taken(seat)


@dataclass(frozen=True)
class Waiting:
    queue: str
    call_id: str
    node: str
    priority: int
    revision: int  # the place in line, site-wide


@dataclass(frozen=True)
class Taken:
    queue: str
    call_id: str
    seat: str
    node: str  # the node of the seat that took it
    owner: str = ""  # the node that holds the call


class ClusterQueue:
    """Callers waiting for a person, site-wide. ``on_taken(Taken)`` is called
    on the node that holds the call when a seat anywhere took it."""

    def __init__(
        self,
        broker: Broker,
        on_taken: Callable[[Taken], None] | None = None,
        on_removed: Callable[[str, str], None] | None = None,
    ) -> None:
        """``on_removed(queue, call_id)``: a call left the line (hung up, or
        its talk with a seat is over), seen on every node."""
        self.broker = broker
        self.on_taken = on_taken
        self.on_removed = on_removed
        self.waiting: dict[str, Waiting] = {}  # by key
        self._kv: KeyValue | None = None
        self._watch: _Watch | None = None
        self._changed_event = asyncio.Event()

    async def start(self) -> None:
        self._kv = await _bucket(
            self.broker, self.broker.names.queue_bucket, max_age_s=QUEUE_MAX_AGE_S
        )
        self._watch = _Watch(self._kv, self._changed)
        await self._watch.start()

    async def stop(self) -> None:
        if self._watch is not None:
            await self._watch.stop()

    @staticmethod
    def _key(queue: str, call_id: str) -> str:
        return f"{token(queue)}.{token(call_id)}"

    async def offer(self, queue: str, call_id: str, priority: int = 0) -> int:
        """Put a call of this node in line; returns its place (a revision)."""
        assert self._kv is not None
        value = {
            "queue": queue,
            "call": call_id,
            "node": self.broker.node,
            "priority": priority,
            "state": "waiting",
        }
        try:
            return await self._kv.create(self._key(queue, call_id), json.dumps(value).encode())
        except KeyWrongLastSequenceError:
            entry = await self._kv.get(self._key(queue, call_id))
            return entry.revision  # offered already: keeps its place

    async def take_next(self, seat: str, queues: tuple[str, ...] | None = None) -> Taken | None:
        """The next waiting call for ``seat`` (highest priority, then longest
        waiting), taken for it exactly once; None if nobody waits."""
        assert self._kv is not None
        for waiting in self.in_line(queues):
            taken = {
                "queue": waiting.queue,
                "call": waiting.call_id,
                "node": waiting.node,
                "priority": waiting.priority,
                "state": "taken",
                "seat": seat,
                "by": self.broker.node,
            }
            key = self._key(waiting.queue, waiting.call_id)
            try:
                await self._kv.update(key, json.dumps(taken).encode(), last=waiting.revision)
            except KeyWrongLastSequenceError:
                continue  # another seat was quicker, or the caller hung up
            self.waiting.pop(key, None)
            return Taken(waiting.queue, waiting.call_id, seat, self.broker.node, waiting.node)
        return None

    def in_line(self, queues: tuple[str, ...] | None = None) -> list[Waiting]:
        found = [w for w in self.waiting.values() if queues is None or w.queue in queues]
        return sorted(found, key=lambda w: (-w.priority, w.revision))

    async def call_ended(self, queue: str, call_id: str) -> None:
        """The caller hung up (waiting or talking): out of the bucket."""
        assert self._kv is not None
        with contextlib.suppress(Exception):
            await self._kv.delete(self._key(queue, call_id))

    async def wait_change(self, timeout_s: float) -> None:
        """Until the queue changes (a new caller, a taken one), at most ``timeout_s``."""
        self._changed_event.clear()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._changed_event.wait(), timeout_s)

    def _changed(self, key: str, revision: int, value: dict | None) -> None:
        self._changed_event.set()
        if value is None:
            self.waiting.pop(key, None)
            if self.on_removed is not None and "." in key:
                queue, call = key.split(".", 1)
                self.on_removed(untoken(queue), untoken(call))
            return
        if value.get("state") == "waiting":
            self.waiting[key] = Waiting(
                value["queue"], value["call"], value["node"], int(value["priority"]), revision
            )
            return
        self.waiting.pop(key, None)
        if value.get("node") == self.broker.node and self.on_taken is not None:
            taken = Taken(value["queue"], value["call"], value["seat"], value["by"], value["node"])
            self.on_taken(taken)
