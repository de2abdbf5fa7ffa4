import base64
import json

import numpy as np
import pytest

from ivr.telephony import audio_fork_codec as fork
from ivr.telephony.audio_fork_codec import ForkFormat, ProtocolError


def test_format_from_the_uuid_audio_fork_words():
    assert fork.parse_format() == ForkFormat(1, 8000)
    assert fork.parse_format("stereo", "16k") == ForkFormat(2, 16000)
    assert fork.parse_format("mixed", "8000") == ForkFormat(1, 8000)
    with pytest.raises(ProtocolError, match="unknown mix 'quad'"):
        fork.parse_format("quad")
    with pytest.raises(ProtocolError, match="unsupported rate '44k'"):
        fork.parse_format("mono", "44k")


def test_json_metadata_is_flattened_and_names_the_call():
    meta = fork.parse_metadata(
        json.dumps({"callId": "c-17", "from": "+100", "n": 2, "x": {"seat": "a1", "ok": True}})
    )
    assert meta.call_id == "c-17"
    assert meta.fields == {
        "callId": "c-17",
        "from": "+100",
        "n": "2",
        "x.seat": "a1",
        "x.ok": "true",
    }


def test_plain_metadata_is_kept_as_text():
    meta = fork.parse_metadata("agent a1 queue billing")
    assert meta.fields == {"metadata": "agent a1 queue billing"}
    assert meta.call_id is None
    assert fork.parse_metadata('{"uuid": "u-1"}').call_id == "u-1"


def test_mono_frames_pass_through():
    parser = fork.AudioForkParser(ForkFormat(1, 8000))
    parser.text('{"callId": "c"}')
    assert parser.binary(b"\x01\x02\x03\x04") == (b"\x01\x02\x03\x04",)


def test_stereo_left_is_the_customer_right_the_agent():
    customer = np.array([1, 2, 3, -4], dtype="<i2")
    agent = np.array([100, 200, -300, 400], dtype="<i2")
    stereo = np.column_stack([customer, agent]).astype("<i2").tobytes()
    parser = fork.AudioForkParser(ForkFormat(2, 16000))
    assert parser.binary(stereo) == (customer.tobytes(), agent.tobytes())


def test_bad_frames():
    mono = fork.AudioForkParser(ForkFormat(1, 8000))
    with pytest.raises(ProtocolError, match="mono L16 frame of 3 bytes"):
        mono.binary(b"abc")
    stereo = fork.AudioForkParser(ForkFormat(2, 8000))
    with pytest.raises(ProtocolError, match=r"stereo L16 frame of 6 bytes .* 4-byte"):
        stereo.binary(bytes(6))
    with pytest.raises(ProtocolError, match="empty audio frame"):
        stereo.binary(b"")
    with pytest.raises(ProtocolError, match="exceeds the limit of 64 bytes"):
        fork.AudioForkParser(ForkFormat(1, 8000), max_frame_bytes=64).binary(bytes(66))


def test_no_text_after_the_stream_started():
    parser = fork.AudioForkParser(ForkFormat(1, 8000))
    parser.binary(bytes(4))  # metadata is optional: audio may come first
    with pytest.raises(ProtocolError, match="unexpected text"):
        parser.text("{}")
    parser = fork.AudioForkParser(ForkFormat(1, 8000))
    parser.text("{}")
    with pytest.raises(ProtocolError, match="unexpected text"):
        parser.text("{}")


def test_server_commands_round_trip():
    pcm = bytes(range(40))
    message = json.loads(fork.encode_play_audio(pcm, 16000))
    assert message == {
        "type": "playAudio",
        "data": {
            "audioContentType": "raw",
            "sampleRate": 16000,
            "audioContent": base64.b64encode(pcm).decode(),
        },
    }
    assert fork.parse_server_message(fork.encode_play_audio(pcm, 8000)) == fork.ForkPlayAudio(
        pcm, 8000
    )
    assert fork.parse_server_message(fork.encode_kill_audio()) == fork.ForkKillAudio()
    assert fork.parse_server_message(fork.encode_disconnect()) == fork.ForkDisconnect()
    assert fork.parse_server_message('{"type": "transfer", "data": {"to": "x"}}') == (
        fork.ForkOther("transfer", {"to": "x"})
    )
    with pytest.raises(ProtocolError, match="not JSON"):
        fork.parse_server_message("nope")
    with pytest.raises(ValueError, match="odd"):
        fork.encode_play_audio(b"abc", 8000)
