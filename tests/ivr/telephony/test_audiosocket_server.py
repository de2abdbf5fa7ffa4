import asyncio
import logging
import struct
import time
import uuid

import pytest

from ivr.events import ChannelRole
from ivr.telephony.audiosocket_codec import encode_audio, encode_uuid
from ivr.telephony.audiosocket_server import serve_audiosocket
from ivr.telephony.clients import AudioSocketCaller
from ivr.telephony.line import Line, LineAudio, LineDtmf, LineHangup, LineInfo

HOST = "127.0.0.1"


def telephony_records(caplog, needle: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ivr.telephony" and needle in r.getMessage()]


def test_audio_and_dtmf_arrive_and_the_caller_hangs_up(arun, recorder, make_tone, caplog):
    caplog.set_level(logging.INFO, logger="ivr.telephony")
    speech = make_tone(0.5)

    async def scenario():
        server = await serve_audiosocket(recorder, HOST, 0)
        async with server:
            caller = await AudioSocketCaller(HOST, server.port).connect()
            line = await recorder.next_line()
            assert isinstance(line, Line)
            assert line.info == LineInfo(
                call_id=caller.call_id,
                protocol="audiosocket",
                rate_hz=8000,
                roles=(ChannelRole.CUSTOMER,),
                metadata={"peer": caller.local_address},
            )
            await caller.send_audio(speech, paced=False)
            await caller.send_dtmf("7")
            await caller.send_audio(speech[:640], paced=False)
            await caller.hangup()
            events = await recorder.finished(caller.call_id)
            return caller, events

    caller, events = arun(scenario())
    assert recorder.audio(caller.call_id) == speech + speech[:640]
    dtmf_at = events.index(LineDtmf("7"))
    assert sum(len(e.pcm) for e in events[:dtmf_at] if isinstance(e, LineAudio)) == len(speech)
    assert events[-1] == LineHangup("the peer hung up")
    assert len(telephony_records(caplog, caller.call_id)) == 1


def test_play_is_paced_at_real_time(arun, recorder, make_tone):
    prompt = make_tone(1.0)

    async def scenario():
        async with await serve_audiosocket(recorder, HOST, 0) as server:
            caller = await AudioSocketCaller(HOST, server.port).connect()
            line = await recorder.next_line()
            started = time.monotonic()
            done = await line.play(prompt)
            took_s = time.monotonic() - started
            await asyncio.sleep(0.1)
            await caller.close()
            return caller, done, took_s

    caller, done, took_s = arun(scenario())
    assert done is True
    assert bytes(caller.received) == prompt
    assert len(caller.received_times_s) == 50  # 20 ms frames
    spread_s = caller.received_times_s[-1] - caller.received_times_s[0]
    assert 0.9 <= spread_s < 1.3, spread_s
    assert 0.9 <= took_s < 1.3, took_s


def test_clear_stops_a_play_and_a_new_play_replaces_the_old(arun, recorder, make_tone):
    prompt = make_tone(2.0)

    async def scenario():
        async with await serve_audiosocket(recorder, HOST, 0) as server:
            caller = await AudioSocketCaller(HOST, server.port).connect()
            line = await recorder.next_line()
            play = asyncio.create_task(line.play(prompt))
            await asyncio.sleep(0.3)
            await line.clear()
            cleared = await asyncio.wait_for(play, 0.5)
            await asyncio.sleep(0.1)
            after_clear = len(caller.received)

            first = asyncio.create_task(line.play(prompt))
            await asyncio.sleep(0.2)
            second = await line.play(prompt[:1600])  # 0.1 s
            first_done = await asyncio.wait_for(first, 0.5)
            await caller.close()
            return cleared, after_clear, first_done, second

    cleared, after_clear, first_done, second = arun(scenario())
    assert cleared is False
    assert 0.2 * 16000 <= after_clear <= 0.5 * 16000  # bytes of 8 kHz PCM16
    assert first_done is False
    assert second is True


def test_our_hangup_sends_hangup_and_closes(arun, recorder, make_tone, caplog):
    caplog.set_level(logging.INFO, logger="ivr.telephony")

    async def scenario():
        async with await serve_audiosocket(recorder, HOST, 0) as server:
            caller = await AudioSocketCaller(HOST, server.port).connect()
            line = await recorder.next_line()
            play = asyncio.create_task(line.play(make_tone(2.0)))
            await asyncio.sleep(0.1)
            await line.hangup("transfer")
            assert await caller.wait_closed(2.0)
            events = await recorder.finished(caller.call_id)
            return caller, events, await play, await line.play(make_tone(0.1))

    caller, events, interrupted, after = arun(scenario())
    assert caller.server_hung_up
    assert events[-1] == LineHangup("hung up here: transfer")
    assert interrupted is False and after is False
    records = telephony_records(caplog, caller.call_id)
    assert len(records) == 1 and records[0].levelno == logging.INFO


def _truncated_header(caller):
    return encode_uuid(caller.call_id) + b"\x10\x01", True


def _vanish_mid_frame(caller):
    return encode_uuid(caller.call_id) + encode_audio(bytes(320))[:100], True


def _oversized(caller):
    return encode_uuid(caller.call_id) + struct.pack(">BH", 0x10, 60000) + bytes(100), False


def _unknown_type(caller):
    return encode_uuid(caller.call_id) + b"\x42\x00\x00", False


def _audio_before_uuid(caller):
    return encode_audio(bytes(320)), False


def _uuid_never_sent(caller):
    return b"", False


BAD_INPUTS = {
    "truncated header": (_truncated_header, "mid-frame (header)", "call"),
    "peer vanishing mid-frame": (_vanish_mid_frame, "mid-frame (audio)", "call"),
    "oversized length": (_oversized, "60000 bytes exceeds the limit", "call"),
    "unknown type": (_unknown_type, "unknown AudioSocket message type 0x42", "call"),
    "audio before uuid": (_audio_before_uuid, "audio frame before the UUID", "peer"),
    "uuid never sent": (_uuid_never_sent, "no UUID within 0.3 s", "peer"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_closes_only_that_call(case, arun, recorder, make_tone, caplog):
    caplog.set_level(logging.INFO, logger="ivr.telephony")
    make_bad, message, named_by = BAD_INPUTS[case]
    speech = make_tone(0.6)

    async def scenario():
        async with await serve_audiosocket(recorder, HOST, 0, uuid_timeout_s=0.3) as server:
            good = await AudioSocketCaller(HOST, server.port).connect()
            await recorder.next_line()
            streaming = asyncio.create_task(good.send_audio(speech, paced=True))

            bad = await AudioSocketCaller(HOST, server.port, str(uuid.uuid4())).connect(
                send_uuid=False
            )
            data, then_vanish = make_bad(bad)
            if data:
                await bad.send_raw(data)
            if then_vanish:
                await bad.close()
            else:
                assert await bad.wait_closed(2.0), "the server kept a bad call open"

            await streaming
            await good.hangup()
            good_events = await recorder.finished(good.call_id)
            bad_events = recorder.events.get(bad.call_id)
            return good, bad, good_events, bad_events

    good, bad, good_events, bad_events = arun(scenario())
    # The good call streamed on, undisturbed.
    assert recorder.audio(good.call_id) == speech
    assert good_events[-1] == LineHangup("the peer hung up")
    # The bad call: one log line naming it, with the reason.
    needle = bad.call_id if named_by == "call" else bad.local_address
    records = telephony_records(caplog, needle)
    assert len(records) == 1, [r.getMessage() for r in records]
    assert message in records[0].getMessage()
    assert records[0].levelno == logging.WARNING
    if named_by == "call":
        assert isinstance(bad_events[-1], LineHangup) and message in bad_events[-1].reason
    else:
        assert bad_events is None  # never became a call


def test_a_failing_handler_ends_its_call_only(arun, caplog):
    caplog.set_level(logging.INFO, logger="ivr.telephony")
    played: list[bool] = []
    calls = 0

    async def handler(line):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("driver bug")
        played.append(await line.play(bytes(3200)))

    async def scenario():
        async with await serve_audiosocket(handler, HOST, 0) as server:
            bad = await AudioSocketCaller(HOST, server.port).connect()
            assert await bad.wait_closed(2.0)
            good = await AudioSocketCaller(HOST, server.port).connect()
            assert await good.wait_closed(2.0)  # played, handler finished, call hung up
            return bad, good

    bad, good = arun(scenario())
    assert bad.server_hung_up and good.server_hung_up
    assert played == [True] and len(good.received) == 3200
    bad_lines = [r.getMessage() for r in telephony_records(caplog, bad.call_id)]
    assert "handler failed" in bad_lines[0]
    assert bad_lines[-1].endswith("hung up here: handler failed: RuntimeError")
    assert telephony_records(caplog, good.call_id)[-1].getMessage().endswith("handler finished")


def test_closing_the_server_hangs_up_every_call(arun, recorder):
    async def scenario():
        server = await serve_audiosocket(recorder, HOST, 0, uuid_timeout_s=30)
        call = await AudioSocketCaller(HOST, server.port).connect()
        await recorder.next_line()
        silent = await AudioSocketCaller(HOST, server.port).connect(send_uuid=False)
        started = time.monotonic()
        await server.close()
        assert await call.wait_closed(1.0) and await silent.wait_closed(1.0)
        return call, time.monotonic() - started, await recorder.finished(call.call_id)

    call, took_s, events = arun(scenario())
    assert call.server_hung_up
    assert events[-1] == LineHangup("hung up here: server closing")
    assert took_s < 1.0
