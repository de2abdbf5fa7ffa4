"""A ``serve`` (or ``ivr``, ``replay``) node behind the site's broker.

:class:`ClusterNode` joins a process's :class:`~assist.chain.chain.EventChain`
to the broker:

- its calls' events leave through a :class:`StreamPublisher` sink (one more
  sink of the chain, after redaction and numbering);
- other nodes' events come in through a :class:`SiteTail` and go into the
  event log with their own numbers (:meth:`EventLog.insert`) and to the
  screens' fan-out, so an agent or supervisor on this node sees every call;
- what the log does not hold (an ``after=N`` older than memory, a call
  that started before this node did) is read from the stream, and a call
  another node had (that node died; the PBX sent the call here) continues
  its numbering from the stream.

Call affinity: a call's audio and cores stay on the node that took it; only
events cross. Both legs of one call must reach the same node: a leg of a
call another live node has is refused (see :meth:`ClusterNode.guard`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable

from nats.js.kv import KeyValue

from assist.calls.runner import LegTaken, OpenCall
from assist.chain.chain import EventChain
from assist.cluster.broker import Broker, storage_hint
from assist.cluster.config import BrokerConfig
from assist.cluster.publisher import NODE_HEADER, StreamPublisher
from assist.cluster.seats import ClusterSeats
from assist.cluster.source import SiteTail, call_events, recent_calls
from assist.cluster.subjects import token
from assist.hub.errors import CLOSE_SEAT_TAKEN
from assist.store import ResumePoint
from ivr import events as ev
from ivr import wire

log = logging.getLogger(__name__)

Entry = tuple[ev.Event, str]
NODE_TTL_S = 6.0  # a node not heard from this long is dead


def default_node_name(port: int) -> str:
    """The host's name and the node's port: unique on a site, readable in logs."""
    return f"{socket.gethostname().split('.')[0]}-{port}"


class StreamHistory:
    """The event log's :class:`~assist.chain.eventlog.RemoteHistory` from the stream."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    async def history(self, call_id: str, after_seq: int) -> list[Entry]:
        if not call_id or not self.broker.connected:
            return []
        try:
            return await call_events(self.broker, call_id, after_seq)
        except Exception as exc:
            log.warning("cannot read call %s from the broker: %s", call_id, exc)
            return []

    async def resume_point(self, call_id: str) -> ResumePoint:
        entries = await self.history(call_id, 0)
        if not entries:
            return ResumePoint()
        events = [e for e, _ in entries]
        audio_s = max((getattr(e, "at_s", 0.0) for e in events), default=0.0)
        started = any(isinstance(e, ev.CallStarted) for e in events)
        return ResumePoint(events[-1].seq, audio_s, started)


class ClusterNode:
    def __init__(
        self,
        config: BrokerConfig,
        chain: EventChain,
        *,
        node: str,
        recent_window_s: float = 900.0,
        on_state: Callable[[bool], None] | None = None,
    ) -> None:
        self.chain = chain
        self.recent_window_s = recent_window_s
        self._on_state = on_state
        self.broker = Broker(config, node=node, on_state=self._state)
        self.publisher = StreamPublisher(self.broker)
        self.tail = SiteTail(self.broker, self._remote)
        self._screens: list = []  # the screens' fan-outs (EventBus sinks)
        self._joined: asyncio.Task | None = None
        self._notices = 0  # broker state changes told to the supervisors
        self._beat: asyncio.Task | None = None
        self._nodes: KeyValue | None = None
        self.seats = ClusterSeats(self.broker, self._seat_taken)
        self._seats_up = False
        self._holders: dict[str, tuple[object, str]] = {}  # seat -> (screen connection, holder)

    # ---------------------------------------------------------------- life

    async def start(self) -> None:
        """Join the chain now; connect (and catch up) in the background, so a
        node whose broker is down still serves its own calls."""
        self.chain.add_sink(_PublisherSink(self.publisher))
        self.chain.log.remote = StreamHistory(self.broker)
        self.broker.start()
        self.publisher.start()
        self._joined = asyncio.get_running_loop().create_task(self._join())

    def attach_screens(self, bus) -> None:
        """Other nodes' events go to these screens too (the hub's fan-out)."""
        self._screens.append(bus)

    async def _join(self) -> None:
        await self.broker.ready.wait()
        delay_s = 0.5
        while True:
            try:
                await self._join_once()
                return
            except Exception as exc:  # a cluster electing a leader, a full broker
                hint = storage_hint(exc, self.broker.config)
                log.warning("joining the site failed (%s); trying again", hint or exc)
                await asyncio.sleep(delay_s)
                delay_s = min(10.0, delay_s * 2)

    async def _join_once(self) -> None:
        # Live calls of other nodes that started before this node did.
        try:
            last = await recent_calls(self.broker, self.recent_window_s)
        except Exception as exc:
            log.warning("could not list the site's calls: %s", exc)
            last = {}
        if self._nodes is None:
            self._nodes = await self.broker.js.create_key_value(
                bucket=self.broker.names.nodes_bucket, history=1, ttl=NODE_TTL_S
            )
            self._beat = asyncio.get_running_loop().create_task(self._heartbeat())
        if not self._seats_up:
            await self.seats.start()
            self._seats_up = True
        if not self.tail.running:
            await self.tail.start()  # from now on, every new event (no gap: history below)
        for call_id, event in last.items():
            if isinstance(event, ev.CallEnded) or call_id in self.chain.calls:
                continue
            for entry in await StreamHistory(self.broker).history(call_id, 0):
                self._remote(*entry)
        log.info("node %s joined the site (%d live calls elsewhere)", self.broker.node, len(last))

    async def _heartbeat(self) -> None:
        """Say every few seconds that this node is alive (its calls are live
        here; a node that stops saying so has died and its calls may move)."""
        assert self._nodes is not None
        while True:
            with contextlib.suppress(Exception):
                await self._nodes.put(token(self.broker.node), str(time.time()).encode())
            await asyncio.sleep(NODE_TTL_S / 3)

    async def node_alive(self, node: str) -> bool:
        if self._nodes is None or not node:
            return False
        try:
            entry = await self._nodes.get(token(node))
        except Exception:
            return False
        # The bucket forgets a key NODE_TTL_S after its last write; the time in
        # it covers the moment before the server does (clocks may differ a little).
        try:
            said_at = float(entry.value or b"0")
        except ValueError:
            return False
        return time.time() - said_at < 2 * NODE_TTL_S

    async def _publisher_of(self, call_id: str) -> str:
        """The node whose event of the call the stream holds last."""
        js = self.broker.js
        if js is None or not self.broker.connected:
            return ""
        try:
            last = await js.get_last_msg(
                self.broker.names.stream, self.broker.names.call_subject(call_id)
            )
        except Exception:
            return ""
        return (last.headers or {}).get(NODE_HEADER, "")

    def guard(self, open_call: OpenCall) -> OpenCall:
        """``open_call`` that refuses a leg of a call another live node has
        (both legs of a call go to one node); a call whose node died goes on here."""

        async def guarded(call_id: str) -> ResumePoint:
            owner = ""
            if self.chain.log.is_remote(call_id):
                owner = self.tail.node_of.get(call_id) or await self._publisher_of(call_id)
            if owner and await self.node_alive(owner):
                raise LegTaken(
                    f"call {call_id} is live on node {owner}: send every leg of a call "
                    "to the node that took it"
                )
            return await open_call(call_id)

        return guarded

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Flush what the broker has not got (bounded), then leave."""
        try:
            await asyncio.wait_for(self._leave(), timeout_s)
        except TimeoutError:
            log.warning("left the broker without a goodbye after %g s", timeout_s)
        await self.broker.close()

    async def _leave(self) -> None:
        for task in (self._joined, self._beat):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._nodes is not None and self.broker.connected:
            with contextlib.suppress(Exception):
                await self._nodes.delete(token(self.broker.node))
        await self.publisher.close()  # waits (bounded) for the broker to take what is held
        await self.seats.stop()
        await self.tail.stop()

    # ---------------------------------------------------------------- seats

    async def opened(self, seat: str, connection) -> None:
        """An agent screen took ``seat`` here: the site's seat bucket says so,
        and the node that held it closes its screen (the 4409 rule, site-wide)."""
        if not (self._seats_up and self.broker.connected):
            return  # the local rule only, while the broker is away
        try:
            holder = await self.seats.open(seat)
        except Exception as exc:
            log.warning("seat %s: not written to the broker (%s)", seat, exc)
            return
        self._holders[seat] = (connection, holder)

    async def closed(self, seat: str, connection) -> None:
        held = self._holders.get(seat)
        if held is None or held[0] is not connection:
            return
        del self._holders[seat]
        with contextlib.suppress(Exception):
            await self.seats.close(seat, held[1])

    def _seat_taken(self, seat: str) -> None:
        held = self._holders.pop(seat, None)
        if held is None:
            return
        connection = held[0]
        asyncio.get_running_loop().create_task(
            connection.close(CLOSE_SEAT_TAKEN, "this seat was opened elsewhere")
        )

    # ---------------------------------------------------------------- events

    def _remote(self, event: ev.Event, text: str) -> None:
        if not self.chain.log.insert(event, text):
            return
        for bus in self._screens:
            bus.deliver(event, text)

    def _state(self, up: bool) -> None:
        """Tell the supervisors (a call-less ``Error``, numbered on its own)."""
        self._notices += 1
        code, message = (
            ("broker-back", "the broker is back: every node's calls")
            if up
            else ("broker-lost", "the broker is away: this node's own calls only")
        )
        if up and self._notices == 1:
            return  # the first connection is no news
        notice = ev.Error("", code, message, seq=self._notices)
        text = wire.encode(notice)
        for bus in self._screens:
            bus.deliver(notice, text)
        if self._on_state is not None:
            self._on_state(up)

    def status(self) -> dict[str, int]:
        return {
            "broker_connected": int(self.broker.connected),
            "broker_backlog": self.publisher.backlog,
            "broker_dropped": self.publisher.outbox.dropped_total,
            "broker_received": self.tail.received,
        }


class _PublisherSink:
    """The publisher as a chain sink (``deliver`` returns at once)."""

    name = "broker"

    def __init__(self, publisher: StreamPublisher) -> None:
        self.publisher = publisher

    def deliver(self, event: ev.Event, text: str) -> None:
        self.publisher.put(event, text)

    def close(self) -> None:
        """The node's :meth:`ClusterNode.stop` flushes (it is async)."""
