"""The broker as a source of the event log: what other nodes' calls said.

- :func:`call_events`: one call's events after a sequence number, read
  from the site stream (a screen's ``after=N`` for a call that lives on
  another node, or whose node died);
- :func:`recent_calls`: the calls the stream has heard from lately (the
  last event of each), for a node that starts while other nodes have calls;
- :class:`SiteTail`: every new event of every call as it arrives, handed to
  a callback (the node's event log), skipping the node's own.

The stream may hold an event twice (a publisher's retry after the
duplicate window) or a call's numbering may skip ahead after a restart;
readers go by the events' own ``seq``, so a repeat is dropped here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from nats.errors import TimeoutError as NatsTimeout
from nats.js import api
from nats.js.errors import NotFoundError, ServiceUnavailableError

from assist.cluster.broker import Broker
from assist.cluster.publisher import NODE_HEADER
from ivr import events as ev
from ivr import wire

log = logging.getLogger(__name__)

Entry = tuple[ev.Event, str]
_READ_TIMEOUT_S = 20.0


async def _read_until(
    broker: Broker,
    subject: str,
    last_stream_seq: int,
    policy: api.DeliverPolicy,
    keep: Callable[[object], None],
) -> None:
    """Deliver a subject's stored messages up to ``last_stream_seq`` to ``keep``."""
    js = broker.js
    assert js is not None
    done = asyncio.Event()

    async def on_msg(msg) -> None:
        keep(msg)
        if msg.metadata.sequence.stream >= last_stream_seq or msg.metadata.num_pending == 0:
            done.set()

    sub = await js.subscribe(
        subject,
        stream=broker.names.stream,
        cb=on_msg,
        ordered_consumer=True,
        deliver_policy=policy,
    )
    try:
        await asyncio.wait_for(done.wait(), _READ_TIMEOUT_S)
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()


async def _retrying(read, timeout_s: float = _READ_TIMEOUT_S):
    """``read()`` again while the broker answers with a time-out (a cluster
    electing a new leader after a server died), for at most ``timeout_s``."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            return await read()
        except (TimeoutError, NatsTimeout, ServiceUnavailableError):
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.25)


async def call_events(broker: Broker, call_id: str, after_seq: int = 0) -> list[Entry]:
    """The call's events with ``seq > after_seq`` in the stream, in order."""
    return await _retrying(lambda: _call_events(broker, call_id, after_seq))


async def _call_events(broker: Broker, call_id: str, after_seq: int) -> list[Entry]:
    js = broker.js
    assert js is not None
    subject = broker.names.call_subject(call_id)
    try:
        last = await js.get_last_msg(broker.names.stream, subject)
    except NotFoundError:
        return []
    out: list[Entry] = []
    seen = after_seq

    def keep(msg) -> None:
        nonlocal seen
        text = msg.data.decode()
        event = wire.decode(text)
        if event.seq > seen:
            seen = event.seq
            out.append((event, text))

    await _read_until(broker, subject, last.seq, api.DeliverPolicy.ALL, keep)
    return out


async def recent_calls(broker: Broker, within_s: float) -> dict[str, ev.Event]:
    """The last event of each call heard from in the last ``within_s`` seconds."""
    return await _retrying(lambda: _recent_calls(broker, within_s))


async def _recent_calls(broker: Broker, within_s: float) -> dict[str, ev.Event]:
    js = broker.js
    assert js is not None
    info = await js.stream_info(broker.names.stream)
    if not info.state.messages:
        return {}
    newest = info.state.last_seq
    since = time.time() - within_s
    out: dict[str, ev.Event] = {}

    def keep(msg) -> None:
        if msg.metadata.timestamp.timestamp() >= since:
            out[broker.names.call_of(msg.subject)] = wire.decode(msg.data)

    await _read_until(
        broker, broker.names.all_calls, newest, api.DeliverPolicy.LAST_PER_SUBJECT, keep
    )
    return out


class SiteTail:
    """Every event other nodes publish from now on, in the order the stream
    holds them, to ``on_entry(event, wire_text)``."""

    def __init__(self, broker: Broker, on_entry: Callable[[ev.Event, str], None]) -> None:
        self.broker = broker
        self.on_entry = on_entry
        self.received = 0
        self._last_seq: dict[str, int] = {}
        self.node_of: dict[str, str] = {}  # call -> the node that publishes it
        self._sub = None

    @property
    def running(self) -> bool:
        return self._sub is not None

    async def start(self) -> None:
        js = self.broker.js
        assert js is not None
        self._sub = await js.subscribe(
            self.broker.names.all_calls,
            stream=self.broker.names.stream,
            cb=self._on_msg,
            ordered_consumer=True,
            deliver_policy=api.DeliverPolicy.NEW,
        )

    async def _on_msg(self, msg) -> None:
        headers = msg.headers or {}
        if headers.get(NODE_HEADER) == self.broker.node:
            return
        try:
            text = msg.data.decode()
            event = wire.decode(text)
        except (UnicodeDecodeError, wire.WireError) as exc:
            log.warning("skipped a message on %s: %s", msg.subject, exc)
            return
        if event.seq <= self._last_seq.get(event.call_id, 0):
            return  # a publisher's retry that the stream kept twice
        self._last_seq[event.call_id] = event.seq
        self.node_of[event.call_id] = headers.get(NODE_HEADER, "")
        if isinstance(event, ev.CallEnded):
            self._last_seq.pop(event.call_id, None)
            self.node_of.pop(event.call_id, None)
        self.received += 1
        self.on_entry(event, text)

    async def stop(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None
