import struct
import uuid

import pytest

from ivr.telephony.audiosocket_codec import (
    FRAME_BYTES,
    MAX_AUDIO_PAYLOAD_BYTES,
    AudioSocketParser,
    Frame,
    FrameType,
    ProtocolError,
    encode_audio,
    encode_dtmf,
    encode_error,
    encode_hangup,
    encode_uuid,
    split_audio,
)

CALL = "4a1f2b3c-5d6e-4f70-8192-a3b4c5d6e7f8"
AUDIO = bytes(range(256)) + bytes(64)  # 320 bytes: one 20 ms frame


def stream() -> bytes:
    return (
        encode_uuid(CALL)
        + encode_audio(AUDIO)
        + encode_dtmf("5")
        + encode_audio(AUDIO[:2])
        + encode_error(0x02)
        + encode_hangup()
    )


EXPECTED = [
    Frame(FrameType.UUID, uuid.UUID(CALL).bytes),
    Frame(FrameType.AUDIO, AUDIO),
    Frame(FrameType.DTMF, b"5"),
    Frame(FrameType.AUDIO, AUDIO[:2]),
    Frame(FrameType.ERROR, b"\x02"),
    Frame(FrameType.HANGUP, b""),
]


def test_wire_layout_type_then_big_endian_length():
    assert encode_hangup() == b"\x00\x00\x00"
    assert encode_uuid(CALL) == b"\x01\x00\x10" + uuid.UUID(CALL).bytes
    assert encode_dtmf("#") == b"\x03\x00\x01#"
    assert encode_audio(AUDIO)[:3] == b"\x10\x01\x40"  # 320 = 0x0140, big-endian
    assert encode_error(0xAB) == b"\xff\x00\x01\xab"
    assert encode_error() == b"\xff\x00\x00"


def test_several_frames_in_one_read():
    parser = AudioSocketParser()
    frames = parser.feed(stream())
    assert frames == EXPECTED
    assert parser.uuid == CALL
    assert frames[0].uuid == CALL
    assert frames[2].digit == "5"
    assert frames[4].error_code == 2
    parser.finish()


@pytest.mark.parametrize("cut", range(1, len(encode_uuid(CALL) + encode_audio(AUDIO)) + 20))
def test_split_at_every_byte_boundary(cut):
    data = stream()
    parser = AudioSocketParser()
    frames = parser.feed(data[:cut]) + parser.feed(data[cut:])
    assert frames == EXPECTED
    parser.finish()


def test_one_byte_at_a_time():
    parser = AudioSocketParser()
    frames = []
    for i, byte in enumerate(stream()):
        frames += parser.feed(bytes([byte]))
        if i == 0:
            assert parser.pending_bytes == 1
    assert frames == EXPECTED


def bad(data: bytes, **kwargs) -> str:
    parser = AudioSocketParser(**kwargs)
    with pytest.raises(ProtocolError) as info:
        parser.feed(data)
    return str(info.value)


def test_unknown_type():
    assert "unknown AudioSocket message type 0x42" in bad(b"\x42\x00\x00")


def test_higher_rate_types_are_refused_with_the_reason():
    message = bad(encode_uuid(CALL) + b"\x12\x00\x02\x00\x00")
    assert "0x12" in message and "not supported" in message and "0x10" in message


def test_oversized_audio_is_refused_from_its_header():
    # The header alone is enough: no need to wait for 9000 bytes that may never come.
    message = bad(encode_uuid(CALL) + struct.pack(">BH", 0x10, 9000))
    assert "9000 bytes exceeds the limit of 8192" in message
    assert MAX_AUDIO_PAYLOAD_BYTES == 8192
    assert "700 bytes exceeds the limit of 640" in bad(
        encode_uuid(CALL) + struct.pack(">BH", 0x10, 700), max_payload_bytes=640
    )


def test_uuid_of_wrong_length():
    assert "UUID frame of 15 bytes" in bad(b"\x01\x00\x0f" + bytes(15))


def test_audio_before_uuid():
    assert "audio frame before the UUID" in bad(encode_audio(AUDIO))


def test_dtmf_before_uuid():
    assert "DTMF frame before the UUID" in bad(encode_dtmf("1"))


def test_second_uuid():
    assert "second UUID" in bad(encode_uuid(CALL) + encode_uuid(uuid.uuid4()))


def test_empty_audio():
    assert "empty audio frame" in bad(encode_uuid(CALL) + b"\x10\x00\x00")


def test_odd_audio():
    assert "odd byte count (3)" in bad(encode_uuid(CALL) + b"\x10\x00\x03abc")


def test_bad_dtmf():
    assert "invalid digit" in bad(encode_uuid(CALL) + b"\x03\x00\x01x")
    assert "DTMF frame of 2 bytes" in bad(encode_uuid(CALL) + b"\x03\x00\x0212")


def test_hangup_with_payload():
    assert "hangup frame with a 1-byte payload" in bad(b"\x00\x00\x01\x00")


def test_a_failed_parser_stays_failed():
    parser = AudioSocketParser()
    with pytest.raises(ProtocolError):
        parser.feed(b"\x42\x00\x00")
    with pytest.raises(ProtocolError, match="already failed"):
        parser.feed(encode_hangup())


def test_truncated_header_at_eof():
    parser = AudioSocketParser()
    parser.feed(encode_uuid(CALL) + b"\x10\x01")
    with pytest.raises(ProtocolError, match=r"mid-frame \(header\): 2 of 3 header bytes"):
        parser.finish()


def test_truncated_payload_at_eof():
    parser = AudioSocketParser()
    parser.feed(encode_uuid(CALL) + encode_audio(AUDIO)[:103])
    with pytest.raises(ProtocolError, match=r"mid-frame \(audio\): 100 of 320 payload bytes"):
        parser.finish()


def test_client_side_parser_expects_no_uuid():
    parser = AudioSocketParser(expect_uuid=False)
    assert parser.feed(encode_audio(AUDIO) + encode_hangup()) == [
        Frame(FrameType.AUDIO, AUDIO),
        Frame(FrameType.HANGUP),
    ]
    with pytest.raises(ProtocolError, match="unexpected UUID"):
        AudioSocketParser(expect_uuid=False).feed(encode_uuid(CALL))


def test_encoders_refuse_what_asterisk_would_reject():
    with pytest.raises(ValueError, match="empty"):
        encode_audio(b"")
    with pytest.raises(ValueError, match="odd"):
        encode_audio(b"abc")
    with pytest.raises(ValueError, match="65535"):
        encode_audio(bytes(70000))
    with pytest.raises(ValueError, match="DTMF"):
        encode_dtmf("x")
    with pytest.raises(ValueError):
        encode_uuid("not-a-uuid")
    with pytest.raises(ValueError):
        encode_error(256)


def test_split_audio_keeps_every_byte():
    pcm = bytes(range(200)) * 5  # 1000 bytes
    pieces = split_audio(pcm)
    assert [len(p) for p in pieces] == [FRAME_BYTES, FRAME_BYTES, FRAME_BYTES, 40]
    assert b"".join(pieces) == pcm
    with pytest.raises(ValueError):
        split_audio(b"abc")


def test_audio_payloads_agree_with_feed_or_step_aside():
    """The quick way for reads of whole audio frames gives feed's payloads;
    anything else (a cut frame, another type, a bad length, a pending
    partial frame, no UUID yet) is left to feed."""
    import random

    rng = random.Random(3)
    pieces = [encode_audio(bytes(rng.randrange(256) for _ in range(2 * rng.randint(1, 200))))
              for _ in range(40)]  # fmt: skip
    pieces[7] = encode_dtmf("5")
    reads = [encode_uuid(uuid.uuid4())]
    for piece in [*pieces, encode_hangup()]:
        if rng.random() < 0.35:  # whole
            reads.append(piece)
        elif rng.random() < 0.5:  # in the same read as the one before
            reads[-1] += piece
        else:  # cut somewhere
            cut = rng.randrange(1, len(piece)) if len(piece) > 1 else 1
            reads += [piece[:cut], piece[cut:]]
    quick, plain = AudioSocketParser(), AudioSocketParser()
    fast_reads, got, want = 0, [], []
    for data in reads:
        want += [f.payload for f in plain.feed(data) if f.type is FrameType.AUDIO]
        payloads = quick.audio_payloads(data)
        if payloads is None:
            got += [f.payload for f in quick.feed(data) if f.type is FrameType.AUDIO]
        else:
            fast_reads += 1
            got += payloads
    assert got == want and len(want) == 39
    assert fast_reads > 0
    # whole frames only: the quick way takes them
    parser = AudioSocketParser()
    parser.feed(encode_uuid(uuid.uuid4()))
    frames = encode_audio(bytes(320)) + encode_audio(bytes(range(160)) * 2)
    assert parser.audio_payloads(frames) == [bytes(320), bytes(range(160)) * 2]
    for bad in (
        frames[:-1],  # cut
        encode_audio(bytes(320)) + encode_dtmf("1"),  # another type
        b"\x10\x00\x00",  # empty audio
        b"\x10\x00\x03abc",  # odd
        b"\x10\x20\x02" + bytes(0x2002),  # over the limit
    ):
        assert parser.audio_payloads(bad) is None
    assert AudioSocketParser().audio_payloads(frames) is None  # before the UUID
    parser.feed(frames[:5])
    assert parser.audio_payloads(frames) is None  # a frame in progress
