import asyncio
import subprocess
import sys

import pytest

from ivr.events import ChannelRole
from ivr.telephony.base_line import Playback, QueueLine
from ivr.telephony.line import LineAudio, LineDtmf, LineHangup, LineInfo


def test_line_info_is_checked():
    info = LineInfo("c1", "twilio", 8000)
    assert info.roles == (ChannelRole.CUSTOMER,) and info.metadata == {}
    with pytest.raises(ValueError, match="unknown line protocol 'sip'"):
        LineInfo("c1", "sip", 8000)
    with pytest.raises(ValueError, match="8000 or 16000"):
        LineInfo("c1", "local", 44100)
    with pytest.raises(ValueError, match="distinct channel roles"):
        LineInfo("c1", "local", 8000, (ChannelRole.CUSTOMER, ChannelRole.CUSTOMER))


class SilentLine(QueueLine):
    """A line whose transport plays instantly: exercises the shared machinery only."""

    closed_with: str | None = None

    async def _play(self, pcm: bytes, playback: Playback) -> bool:
        return not await playback.sleep(len(pcm) / 2 / self.info.rate_hz)

    async def _send_clear(self) -> None:
        pass

    async def _close(self, reason: str) -> None:
        self.closed_with = reason


def test_events_end_after_one_hangup(arun):
    async def scenario():
        line = SilentLine(LineInfo("c1", "local", 8000))
        line.push(LineAudio(ChannelRole.CUSTOMER, b"\x01\x00"))
        line.push(LineDtmf("1"))
        assert line.end("first") is True
        assert line.end("second") is False
        line.push(LineDtmf("2"))  # after the end: ignored
        return [e async for e in line.events()], await line.play(b"\x00\x00")

    events, played = arun(scenario())
    assert events == [
        LineAudio(ChannelRole.CUSTOMER, b"\x01\x00"),
        LineDtmf("1"),
        LineHangup("first"),
    ]
    assert played is False


def test_audio_for_a_handler_that_does_not_read_is_capped(arun, caplog):
    caplog.set_level("INFO", logger="ivr.telephony")

    async def scenario():
        line = SilentLine(LineInfo("c2", "local", 8000), max_pending_events=3)
        for _ in range(5):
            line.push(LineAudio(ChannelRole.CUSTOMER, b"\x00\x00"))
        line.push(LineDtmf("5"))  # never dropped
        await line.hangup("bye")
        return line, [e async for e in line.events()]

    line, events = arun(scenario())
    assert len(events) == 5 and events[3:] == [LineDtmf("5"), LineHangup("hung up here: bye")]
    assert line.dropped_audio_events == 2 and line.closed_with == "bye"
    assert "2 audio events dropped" in caplog.records[-1].getMessage()


def test_a_new_play_stops_the_running_one(arun):
    async def scenario():
        line = SilentLine(LineInfo("c3", "local", 8000))
        first = asyncio.create_task(line.play(bytes(16000)))  # 1 s
        await asyncio.sleep(0.05)
        second = await line.play(bytes(160))
        return await first, second

    assert arun(scenario()) == (False, True)


def test_codecs_import_no_io():
    code = (
        "import sys\n"
        "import ivr.telephony.audiosocket_codec, ivr.telephony.twilio_codec\n"
        "import ivr.telephony.audio_fork_codec, ivr.telephony.line\n"
        "print(sorted(m for m in ('asyncio', 'socket', 'websockets') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_playback_sleeps_its_time_unless_stopped(arun):
    async def scenario():
        loop = asyncio.get_running_loop()
        playback = Playback()
        start = loop.time()
        stopped = await playback.sleep(0.05)
        slept_s = loop.time() - start
        asyncio.get_running_loop().call_later(0.02, playback.stop)
        start = loop.time()
        stopped_early = await playback.sleep(5.0)
        woke_after_s = loop.time() - start
        return stopped, slept_s, stopped_early, woke_after_s, await playback.sleep(5.0)

    stopped, slept_s, stopped_early, woke_after_s, after_stop = arun(scenario())
    assert stopped is False and slept_s >= 0.045
    assert stopped_early is True and woke_after_s < 1.0  # the stop wakes it, not the timer
    assert after_stop is True  # once stopped, no more sleeping


def test_a_sleeping_playback_can_be_cancelled(arun):
    async def scenario():
        playback = Playback()
        task = asyncio.create_task(playback.sleep(5.0))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        playback.stop()  # nothing left waiting: no error
        return playback.stopped

    assert arun(scenario()) is True
