"""Prompts on real AudioSocket connections (127.0.0.1) go out on the loop's
one prompt clock: whole 20 ms frames with the very samples, at an even
cadence, for many calls at once; a clear stops a prompt at once; a call's
audio can reach its handler in 0.1 s pieces, in order with its keys."""

import asyncio
import itertools
import statistics

from ivr.events import ChannelRole
from ivr.telephony.audiosocket_codec import AudioSocketParser, FrameType, encode_dtmf
from ivr.telephony.audiosocket_line import prompt_frames
from ivr.telephony.audiosocket_server import serve_audiosocket
from ivr.telephony.clients import AudioSocketCaller
from ivr.telephony.line import LineAudio, LineDtmf, LineHangup
from ivr.telephony.pacer import pacer

HOST = "127.0.0.1"


def cadence_ok(times_s: list[float], frames: int) -> None:
    """Frame k arrives about k * 20 ms after the first: not in a burst (a
    late first frame lets the next ones catch up, so some slack)."""
    assert len(times_s) == frames
    assert times_s[-1] - times_s[0] >= (frames - 1) * 0.02 - 0.06, "a burst"
    gaps = [b - a for a, b in itertools.pairwise(times_s)]
    assert abs(statistics.median(gaps) - 0.02) < 0.005


def test_a_prompt_arrives_as_whole_frames_with_its_samples_at_20_ms(arun, recorder, make_tone):
    prompt = make_tone(0.61)  # 30 whole frames and a 160-byte tail

    async def scenario():
        async with await serve_audiosocket(recorder, HOST, 0) as server:
            caller = await AudioSocketCaller(HOST, server.port).connect()
            line = await recorder.next_line()
            done = await line.play(prompt)
            await asyncio.sleep(0.1)
            await caller.close()
            return caller, done

    caller, done = arun(scenario())
    assert done is True
    assert bytes(caller.received) == prompt
    assert caller.received_sizes == [320] * 30 + [160]
    cadence_ok(caller.received_times_s, 31)


def test_many_calls_on_one_node_are_all_paced_on_shared_ticks(arun, recorder, make_tone):
    n = 12

    async def scenario():
        async with await serve_audiosocket(recorder, HOST, 0) as server:
            callers = [await AudioSocketCaller(HOST, server.port).connect() for _ in range(n)]
            lines = [await recorder.next_line() for _ in range(n)]
            by_id = {line.info.call_id: line for line in lines}
            clock = pacer()
            ticks0 = clock.ticks
            plays = []
            for i, caller in enumerate(callers):
                tone = make_tone(0.6, freq_hz=300 + 50 * i)
                plays.append(asyncio.create_task(by_id[caller.call_id].play(tone)))
                await asyncio.sleep(0.004)
            done = await asyncio.gather(*plays)
            ticks = clock.ticks - ticks0
            await asyncio.sleep(0.1)
            for caller in callers:
                await caller.close()
            return callers, done, ticks

    callers, done, ticks = arun(scenario())
    assert all(done)
    for i, caller in enumerate(callers):
        assert bytes(caller.received) == make_tone(0.6, freq_hz=300 + 50 * i)
        assert caller.received_sizes == [320] * 30
        cadence_ok(caller.received_times_s, 30)
    assert ticks < n * 30 / 4  # one wake-up writes every call's due frame


def test_a_clear_stops_the_prompt_at_once(arun, recorder, make_tone):
    async def scenario():
        async with await serve_audiosocket(recorder, HOST, 0) as server:
            caller = await AudioSocketCaller(HOST, server.port).connect()
            line = await recorder.next_line()
            play = asyncio.create_task(line.play(make_tone(2.0)))
            await asyncio.sleep(0.3)
            await line.clear()
            cleared = await asyncio.wait_for(play, 0.25)  # not at the end, 1.7 s on
            await asyncio.sleep(0.05)  # frames already on the wire
            at_clear = len(caller.received_sizes)
            await asyncio.sleep(0.2)
            later = len(caller.received_sizes)
            await caller.close()
            return cleared, at_clear, later

    cleared, at_clear, later = arun(scenario())
    assert cleared is False
    assert 10 <= at_clear == later < 100


def test_audio_reaches_the_handler_in_batches_in_order_with_keys(arun, recorder, make_tone):
    speech = make_tone(0.5)  # 25 frames

    async def scenario():
        async with await serve_audiosocket(recorder, HOST, 0, audio_batch_s=0.1) as server:
            caller = await AudioSocketCaller(HOST, server.port).connect()
            await recorder.next_line()
            await caller.send_audio(speech[: 320 * 7], paced=False)
            await caller.send_raw(encode_dtmf("4"))
            await caller.send_audio(speech[320 * 7 :], paced=False)
            await caller.hangup()
            return caller, await recorder.finished(caller.call_id)

    caller, events = arun(scenario())
    sizes = [len(e.pcm) if isinstance(e, LineAudio) else e for e in events]
    # 7 frames: one batch of 5, then 2 handed on before the key; 18: 3 batches, 3 before the end
    assert sizes == [
        1600,
        640,
        LineDtmf("4"),
        1600,
        1600,
        1600,
        960,
        LineHangup("the peer hung up"),
    ]
    assert all(e.role is ChannelRole.CUSTOMER for e in events if isinstance(e, LineAudio))
    assert recorder.audio(caller.call_id) == speech


def test_prompt_frames_are_ready_frames_made_once_per_prompt(make_tone):
    prompt = make_tone(0.05)  # 2.5 frames
    frames = prompt_frames(prompt)
    assert prompt_frames(prompt) is frames
    parser = AudioSocketParser(0xFFFF, expect_uuid=False)
    parsed = parser.feed(b"".join(frames))
    assert [f.type for f in parsed] == [FrameType.AUDIO] * 3
    assert b"".join(f.payload for f in parsed) == prompt
    assert [len(f.payload) for f in parsed] == [320, 320, 160]
    assert prompt_frames(b"") == ()


def test_a_batching_server_reads_a_batch_at_a_time(arun, recorder, make_tone):
    """With 0.1 s batches the kernel holds a call's frames until a batch is in:
    a paced caller's second of audio takes a handful of reads, not fifty, and
    arrives whole, in order with a key, and the hang-up still ends it at once."""
    speech = make_tone(1.0)

    async def scenario():
        async with await serve_audiosocket(recorder, HOST, 0, audio_batch_s=0.1) as server:
            caller = await AudioSocketCaller(HOST, server.port).connect()
            await recorder.next_line()
            reads0 = server.reads
            await caller.send_audio(speech[:8000], paced=True)
            await caller.send_raw(encode_dtmf("8"))
            await caller.send_audio(speech[8000:], paced=True)
            reads = server.reads - reads0
            await caller.hangup()
            return caller, reads, await recorder.finished(caller.call_id)

    caller, reads, events = arun(scenario())
    assert recorder.audio(caller.call_id) == speech
    audio = [e for e in events if isinstance(e, LineAudio)]
    key_at = events.index(LineDtmf("8"))
    assert sum(len(e.pcm) for e in events[:key_at] if isinstance(e, LineAudio)) == 8000
    assert events[-1] == LineHangup("the peer hung up")
    assert reads <= 50 / 3, reads  # paced frames read one by one: about 50
    assert len(audio) <= 12


def test_a_peer_trickling_less_than_a_batch_is_not_idle(arun, recorder):
    """Bytes held by the kernel below the batch size still count as the peer
    talking: the idle check reads them, and the call ends only when the peer
    then sends nothing for the idle time."""
    idle_s = 0.4

    async def scenario():
        server = await serve_audiosocket(
            recorder, HOST, 0, audio_batch_s=0.1, idle_timeout_s=idle_s
        )
        try:
            caller = await AudioSocketCaller(HOST, server.port).connect()
            await recorder.next_line()
            await caller.send_audio(b"\x01\x00" * 160, paced=False)  # one frame
            events = await recorder.finished(caller.call_id, timeout_s=5)
            await caller.close()
        finally:
            await server.close()
        return caller, events

    caller, events = arun(scenario())
    assert recorder.audio(caller.call_id) == b"\x01\x00" * 160
    assert events[-1] == LineHangup(f"no audio for {idle_s:g} s")
