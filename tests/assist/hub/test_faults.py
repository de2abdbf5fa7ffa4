"""The hub under faults a hostile or clumsy client brings, over real sockets
on 127.0.0.1: exact resume, bounded memory, one client per call leg, idle
timeouts, clean logs, strict control messages, a screen that never reads.
Each of these failed before the hub had its event log."""

import asyncio
import json
import logging
import socket
import urllib.request

import pytest
from websockets.asyncio.client import connect
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.uri import parse_uri

from assist.calls.runner import CallRunner
from assist.chain.chain import EventChain
from assist.chain.eventlog import EventLog
from assist.hub.server import (
    CLOSE_BAD_REQUEST,
    CLOSE_IDLE,
    CLOSE_OVERFLOW,
    CLOSE_SEAT_TAKEN,
    Hub,
    HubLimits,
)
from assist.store import SqliteStore
from ivr import events as ev
from ivr import wire
from ivr.asr.vosk_engine import VoskEngine

CUSTOMER = ev.ChannelRole.CUSTOMER


class Clock:
    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s


async def started(bus: EventChain, registry=None, **limits) -> tuple[Hub, str]:
    hub = Hub(bus, registry=registry, limits=HubLimits(**limits))
    await hub.start("127.0.0.1", 0)
    return hub, f"ws://127.0.0.1:{hub.port}"


async def receive_all(ws, quiet_s: float = 0.3) -> list:
    """Everything the stream sends until it has been quiet for ``quiet_s``."""
    out = []
    while True:
        try:
            out.append(wire.decode(await asyncio.wait_for(ws.recv(), quiet_s)))
        except TimeoutError:
            return out


async def closed_code(ws, timeout_s: float = 5.0) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as info:
        while True:
            await asyncio.wait_for(ws.recv(), timeout_s)
    assert info.value.rcvd is not None, "closed without a close frame"
    return info.value.rcvd.code, info.value.rcvd.reason


# ---------------------------------------------------------------- exact resume


@pytest.mark.parametrize("path", ["/ws/agent?call=a", "/ws/agent?seat=s1&call=a", "/ws/supervisor"])
def test_resume_after_n_sends_what_came_after_n_and_nothing_before(path):
    async def scenario():
        bus = EventChain()
        hub, url = await started(bus)
        try:
            bus.publish(ev.CallStarted("a", "en", agent_id="s1"))
            for n in range(12):
                bus.publish(ev.TranscriptFinal("a", CUSTOMER, f"words {n}"))
            async with connect(f"{url}{path}") as ws:
                seen = await receive_all(ws)
            last = seen[-1].seq
            # A quick reconnect: nothing newer than N in memory yet.
            sep = "&" if "?" in path else "?"
            async with connect(f"{url}{path}{sep}after={last}") as ws:
                await asyncio.sleep(0.1)
                bus.publish(ev.TranscriptFinal("a", CUSTOMER, "after the reconnect"))
                resumed = await receive_all(ws)
        finally:
            await hub.stop()
        assert [e.seq for e in seen] == list(range(1, 14))
        assert [(e.seq, e.text) for e in resumed] == [(14, "after the reconnect")]

    asyncio.run(scenario())


def test_a_supervisor_resumes_each_call_after_its_own_seq():
    async def scenario():
        bus = EventChain()
        hub, url = await started(bus)
        try:
            for call in ("a", "b"):
                bus.publish(ev.CallStarted(call, "en"))
                bus.publish(ev.TranscriptFinal(call, CUSTOMER, "one"))
                bus.publish(ev.TranscriptFinal(call, CUSTOMER, "two"))
            async with connect(f"{url}/ws/supervisor?after=a:3,b:1") as ws:
                got = await receive_all(ws)
        finally:
            await hub.stop()
        assert [(e.call_id, e.seq) for e in got] == [("b", 2), ("b", 3)]

    asyncio.run(scenario())


def test_resume_reaches_into_the_store_for_what_memory_no_longer_holds(tmp_path):
    async def scenario():
        store = SqliteStore(tmp_path / "calls.sqlite")
        bus = EventChain(store=store, max_events_in_memory=10)
        hub, url = await started(bus)
        try:
            bus.publish(ev.CallStarted("long", "en"))
            for n in range(40):
                bus.publish(ev.TranscriptFinal("long", CUSTOMER, f"w{n}"))
                if n % 5 == 0:
                    await asyncio.to_thread(bus.flush_store)
            await asyncio.to_thread(bus.flush_store)
            bus.publish(ev.TranscriptFinal("long", CUSTOMER, "w40"))  # trims memory
            in_memory = bus.log.events_in_memory
            async with connect(f"{url}/ws/agent?call=long&after=3") as ws:
                got = await receive_all(ws)
        finally:
            await hub.stop()
            bus.close_store()
            store.close()
        assert in_memory <= 10
        assert [e.seq for e in got] == list(range(4, 43))

    asyncio.run(scenario())


# ---------------------------------------------------------------- bounded memory


def test_ended_calls_leave_memory_and_a_new_supervisor_gets_live_and_recent_calls(tmp_path):
    async def scenario():
        clock = Clock()
        store = SqliteStore(tmp_path / "calls.sqlite")
        bus = EventChain(log=EventLog(store, retain_ended_s=60.0, clock=clock))
        hub, url = await started(bus, recent_window_s=30.0)
        try:
            for n in range(40):
                bus.publish(ev.CallStarted(f"old-{n}", "en"))
                bus.publish(ev.TranscriptFinal(f"old-{n}", CUSTOMER, "hello"))
                bus.publish(ev.CallEnded(f"old-{n}", 1.0))
            await asyncio.to_thread(bus.flush_store)
            clock.now_s += 61  # the old calls' retention has passed
            bus.publish(ev.CallStarted("live", "en"))
            bus.publish(ev.TranscriptFinal("live", CUSTOMER, "still talking"))
            bus.publish(ev.CallStarted("recent", "en"))
            for score in (0.2, 0.5, 0.9):
                bus.publish(
                    ev.AngerUpdate("recent", score, score, ev.AngerLevel.CALM, ev.Trend.STEADY)
                )
                bus.publish(ev.TranscriptFinal("recent", CUSTOMER, f"words {score}"))
            bus.publish(ev.CallEnded("recent", 2.0))
            clock.now_s += 10
            memory = (bus.log.calls_in_memory, len(bus.calls))
            async with connect(f"{url}/ws/supervisor") as ws:
                first = await receive_all(ws)
                shown = {e.call_id for e in first}
            clock.now_s += 25  # "recent" is now older than the window, not yet forgotten
            async with connect(f"{url}/ws/supervisor") as ws:
                later = {e.call_id for e in await receive_all(ws)}
            # An ended call that left memory is still served from the store on request.
            async with connect(f"{url}/ws/agent?call=old-3") as ws:
                stored = await receive_all(ws)
        finally:
            await hub.stop()
            bus.close_store()
            store.close()
        assert memory == (2, 2)
        assert shown == {"live", "recent"}
        # A live call in full; an ended one as a digest: start, last anger update, end.
        assert [type(e).__name__ for e in first if e.call_id == "live"] == [
            "CallStarted",
            "TranscriptFinal",
        ]
        digest = [e for e in first if e.call_id == "recent"]
        assert [type(e).__name__ for e in digest] == ["CallStarted", "AngerUpdate", "CallEnded"]
        assert digest[1].score == 0.9
        assert later == {"live"}
        assert [type(e).__name__ for e in stored] == ["CallStarted", "TranscriptFinal", "CallEnded"]

    asyncio.run(scenario())


def test_an_ended_call_stays_in_memory_until_the_store_has_it():
    clock = Clock()

    class SlowWriter:
        committed = 0

        def put(self, event, text):
            pass

        def committed_seq(self, call_id):
            return self.committed

        def forget(self, call_id):
            pass

    log = EventLog(retain_ended_s=1.0, clock=clock)
    log.writer = SlowWriter()  # type: ignore[assignment]
    log.publish(ev.CallStarted("c", "en"))
    log.publish(ev.CallEnded("c", 1.0))
    clock.now_s += 5
    assert log.prune() == [] and log.calls_in_memory == 1
    log.writer.committed = 2
    assert log.prune() == ["c"] and log.calls_in_memory == 0


# ---------------------------------------------------------------- ingest faults


def ingest_hub(random_model, **limits):
    engine = VoskEngine(random_model, "en")
    bus = EventChain()
    registry = CallRunner(lambda lang: engine, bus.publish)
    return bus, registry, limits


def test_a_second_client_on_the_same_call_leg_is_refused_never_mixed(random_model, speech_8k):
    async def scenario():
        bus, registry, _ = ingest_hub(random_model)
        hub, url = await started(bus, registry)
        try:
            leg = f"{url}/ws/ingest?call=c1&lang=en"
            async with connect(leg) as first, connect(leg) as second:
                code, reason = await closed_code(second)
                async with connect(leg + "&role=agent") as agent:
                    await agent.send(b"\0\0" * 800)
                    agent_reply = json.loads(await asyncio.wait_for(agent.recv(), 5))
                    await agent.send('{"eof": 1}')
                    await agent.recv()
                await first.send(speech_8k[:3200])
                first_reply = json.loads(await asyncio.wait_for(first.recv(), 5))
                await first.send('{"eof": 1}')
                await first.recv()
            await asyncio.sleep(0.1)
        finally:
            await hub.stop()
        assert code == CLOSE_SEAT_TAKEN and "customer" in reason
        assert "partial" in first_reply or "text" in first_reply
        assert "partial" in agent_reply or "text" in agent_reply
        kinds = [type(e).__name__ for e in bus.history("c1")]
        assert kinds.count("CallStarted") == 1 and kinds.count("CallEnded") == 1

    asyncio.run(scenario())


def test_an_ingest_peer_that_falls_silent_is_closed_and_the_call_ends_saying_why(random_model):
    async def scenario():
        bus, registry, _ = ingest_hub(random_model)
        hub, url = await started(bus, registry, idle_timeout_s=0.5)
        try:
            async with connect(f"{url}/ws/ingest?call=quiet&lang=en") as ws:
                await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
                await ws.send(b"\0\0" * 800)
                await ws.recv()
                code, reason = await closed_code(ws)
            await asyncio.sleep(0.1)
        finally:
            await hub.stop()
        assert code == CLOSE_IDLE and "no audio" in reason
        ended = [e for e in bus.history("quiet") if isinstance(e, ev.CallEnded)]
        assert len(ended) == 1 and ended[0].reason == "no audio for 0.5 s"

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ('{"eof": "yes"}', "eof"),
        ('{"eof": 0}', "eof"),
        ('{"eof": true}', "eof"),
        ('{"eof": 1.0}', "eof"),
        ('{"reset": 2}', "reset"),
        ('{"config": {"sample_rate": 11025}}', "11025"),
        ('{"config": {"model": "/etc/passwd"}}', "model"),
        ('{"config": {"sample_rate": ' + "9" * 5000 + "}}", "digits"),
        ('{"config": {"sample_rate": 1e308}}', "not supported"),
        ("{not json", "JSON"),
        ('{"dance": 1}', "dance"),
    ],
)
def test_a_bad_control_message_closes_the_stream_with_4400_and_a_short_reason(
    random_model, message, words
):
    async def scenario():
        bus, registry, _ = ingest_hub(random_model)
        hub, url = await started(bus, registry)
        try:
            async with connect(f"{url}/ws/ingest?call=strict&lang=en") as ws:
                await ws.send(message)
                error = json.loads(await asyncio.wait_for(ws.recv(), 5))
                code, reason = await closed_code(ws)
        finally:
            await hub.stop()
        assert code == CLOSE_BAD_REQUEST and words in reason and words in error["error"]
        assert len(error["error"]) < 200 and "9" * 30 not in error["error"]

    asyncio.run(scenario())


def test_a_rejected_sample_rate_takes_no_audio(random_model):
    async def scenario():
        bus, registry, _ = ingest_hub(random_model)
        hub, url = await started(bus, registry)
        try:
            async with connect(f"{url}/ws/ingest?call=rate&lang=en") as ws:
                await ws.send(json.dumps({"config": {"sample_rate": 12345}}))
                await ws.recv()
                with pytest.raises(ConnectionClosed):
                    await ws.send(b"\0\0" * 1600)
                    await asyncio.wait_for(ws.recv(), 5)
            await asyncio.sleep(0.1)
        finally:
            await hub.stop()
        history = bus.history("rate")
        assert not any(isinstance(e, ev.TranscriptPartial | ev.TranscriptFinal) for e in history)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "call_id",
    ["x%1B%5B31mred%0AFAKE%20LINE%20FLAG%20angry", "a%00b", "x" * 65, "%20lead", "a/b"],
)
def test_a_call_id_that_is_not_a_short_printable_token_is_refused(random_model, call_id, caplog):
    async def scenario():
        bus, registry, _ = ingest_hub(random_model)
        hub, url = await started(bus, registry)
        try:
            async with connect(f"{url}/ws/ingest?call={call_id}&lang=en") as ws:
                code, reason = await closed_code(ws)
            async with connect(f"{url}/ws/agent?call={call_id}") as ws:
                agent_code, _ = await closed_code(ws)
        finally:
            await hub.stop()
        assert code == agent_code == CLOSE_BAD_REQUEST
        assert "call id" in reason and reason.isprintable()
        assert not bus.calls
        assert all(
            "\x1b" not in r.getMessage() and "\n" not in r.getMessage() for r in caplog.records
        )

    with caplog.at_level(logging.DEBUG):
        asyncio.run(scenario())


# ---------------------------------------------------------------- slow screens


class RawScreen:
    """A websocket client on a plain socket with a small receive buffer, that
    reads nothing until told to (the websockets client keeps reading into
    its own queue even when asked not to)."""

    def __init__(self, url: str) -> None:
        self.protocol = ClientProtocol(parse_uri(url), max_size=None)
        self.events: list = []

    async def open(self, port: int) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        self.reader, self.writer = await asyncio.open_connection(sock=sock)
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        while self.protocol.handshake_exc is None and self.protocol.state.name == "CONNECTING":
            self.protocol.receive_data(await self.reader.read(65536))
        assert self.protocol.state.name == "OPEN", self.protocol.handshake_exc
        self.events += self.protocol.events_received()[1:]

    def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self.writer.write(data)

    async def read_to_the_end(self, timeout_s: float = 20.0) -> tuple[list, int | None]:
        """(events received, close code) once the server has closed."""
        async with asyncio.timeout(timeout_s):
            while True:
                data = await self.reader.read(1 << 20)
                if not data:
                    self.protocol.receive_eof()
                    break
                self.protocol.receive_data(data)
                self.events += self.protocol.events_received()
                self._flush()
        self.writer.close()
        decoded = [wire.decode(f.data.decode()) for f in self.events if f.opcode.name == "TEXT"]
        close = self.protocol.close_rcvd
        return decoded, close.code if close is not None else None


def overflowed(hub: Hub) -> bool:
    return any(sub.overflowed for sub in hub.bus.all_subscriptions())


def test_a_screen_that_never_reads_is_closed_with_4008_and_resumes_without_loss():
    async def scenario():
        bus = EventChain()
        hub, url = await started(bus, max_queue=50, stall_s=30.0)
        filler = "x" * 8000
        try:
            bus.publish(ev.CallStarted("busy", "en"))
            screen = RawScreen(f"{url}/ws/supervisor")
            await screen.open(hub.port)
            await asyncio.sleep(0.2)
            published = 1
            while published < 3000 and not overflowed(hub):  # the client never reads
                bus.publish(ev.TranscriptFinal("busy", CUSTOMER, f"{published} {filler}"))
                published += 1
                if published % 20 == 0:
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0.5)
            got, code = await screen.read_to_the_end()
            async with connect(f"{url}/ws/supervisor?after={got[-1].seq}") as ws:
                rest = await receive_all(ws, 1.0)
        finally:
            await hub.stop()
        assert published < 3000, "the screen never overflowed"
        assert code == CLOSE_OVERFLOW
        assert [e.seq for e in got + rest] == list(range(1, published + 1))

    asyncio.run(scenario())


def test_a_screen_stalled_on_a_quiet_hub_is_closed_with_4008_not_by_the_keepalive():
    async def scenario():
        bus = EventChain()
        hub, url = await started(bus, stall_s=1.0)
        try:
            bus.publish(ev.CallStarted("big", "en"))
            screen = RawScreen(f"{url}/ws/agent?call=big")
            await screen.open(hub.port)
            await asyncio.sleep(0.2)
            for n in range(20):  # few events, but more bytes than the sockets hold
                bus.publish(ev.TranscriptFinal("big", CUSTOMER, "y" * 500_000 + str(n)))
            await asyncio.sleep(3.0)
            _, code = await screen.read_to_the_end()
        finally:
            await hub.stop()
        assert code == CLOSE_OVERFLOW

    asyncio.run(scenario())


def test_status_gives_counts_for_monitoring_and_no_call_ids():
    async def scenario():
        bus = EventChain()
        hub, _ = await started(bus)
        try:
            bus.publish(ev.CallStarted("secret-call", "en"))
            bus.publish(ev.CallStarted("ended", "en"))
            bus.publish(ev.CallEnded("ended", 1.0))

            def get() -> bytes:
                with urllib.request.urlopen(f"http://127.0.0.1:{hub.port}/status", timeout=5) as r:
                    return r.read()

            body = await asyncio.to_thread(get)
        finally:
            await hub.stop()
        status = json.loads(body)
        assert status["calls_live"] == 1 and status["calls_in_memory"] == 2
        assert status["events_in_memory"] == 3 and status["screens"] == 0
        assert b"secret-call" not in body

    asyncio.run(scenario())


def test_a_call_that_ended_and_goes_on_is_live_again_and_not_forgotten():
    async def scenario():
        clock = Clock()
        log = EventLog(retain_ended_s=10.0, clock=clock)
        log.publish(ev.CallStarted("again", "en"))
        log.publish(ev.CallEnded("again", 3.0))
        clock.now_s += 5
        point = await log.open_call("again")
        clock.now_s += 60
        log.publish(ev.TranscriptFinal("again", CUSTOMER, "I am back"))
        return point, log.prune(), log.calls["again"].live

    point, pruned, live = asyncio.run(scenario())
    assert (point.last_seq, point.audio_s, point.started) == (2, 3.0, True)
    assert pruned == [] and live


def test_nothing_is_read_from_the_store_on_the_event_loop(tmp_path, random_model, speech_8k):
    """Resume from the store, a call continued from the store, a screen for a
    call that left memory: every store read happens in a worker thread."""

    on_loop: list[str] = []

    class Watched(SqliteStore):
        def _read(self, sql, params=()):
            try:
                asyncio.get_running_loop()
                on_loop.append(sql.split(" FROM ")[0])
            except RuntimeError:
                pass  # no loop in this thread: a worker
            return super()._read(sql, params)

    async def scenario():
        path = tmp_path / "calls.sqlite"
        first = EventChain(store=SqliteStore(path))
        first.publish(ev.CallStarted("old", "en", agent_id="s1"))
        first.publish(ev.TranscriptFinal("old", CUSTOMER, "before"))
        first.close_store()
        first.store.close()
        store = Watched(path)
        bus = EventChain(store=store)
        await asyncio.to_thread(bus.restore_calls)
        engine = VoskEngine(random_model, "en")
        registry = CallRunner(lambda lang: engine, bus.publish)
        hub, url = await started(bus, registry)
        try:
            async with connect(f"{url}/ws/agent?call=old&after=1") as ws:
                resumed = await receive_all(ws)
            async with connect(f"{url}/ws/ingest?call=stored-before&lang=en") as ws:
                await ws.send(speech_8k[:3200])
                await ws.recv()
                await ws.send('{"eof": 1}')
                await ws.recv()
            async with connect(f"{url}/ws/agent?call=nowhere") as ws:
                missing = await closed_code(ws)
        finally:
            await hub.stop()
            bus.close_store()
            store.close()
        return resumed, missing

    resumed, missing = asyncio.run(scenario())
    assert [e.text for e in resumed] == ["before"]
    assert missing[0] == 4404
    assert on_loop == []


def test_feedback_with_a_control_character_in_its_suggestion_id_is_refused():
    async def scenario():
        bus = EventChain()
        hub, url = await started(bus)
        try:
            bus.publish(ev.CallStarted("fb", "en"))
            async with connect(f"{url}/ws/agent?call=fb") as ws:
                await receive_all(ws)
                for suggestion_id in ("s#1\n12:00 FAKE LINE", "\x1b[31m", "x" * 65):
                    await ws.send(
                        json.dumps(
                            {
                                "type": "feedback",
                                "call_id": "fb",
                                "suggestion_id": suggestion_id,
                                "verdict": "used",
                            }
                        )
                    )
                got = await receive_all(ws)
        finally:
            await hub.stop()
        assert [type(e).__name__ for e in got] == ["Error"] * 3
        assert not any(isinstance(e, ev.SuggestionFeedback) for e in bus.history("fb"))

    asyncio.run(scenario())
