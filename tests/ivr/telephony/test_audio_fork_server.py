import asyncio
import logging
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from ivr.events import ChannelRole
from ivr.telephony.audio_fork_codec import SUBPROTOCOL
from ivr.telephony.clients import AudioForkCaller, interleave
from ivr.telephony.line import LineHangup, LineInfo
from ivr.telephony.media_ws_server import CLOSE_PROTOCOL_ERROR, serve_media_websockets

HOST = "127.0.0.1"


def url(server, query: str = "") -> str:
    return f"ws://{HOST}:{server.port}/audio_fork{query}"


def records_naming(caplog, needle: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ivr.telephony" and needle in r.getMessage()]


def test_mono_metadata_and_audio(arun, recorder, make_tone):
    speech = make_tone(0.5)
    metadata = {"callId": "fs-1", "from": "+15550001", "seat": "a1"}

    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            caller = await AudioForkCaller(url(server), metadata=metadata).connect()
            line = await recorder.next_line()
            await caller.send_audio(speech, paced=False)
            await caller.close()
            return caller, line, await recorder.finished("fs-1")

    caller, line, events = arun(scenario())
    assert caller.subprotocol == SUBPROTOCOL
    assert line.info == LineInfo(
        call_id="fs-1",
        protocol="audio_fork",
        rate_hz=8000,
        roles=(ChannelRole.CUSTOMER,),
        metadata={**metadata, "peer": line.info.metadata["peer"]},
    )
    assert recorder.audio("fs-1") == speech
    assert events[-1] == LineHangup("connection closed by the peer (1000)")


def test_stereo_is_split_into_customer_and_agent(arun, recorder, make_tone):
    customer = make_tone(0.4, 16000, 300.0)
    agent = make_tone(0.4, 16000, 900.0)

    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            caller = AudioForkCaller(
                url(server, "?mix=stereo&rate=16k"),
                metadata={"uuid": "fs-2"},
                channels=2,
                rate_hz=16000,
            )
            await caller.connect()
            line = await recorder.next_line()
            await caller.send_audio(interleave(customer, agent), paced=False)
            await caller.close()
            await recorder.finished("fs-2")
            return line

    line = arun(scenario())
    assert line.info.rate_hz == 16000
    assert line.info.roles == (ChannelRole.CUSTOMER, ChannelRole.AGENT)
    assert recorder.audio("fs-2", ChannelRole.CUSTOMER) == customer
    assert recorder.audio("fs-2", ChannelRole.AGENT) == agent


def test_without_metadata_the_call_gets_an_id(arun, recorder, make_tone):
    speech = make_tone(0.2)

    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            caller = await AudioForkCaller(url(server)).connect()
            await caller.send_audio(speech, paced=False)
            line = await recorder.next_line()
            await caller.close()
            await recorder.finished(line.info.call_id)
            return line

    line = arun(scenario())
    assert line.info.call_id.startswith("fork-")
    assert recorder.audio(line.info.call_id) == speech


def test_play_takes_its_duration_and_clear_kills_it(arun, recorder, make_tone):
    prompt = make_tone(1.0)

    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            caller = await AudioForkCaller(url(server), metadata="plain text").connect()
            line = await recorder.next_line()
            started = time.monotonic()
            done = await line.play(prompt)
            took_s = time.monotonic() - started
            play = asyncio.create_task(line.play(prompt))
            await asyncio.sleep(0.2)
            await line.clear()
            cleared = await asyncio.wait_for(play, 0.5)
            await asyncio.sleep(0.1)
            await line.hangup()
            assert await caller.wait_closed(2.0)
            return caller, line, done, took_s, cleared

    caller, line, done, took_s, cleared = arun(scenario())
    assert line.info.metadata["metadata"] == "plain text"
    assert done is True and 0.95 <= took_s < 1.4, took_s
    assert cleared is False
    assert [(p.pcm, p.rate_hz) for p in caller.plays] == [(prompt, 8000), (prompt, 8000)]
    assert caller.kills == 1
    assert caller.disconnects == 1 and caller.close_code == 1000


@pytest.mark.parametrize(
    ("query", "channels", "frame", "message"),
    [
        ("", 1, b"\x01\x02\x03", "mono L16 frame of 3 bytes"),
        ("?mix=stereo", 2, b"\x01\x02\x03\x04\x05\x06", "stereo L16 frame of 6 bytes"),
    ],
)
def test_bad_frame_closes_only_that_call(
    query, channels, frame, message, arun, recorder, make_tone, caplog
):
    caplog.set_level(logging.INFO, logger="ivr.telephony")
    speech = make_tone(0.6)

    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            good = await AudioForkCaller(url(server), metadata={"callId": "good"}).connect()
            await recorder.next_line()
            streaming = asyncio.create_task(good.send_audio(speech, paced=True))
            bad = AudioForkCaller(url(server, query), metadata={"callId": "bad"}, channels=channels)
            await bad.connect()
            await bad.send_raw(bytes(4 * channels))  # one good frame first
            await bad.send_raw(frame)
            assert await bad.wait_closed(2.0)
            await streaming
            await good.close()
            return bad, await recorder.finished("good"), await recorder.finished("bad")

    bad, good_events, bad_events = arun(scenario())
    assert recorder.audio("good") == speech
    assert good_events[-1].reason.startswith("connection closed by the peer (1000")
    assert bad.close_code == CLOSE_PROTOCOL_ERROR
    assert message in bad_events[-1].reason
    records = records_naming(caplog, "call bad ")
    assert len(records) == 1 and message in records[0].getMessage()


def test_bad_query_is_refused_at_the_handshake(arun, recorder):
    async def scenario():
        async with await serve_media_websockets(recorder, HOST, 0) as server:
            with pytest.raises(InvalidStatus) as info:
                await connect(url(server, "?mix=quad"), open_timeout=2)
            return info.value.response.status_code

    assert arun(scenario()) == 400
