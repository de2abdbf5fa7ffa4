"""Every telephony ingress ends a call whose peer falls silent (wall clock,
not audio time: no audio means no audio clock), and refuses call ids that
are not short printable tokens; client text in log lines is escaped."""

import logging

import pytest

from ivr.telephony.audiosocket_server import serve_audiosocket
from ivr.telephony.clients import AudioForkCaller, AudioSocketCaller, TwilioCaller
from ivr.telephony.ids import BadId, check_id, printable
from ivr.telephony.line import LineHangup
from ivr.telephony.media_ws_server import CLOSE_PROTOCOL_ERROR, serve_media_websockets

IDLE_S = 0.4


@pytest.mark.parametrize("partial_frame", [False, True])
def test_an_audiosocket_peer_that_sends_nothing_after_its_uuid_is_hung_up(
    arun, recorder, partial_frame
):
    async def scenario():
        server = await serve_audiosocket(recorder, idle_timeout_s=IDLE_S)
        try:
            caller = await AudioSocketCaller("127.0.0.1", server.port).connect()
            await caller.send_audio(b"\0\0" * 160, paced=False)
            if partial_frame:
                await caller.send_raw(b"\x10\x01\x40")  # a header promising 320 bytes, then nothing
            events = await recorder.finished(caller.call_id, timeout_s=5)
            hung_up = await caller.wait_closed(3)
            await caller.close()
        finally:
            await server.close()
        assert isinstance(events[-1], LineHangup)
        assert events[-1].reason == f"no audio for {IDLE_S:g} s"
        assert hung_up

    arun(scenario())


def test_media_websocket_peers_that_fall_silent_are_closed(arun, recorder):
    async def scenario():
        server = await serve_media_websockets(recorder, idle_timeout_s=IDLE_S)
        url = f"ws://127.0.0.1:{server.port}"
        try:
            twilio = await TwilioCaller(f"{url}/twilio").connect()
            fork = await AudioForkCaller(f"{url}/audio_fork", metadata={"callId": "f-1"}).connect()
            ended = [
                await recorder.finished(twilio.call_sid, timeout_s=5),
                await recorder.finished("f-1", timeout_s=5),
            ]
            closed = [await twilio.wait_closed(3), await fork.wait_closed(3)]
            codes = [twilio.close_code, fork.close_code]
        finally:
            await server.close()
        assert all(e[-1].reason == f"no audio for {IDLE_S:g} s" for e in ended)
        assert all(closed) and codes == [4408, 4408]

    arun(scenario())


@pytest.mark.parametrize(
    "metadata", [{"callId": "x\x1b[31m\nFAKE LINE"}, {"callId": "y" * 200}, {"callId": "a/b"}]
)
def test_an_audio_fork_call_id_that_is_not_a_token_is_refused(arun, recorder, metadata, caplog):
    async def scenario():
        server = await serve_media_websockets(recorder)
        try:
            caller = await AudioForkCaller(
                f"ws://127.0.0.1:{server.port}/audio_fork", metadata=metadata
            ).connect()
            await caller.wait_closed(3)
        finally:
            await server.close()
        return caller.close_code

    with caplog.at_level(logging.INFO, logger="ivr.telephony"):
        code = arun(scenario())
    assert code == CLOSE_PROTOCOL_ERROR
    assert not recorder.events
    for record in caplog.records:
        assert "\x1b" not in record.getMessage() and "\n" not in record.getMessage()


def test_a_twilio_call_sid_that_is_not_a_token_is_refused(arun, recorder):
    async def scenario():
        server = await serve_media_websockets(recorder)
        try:
            caller = await TwilioCaller(
                f"ws://127.0.0.1:{server.port}/twilio", call_sid="CA\x00\x07bell"
            ).connect()
            await caller.wait_closed(3)
        finally:
            await server.close()
        return caller.close_code

    assert arun(scenario()) == CLOSE_PROTOCOL_ERROR
    assert not recorder.events


def test_ids_and_printable():
    assert check_id("CA0123abcd") == "CA0123abcd"
    assert check_id("7b1c-44:a@b.c+d_e") == "7b1c-44:a@b.c+d_e"
    for bad in ("", "-lead", "a b", "x\n", "é", "x" * 65, None, 5):
        with pytest.raises(BadId):
            check_id(bad)
    assert printable("a\x1b[31m\nb") == "a\\x1b[31m\\nb"
    assert printable("z" * 300, 10) == "z" * 10 + "…"
