import base64
import json

import pytest

from ivr.telephony import twilio_codec as tw
from ivr.telephony.twilio_codec import ProtocolError

SID = "MZ0123456789abcdef0123456789abcdef"
CALL = "CA0123456789abcdef0123456789abcdef"


def started() -> tw.TwilioStreamParser:
    parser = tw.TwilioStreamParser()
    parser.parse(tw.encode_connected())
    parser.parse(tw.encode_start(1, SID, CALL, custom_parameters={"lang": "ru", "seat": "a1"}))
    return parser


def test_start_as_twilio_sends_it():
    # The shape of Twilio's documented start message, numbers as strings.
    text = json.dumps(
        {
            "event": "start",
            "sequenceNumber": "1",
            "start": {
                "accountSid": "AC1",
                "streamSid": SID,
                "callSid": CALL,
                "tracks": ["inbound"],
                "customParameters": {"FirstName": "Jane", "n": 3},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
            "streamSid": SID,
        }
    )
    start = tw.TwilioStreamParser().parse(text)
    assert start == tw.TwilioStart(
        stream_sid=SID,
        call_sid=CALL,
        account_sid="AC1",
        tracks=("inbound",),
        custom_parameters={"FirstName": "Jane", "n": "3"},
    )


def test_round_trip_of_twilios_messages():
    parser = tw.TwilioStreamParser()
    assert parser.parse(tw.encode_connected()) == tw.TwilioConnected("Call", "1.0.0")
    start = parser.parse(tw.encode_start(1, SID, CALL, custom_parameters={"lang": "ru"}))
    assert isinstance(start, tw.TwilioStart) and start.custom_parameters == {"lang": "ru"}
    media = parser.parse(tw.encode_inbound_media(2, SID, 7, 120, b"\xff\x7f\x00"))
    assert media == tw.TwilioMedia(
        track="inbound", chunk=7, timestamp_ms=120, mulaw=b"\xff\x7f\x00"
    )
    assert parser.parse(tw.encode_dtmf(3, SID, "#")) == tw.TwilioDtmf("inbound_track", "#")
    assert parser.parse(tw.encode_mark_echo(4, SID, "play-1")) == tw.TwilioMark("play-1")
    assert parser.parse(tw.encode_stop(5, SID, CALL)) == tw.TwilioStop(CALL)


def test_numeric_fields_arrive_as_strings():
    message = json.loads(tw.encode_inbound_media(12, SID, 3, 60, b"\x01"))
    assert message["sequenceNumber"] == "12"
    assert message["media"]["chunk"] == "3" and message["media"]["timestamp"] == "60"


def test_our_answers():
    assert json.loads(tw.encode_media(SID, b"\x01\x02")) == {
        "event": "media",
        "streamSid": SID,
        "media": {"payload": base64.b64encode(b"\x01\x02").decode()},
    }
    assert json.loads(tw.encode_mark(SID, "m")) == {
        "event": "mark",
        "streamSid": SID,
        "mark": {"name": "m"},
    }
    assert json.loads(tw.encode_clear(SID)) == {"event": "clear", "streamSid": SID}
    assert tw.parse_outbound(tw.encode_media(SID, b"\x01\x02")) == tw.TwilioPlayMedia(b"\x01\x02")
    assert tw.parse_outbound(tw.encode_mark(SID, "m")) == tw.TwilioPlayMark("m")
    assert tw.parse_outbound(tw.encode_clear(SID)) == tw.TwilioClear()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"streamSid": "x"}', "without an 'event'"),
        ('{"event": "hello"}', "unknown Twilio event 'hello'"),
    ],
)
def test_bad_messages(text, message):
    with pytest.raises(ProtocolError, match=message):
        tw.TwilioStreamParser().parse(text)


@pytest.mark.parametrize("event", ["media", "dtmf", "mark", "stop"])
def test_events_before_start(event):
    texts = {
        "media": tw.encode_inbound_media(1, SID, 1, 0, b"\x00"),
        "dtmf": tw.encode_dtmf(1, SID, "1"),
        "mark": tw.encode_mark_echo(1, SID, "m"),
        "stop": tw.encode_stop(1, SID, CALL),
    }
    with pytest.raises(ProtocolError, match=f"{event} message before start"):
        tw.TwilioStreamParser().parse(texts[event])


def test_order_and_content_checks():
    parser = started()
    with pytest.raises(ProtocolError, match="second start"):
        parser.parse(tw.encode_start(2, SID, CALL))
    with pytest.raises(ProtocolError, match="for stream 'MZother'"):
        parser.parse(tw.encode_inbound_media(2, "MZother", 1, 0, b"\x00"))
    bad_b64 = json.dumps({"event": "media", "streamSid": SID, "media": {"payload": "%%%"}})
    with pytest.raises(ProtocolError, match="not base64"):
        parser.parse(bad_b64)
    bad_chunk = json.loads(tw.encode_inbound_media(3, SID, 1, 0, b"\x00"))
    bad_chunk["media"]["chunk"] = "one"
    with pytest.raises(ProtocolError, match="'chunk' is not a whole number"):
        parser.parse(json.dumps(bad_chunk))
    with pytest.raises(ProtocolError, match="not a keypad digit"):
        parser.parse(tw.encode_dtmf(4, SID, "x"))
    parser.parse(tw.encode_stop(5, SID, CALL))
    with pytest.raises(ProtocolError, match="media message after stop"):
        parser.parse(tw.encode_inbound_media(6, SID, 2, 20, b"\x00"))


def test_unsupported_media_format():
    start = json.loads(tw.encode_start(1, SID, CALL))
    start["start"]["mediaFormat"]["sampleRate"] = 16000
    with pytest.raises(ProtocolError, match="unsupported media format"):
        tw.TwilioStreamParser().parse(json.dumps(start))
