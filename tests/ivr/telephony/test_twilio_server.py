import asyncio
import json
import logging
import time

import numpy as np
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from ivr.audio.g711 import mulaw_decode
from ivr.events import ChannelRole
from ivr.telephony import twilio_codec as tw
from ivr.telephony.clients import TwilioCaller
from ivr.telephony.line import LineDtmf, LineHangup, LineMark
from ivr.telephony.media_ws_server import (
    CLOSE_PROTOCOL_ERROR,
    CLOSE_START_TIMEOUT,
    serve_media_websockets,
)

HOST = "127.0.0.1"


def mulaw_exact(seconds: float, seed: int = 0) -> bytes:
    """PCM16 that survives mu-law exactly (every sample is a decoded code), so
    bytes in == bytes out across the G.711 leg."""
    codes = np.random.default_rng(seed).integers(0, 256, int(seconds * 8000), dtype=np.uint8)
    codes[codes == 0x7F] = 0xFF  # both are zero; zero encodes to 0xFF
    return mulaw_decode(codes).astype("<i2").tobytes()


def url(server) -> str:
    return f"ws://{HOST}:{server.port}/twilio"


def records_naming(caplog, needle: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ivr.telephony" and needle in r.getMessage()]


def test_start_media_dtmf_stop(arun, recorder, caplog):
    caplog.set_level(logging.INFO, logger="ivr.telephony")
    speech = mulaw_exact(0.5)

    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            caller = TwilioCaller(url(server), custom_parameters={"lang": "ru", "seat": "a1"})
            await caller.connect()
            line = await recorder.next_line()
            await caller.send_audio(speech, paced=False)
            await caller.send_dtmf("9")
            await caller.stop()
            return caller, line, await recorder.finished(caller.call_sid)

    caller, line, events = arun(scenario())
    assert line.info.call_id == caller.call_sid
    assert line.info.protocol == "twilio" and line.info.rate_hz == 8000
    assert line.info.roles == (ChannelRole.CUSTOMER,)
    assert line.info.metadata["lang"] == "ru" and line.info.metadata["seat"] == "a1"
    assert line.info.metadata["stream_sid"] == caller.stream_sid
    assert recorder.audio(caller.call_sid) == speech
    assert LineDtmf("9") in events
    assert events[-1] == LineHangup("the stream stopped")
    assert len(records_naming(caplog, caller.call_sid)) == 1


def test_play_completes_when_the_mark_comes_back(arun, recorder):
    prompt = mulaw_exact(1.0, seed=1)

    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            caller = await TwilioCaller(url(server)).connect()
            line = await recorder.next_line()
            started = time.monotonic()
            done = await line.play(prompt)
            took_s = time.monotonic() - started
            await caller.stop()
            return caller, done, took_s, await recorder.finished(caller.call_sid)

    caller, done, took_s, events = arun(scenario())
    assert done is True
    assert bytes(caller.received) == prompt
    assert caller.marks_echoed == ["play-1"]
    assert LineMark("play-1") in events
    assert 0.9 <= took_s < 1.5, took_s


def test_clear_and_replacing_a_play(arun, recorder):
    prompt = mulaw_exact(2.0, seed=2)

    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            caller = await TwilioCaller(url(server)).connect()
            line = await recorder.next_line()
            play = asyncio.create_task(line.play(prompt))
            await asyncio.sleep(0.3)
            await line.clear()
            cleared = await asyncio.wait_for(play, 0.5)
            first = asyncio.create_task(line.play(prompt))
            await asyncio.sleep(0.2)
            second = await line.play(prompt[:1600])
            first_done = await asyncio.wait_for(first, 0.5)
            await caller.stop()
            return caller, cleared, first_done, second

    caller, cleared, first_done, second = arun(scenario())
    assert cleared is False and first_done is False and second is True
    assert caller.clears == 2
    assert caller.marks_echoed == ["play-1", "play-2", "play-3"]  # clear echoes pending marks


def test_our_hangup_closes_the_stream(arun, recorder):
    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            caller = await TwilioCaller(url(server)).connect()
            line = await recorder.next_line()
            await line.hangup("done")
            assert await caller.wait_closed(2.0)
            return caller, await recorder.finished(caller.call_sid)

    caller, events = arun(scenario())
    assert caller.close_code == 1000
    assert events[-1] == LineHangup("hung up here: done")


def _media_before_start(caller):
    return [tw.encode_connected(), tw.encode_inbound_media(1, caller.stream_sid, 1, 0, b"\xff")]


def _bad_json_after_start(caller):
    return [tw.encode_start(1, caller.stream_sid, caller.call_sid), '{"event": "media", ']


def _oversized_after_start(caller):
    big = tw.encode_inbound_media(2, caller.stream_sid, 1, 0, bytes(70_000))
    return [tw.encode_start(1, caller.stream_sid, caller.call_sid), big]


def _unknown_event_after_start(caller):
    return [tw.encode_start(1, caller.stream_sid, caller.call_sid), json.dumps({"event": "zap"})]


def _never_starts(caller):
    return [tw.encode_connected()]


BAD = {
    "media before start": (_media_before_start, "media message before start", "peer", 4400),
    "bad json": (_bad_json_after_start, "not JSON", "call", CLOSE_PROTOCOL_ERROR),
    "oversized message": (_oversized_after_start, "message too big", "call", 1009),
    "unknown event": (_unknown_event_after_start, "unknown Twilio event 'zap'", "call", 4400),
    "no start": (_never_starts, "no start within 0.3 s", "peer", CLOSE_START_TIMEOUT),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_closes_only_that_call(case, arun, recorder, caplog):
    caplog.set_level(logging.INFO, logger="ivr.telephony")
    make, message, named_by, code = BAD[case]
    speech = mulaw_exact(0.6, seed=3)

    async def scenario():
        server = await serve_media_websockets(recorder, HOST, 0, start_timeout_s=0.3)
        async with server:
            good = await TwilioCaller(url(server)).connect()
            await recorder.next_line()
            streaming = asyncio.create_task(good.send_audio(speech, paced=True))
            bad = await TwilioCaller(url(server)).connect(start=False)
            peer = "{}:{}".format(*bad.ws.local_address[:2])
            for text in make(bad):
                await bad.send_raw(text)
            assert await bad.wait_closed(2.0), "the server kept a bad call open"
            await streaming
            await good.stop()
            return good, bad, peer, await recorder.finished(good.call_sid)

    good, bad, peer, good_events = arun(scenario())
    assert recorder.audio(good.call_sid) == speech
    assert good_events[-1] == LineHangup("the stream stopped")
    assert bad.close_code == code
    records = records_naming(caplog, bad.call_sid if named_by == "call" else peer)
    assert len(records) == 1, [r.getMessage() for r in records]
    assert message in records[0].getMessage() and records[0].levelno == logging.WARNING
    if named_by == "call":
        assert message in recorder.events[bad.call_sid][-1].reason


def test_unknown_path_is_404(arun, recorder):
    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            with pytest.raises(InvalidStatus) as info:
                await connect(f"ws://{HOST}:{server.port}/nowhere", open_timeout=2)
            return info.value.response.status_code

    assert arun(scenario()) == 404


def test_both_tracks_give_customer_and_agent(arun, recorder):
    customer, agent = mulaw_exact(0.2, seed=4), mulaw_exact(0.2, seed=5)

    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            caller = TwilioCaller(url(server), tracks=("inbound", "outbound"))
            await caller.connect()
            line = await recorder.next_line()
            await caller.send_audio(customer, paced=False)
            await caller.send_audio(agent, paced=False, track="outbound")
            await caller.stop()
            await recorder.finished(caller.call_sid)
            return caller, line

    caller, line = arun(scenario())
    assert line.info.roles == (ChannelRole.CUSTOMER, ChannelRole.AGENT)
    assert recorder.audio(caller.call_sid, ChannelRole.CUSTOMER) == customer
    assert recorder.audio(caller.call_sid, ChannelRole.AGENT) == agent
