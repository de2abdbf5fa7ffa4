"""WAV / raw G.711 reading, its errors, and WavSource chunking and pacing."""

from __future__ import annotations

import asyncio
import shutil
import struct
import subprocess
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ivr.audio.g711 import alaw_decode, alaw_encode, mulaw_decode, mulaw_encode
from ivr.audio.resample import resample
from ivr.events import ChannelRole
from ivr.sources.wav import AudioFileError, WavSource, probe_audio_file, read_audio, write_wav

Codec = Callable[[np.ndarray], np.ndarray]


def riff(*chunks: tuple[bytes, bytes]) -> bytes:
    body = b"WAVE"
    for chunk_id, data in chunks:
        body += chunk_id + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) % 2)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt_chunk(tag: int, channels: int, rate_hz: int, bits: int, extra: bytes = b"") -> bytes:
    block = channels * bits // 8
    return struct.pack("<HHIIHH", tag, channels, rate_hz, rate_hz * block, block, bits) + extra


def write_g711_wav(
    path: Path, codes: bytes, tag: int, channels: int = 1, rate_hz: int = 8000
) -> Path:
    """A G.711 WAV laid out as telephony recorders do: 18-byte fmt, a fact chunk, data."""
    fact = struct.pack("<I", len(codes) // channels)
    fmt = fmt_chunk(tag, channels, rate_hz, 8, extra=b"\x00\x00")
    path.write_bytes(riff((b"fmt ", fmt), (b"fact", fact), (b"data", codes)))
    return path


def sweep(rate_hz: int, duration_s: float, amplitude: float = 12000.0) -> np.ndarray:
    t = np.arange(round(rate_hz * duration_s)) / rate_hz
    return np.rint(amplitude * np.sin(2 * np.pi * (200 + 800 * t) * t)).astype(np.int16)


# --- reading -------------------------------------------------------------------------------


def test_reads_mono_and_stereo_pcm16(tmp_path: Path) -> None:
    mono = sweep(16000, 0.3)
    samples, rate_hz = read_audio(write_wav(tmp_path / "mono.wav", mono, 16000))
    assert rate_hz == 16000 and samples.shape == (mono.size, 1)
    np.testing.assert_array_equal(samples[:, 0], mono)

    stereo = np.column_stack((mono, -mono))
    info = probe_audio_file(write_wav(tmp_path / "stereo.wav", stereo, 16000))
    assert (info.encoding, info.channels, info.n_frames) == ("pcm16", 2, mono.size)
    assert info.duration_s == pytest.approx(0.3)
    np.testing.assert_array_equal(read_audio(info.path)[0], stereo)


@pytest.mark.parametrize(
    ("tag", "encode", "decode"), [(7, mulaw_encode, mulaw_decode), (6, alaw_encode, alaw_decode)]
)
def test_reads_g711_wav_formats(tmp_path: Path, tag: int, encode: Codec, decode: Codec) -> None:
    left, right = sweep(8000, 0.2), sweep(8000, 0.2, amplitude=3000)
    codes = encode(np.column_stack((left, right)).ravel()).tobytes()
    path = write_g711_wav(tmp_path / "g711.wav", codes, tag, channels=2)
    info = probe_audio_file(path)
    assert info.encoding == ("mulaw" if tag == 7 else "alaw")
    samples, rate_hz = read_audio(path)
    assert rate_hz == 8000
    np.testing.assert_array_equal(samples.ravel(), decode(codes))


def test_wave_format_extensible_pcm(tmp_path: Path) -> None:
    data = sweep(8000, 0.1)
    guid = struct.pack("<H", 1) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    extra = struct.pack("<HHI", 22, 16, 0x4) + guid
    path = tmp_path / "ext.wav"
    path.write_bytes(
        riff((b"fmt ", fmt_chunk(0xFFFE, 1, 8000, 16, extra)), (b"data", data.tobytes()))
    )
    np.testing.assert_array_equal(read_audio(path)[0][:, 0], data)


def test_unknown_chunks_and_odd_padding_are_skipped(tmp_path: Path) -> None:
    data = sweep(8000, 0.05)
    path = tmp_path / "chunks.wav"
    chunks = [
        (b"junk", b"abc"),
        (b"fmt ", fmt_chunk(1, 1, 8000, 16)),
        (b"LIST", b"x" * 9),
        (b"data", data.tobytes()),
    ]
    path.write_bytes(riff(*chunks))
    np.testing.assert_array_equal(read_audio(path)[0][:, 0], data)


@pytest.mark.parametrize(("suffix", "decode"), [(".ul", mulaw_decode), (".al", alaw_decode)])
def test_raw_g711_by_extension(tmp_path: Path, suffix: str, decode: Codec) -> None:
    codes = bytes(range(256)) * 4
    path = tmp_path / f"call{suffix}"
    path.write_bytes(codes)
    info = probe_audio_file(path)
    assert (info.container, info.channels, info.rate_hz, info.n_frames) == ("raw", 1, 8000, 1024)
    np.testing.assert_array_equal(read_audio(path)[0][:, 0], decode(codes))


def test_files_written_by_real_tools(tmp_path: Path) -> None:
    """Speech from espeak-ng, converted by sox to G.711 WAV and raw mu-law: our decode
    must match sox's own decode sample for sample."""
    for tool in ("espeak-ng", "sox"):
        assert shutil.which(tool), f"{tool} is needed (the setup script installs it)"
    speech = tmp_path / "speech.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en", "-w", str(speech), "My internet has been down for three days."],
        check=True,
        capture_output=True,
    )
    original, rate_hz = read_audio(speech)
    assert rate_hz == 22050 and original.shape[1] == 1 and original.shape[0] > rate_hz

    for name, sox_args in (
        ("speech-mu.wav", ["-r", "8000", "-e", "mu-law"]),
        ("speech-a.wav", ["-r", "8000", "-e", "a-law", "-c", "2"]),
        ("speech.ul", ["-r", "8000", "-t", "ul"]),
    ):
        coded = tmp_path / name
        subprocess.run(["sox", str(speech), *sox_args, str(coded)], check=True, capture_output=True)
        back = tmp_path / f"{name}.pcm.wav"
        sox_in = ["-t", "ul", "-r", "8000", "-c", "1"] if name.endswith(".ul") else []
        subprocess.run(
            ["sox", *sox_in, str(coded), "-e", "signed-integer", "-b", "16", str(back)],
            check=True,
            capture_output=True,
        )
        ours, ours_rate = read_audio(coded)
        theirs, _ = read_audio(back)
        assert ours_rate == 8000
        np.testing.assert_array_equal(ours, theirs)


# --- errors --------------------------------------------------------------------------------


def expect_error(path: Path, *words: str) -> AudioFileError:
    with pytest.raises(AudioFileError) as info:
        probe_audio_file(path)
    message = str(info.value)
    assert str(path) in message and info.value.path == path
    for word in words:
        assert word in message
    return info.value


def test_not_a_wav_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("this is a text file, not audio\n")
    expect_error(path, "not a WAV file")


def test_truncated_file(tmp_path: Path) -> None:
    good = write_wav(tmp_path / "good.wav", sweep(8000, 0.5), 8000).read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(good[: len(good) // 2])
    expect_error(cut, "truncated", "declares 8000 bytes")
    header_only = tmp_path / "header.wav"
    header_only.write_bytes(good[:20])
    expect_error(header_only, "truncated")
    tiny = tmp_path / "tiny.wav"
    tiny.write_bytes(b"RIF")
    expect_error(tiny, "truncated")


def test_partial_sample_frame_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "partial.wav"
    path.write_bytes(riff((b"fmt ", fmt_chunk(1, 2, 8000, 16)), (b"data", b"\x00" * 10)))
    expect_error(path, "not a whole number", "4-byte")


def test_empty_files(tmp_path: Path) -> None:
    no_frames = write_wav(tmp_path / "silent.wav", np.zeros(0, np.int16), 8000)
    expect_error(no_frames, "empty", "no audio frames")
    zero_bytes = tmp_path / "zero.wav"
    zero_bytes.write_bytes(b"")
    expect_error(zero_bytes, "empty file")
    raw = tmp_path / "zero.ul"
    raw.write_bytes(b"")
    expect_error(raw, "empty")
    unfinished = tmp_path / "unfinished.wav"
    unfinished.write_bytes(
        riff((b"fmt ", fmt_chunk(1, 1, 8000, 16)), (b"data", b"")) + b"\x01\x00" * 50
    )
    expect_error(unfinished, "declares 0 bytes", "100 bytes follow")


@pytest.mark.parametrize(
    ("tag", "bits", "words"),
    [
        (1, 12, ("12-bit PCM", "24/32-bit PCM")),
        (3, 16, ("16-bit float",)),
        (0x11, 4, ("IMA ADPCM",)),
        (0x1234, 16, ("0x1234",)),
    ],
)
def test_unsupported_encodings(tmp_path: Path, tag: int, bits: int, words: tuple[str, ...]) -> None:
    path = tmp_path / "odd.wav"
    path.write_bytes(riff((b"fmt ", fmt_chunk(tag, 1, 8000, bits)), (b"data", b"\x00" * 96)))
    expect_error(path, "unsupported", *words)


@pytest.mark.parametrize(("width_bytes", "tolerance"), [(1, 256), (2, 0), (3, 0), (4, 0)])
def test_reads_every_pcm_width_as_16_bit(tmp_path: Path, width_bytes: int, tolerance: int) -> None:
    """What editors and sound libraries write (8-bit unsigned, 24- and 32-bit
    PCM) reads as the same 16-bit samples, wider widths keeping their top bits."""
    stereo = np.stack([sweep(8000, 0.2), -sweep(8000, 0.2, 20000.0)], axis=1)
    wide = stereo.astype(np.int64) << (8 * width_bytes - 16) if width_bytes > 1 else stereo
    if width_bytes == 1:
        data = ((stereo.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes()
    else:
        data = b"".join(int(v).to_bytes(width_bytes, "little", signed=True) for v in wide.ravel())
    path = tmp_path / f"w{width_bytes}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(width_bytes)
        w.setframerate(8000)
        w.writeframes(data)
    samples, rate_hz = read_audio(path)
    assert rate_hz == 8000 and samples.shape == stereo.shape and samples.dtype == np.int16
    assert np.abs(samples.astype(np.int32) - stereo).max() <= tolerance


@pytest.mark.parametrize("dtype", ["<f4", "<f8"])
def test_reads_float_wav_scaled_and_clipped(tmp_path: Path, dtype: str) -> None:
    x = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 1.7, -3.0, np.nan], dtype=dtype)
    bits = 8 * np.dtype(dtype).itemsize
    path = tmp_path / "float.wav"
    path.write_bytes(riff((b"fmt ", fmt_chunk(3, 1, 16000, bits)), (b"data", x.tobytes())))
    samples, _ = read_audio(path)
    assert samples[:, 0].tolist() == [0, 16384, -16384, 32767, -32767, 32767, -32768, 0]


def test_too_many_channels(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "surround.wav", np.zeros((100, 3), np.int16), 8000)
    expect_error(path, "3 channels", "mono or stereo")


def test_structural_problems(tmp_path: Path) -> None:
    no_fmt = tmp_path / "nofmt.wav"
    no_fmt.write_bytes(riff((b"data", b"\x00" * 8)))
    expect_error(no_fmt, "before the 'fmt ' chunk")
    no_data = tmp_path / "nodata.wav"
    no_data.write_bytes(riff((b"fmt ", fmt_chunk(1, 1, 8000, 16))))
    expect_error(no_data, "before its 'data' chunk")
    zero_rate = tmp_path / "zerorate.wav"
    zero_rate.write_bytes(riff((b"fmt ", fmt_chunk(1, 1, 0, 16)), (b"data", b"\x00" * 8)))
    expect_error(zero_rate, "sample rate 0")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    expect_error(tmp_path / "nowhere.wav", "no such file")
    expect_error(tmp_path, "directory")


# --- WavSource ------------------------------------------------------------------------------


@pytest.mark.parametrize("customer_channel", ["left", "right"])
def test_stereo_source_yields_customer_then_agent_per_step(
    tmp_path: Path, customer_channel: str
) -> None:
    left, right = sweep(8000, 0.51), sweep(8000, 0.51, amplitude=2000)
    path = write_wav(tmp_path / "call.wav", np.column_stack((left, right)), 8000)
    source = WavSource(path, customer_channel=customer_channel)  # type: ignore[arg-type]
    assert (source.rate_hz, source.channels, source.call_id) == (8000, 2, "call")
    assert source.duration_s == pytest.approx(0.51)
    chunks = list(source)
    assert [c.role for c in chunks[:4]] == [ChannelRole.CUSTOMER, ChannelRole.AGENT] * 2
    customer = b"".join(c.pcm for c in chunks if c.role is ChannelRole.CUSTOMER)
    agent = b"".join(c.pcm for c in chunks if c.role is ChannelRole.AGENT)
    expected_customer = left if customer_channel == "left" else right
    expected_agent = right if customer_channel == "left" else left
    assert customer == expected_customer.astype("<i2").tobytes()
    assert agent == expected_agent.astype("<i2").tobytes()
    starts = [c.start_sample for c in chunks if c.role is ChannelRole.AGENT]
    assert starts == [160 * k for k in range(26)]
    assert chunks[-1].n_samples == 80  # 0.51 s = 25 frames and a 10 ms tail


def test_mono_source_is_the_customer_and_can_be_resampled(tmp_path: Path) -> None:
    audio = sweep(8000, 0.4)
    path = write_wav(tmp_path / "mono.wav", audio, 8000)
    source = WavSource(path, call_id="c-9", target_rate_hz=16000)
    assert (source.rate_hz, source.file_rate_hz, source.roles) == (
        16000,
        8000,
        (ChannelRole.CUSTOMER,),
    )
    chunks = list(source.chunks())
    assert {c.call_id for c in chunks} == {"c-9"}
    assert all(c.rate_hz == 16000 and c.n_samples == 320 for c in chunks)
    assert len(chunks) == 20
    got = np.concatenate([c.samples() for c in chunks])
    np.testing.assert_array_equal(got, resample(audio, 8000, 16000))


def test_g711_source_is_decoded(tmp_path: Path) -> None:
    codes = mulaw_encode(sweep(8000, 0.1)).tobytes()
    path = tmp_path / "phone.ul"
    path.write_bytes(codes)
    got = np.concatenate([c.samples() for c in WavSource(path)])
    np.testing.assert_array_equal(got, mulaw_decode(codes))


def test_source_rejects_rates_it_cannot_frame(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "odd-rate.wav", sweep(11025, 0.1), 11025)
    with pytest.raises(AudioFileError, match="cannot be framed") as info:
        WavSource(path)
    assert str(path) in str(info.value)
    assert WavSource(path, target_rate_hz=16000).rate_hz == 16000


def test_paced_source_follows_the_audio_clock(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "live.wav", np.column_stack([sweep(8000, 0.4)] * 2), 8000)
    source = WavSource(path)

    async def consume() -> list[tuple[float, float]]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        arrivals = []
        async for chunk in source:
            arrivals.append((loop.time() - start, chunk.end_s))
            if len(arrivals) == 4:
                time.sleep(0.1)  # a consumer hiccup: the source must catch up, not drift
        return arrivals

    arrivals = asyncio.run(consume())
    assert len(arrivals) == 40
    lateness = [arrived - end_s for arrived, end_s in arrivals]
    assert min(lateness) >= -0.002  # never released before its audio has arrived
    assert lateness[5] >= 0.05  # the hiccup did delay the next steps...
    assert lateness[-1] < 0.05  # ...but the source caught up with the audio clock
    assert arrivals[-1][0] == pytest.approx(0.4, abs=0.05)


def test_paced_source_speed_factor(tmp_path: Path) -> None:
    source = WavSource(write_wav(tmp_path / "fast.wav", sweep(16000, 1.0), 16000))

    async def run() -> tuple[float, int]:
        started = time.monotonic()
        n = 0
        async for _chunk in source.paced(speed=10.0):
            n += 1
        return time.monotonic() - started, n

    elapsed, n = asyncio.run(run())
    assert n == 50
    assert 0.09 <= elapsed < 0.5
