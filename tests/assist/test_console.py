"""The terminal log: lines in time order, and a jump in anger reads as one."""

import io

from assist.console import ConsoleLog
from ivr import events as ev

CUSTOMER = ev.ChannelRole.CUSTOMER


def anger(call, at_s, level, trend=ev.Trend.STEADY):
    reason = ev.AngerReason("keyword:insult", "keyword 'outrageous' (insult)", 0.4, "outrageous")
    return ev.AngerUpdate(call, at_s, 0.8, level, trend, (reason,))


def times(text: str) -> list[float]:
    return [float(line.split("s", 1)[0]) for line in text.splitlines() if line[:7].strip()]


def test_lines_come_out_in_time_order_after_the_hold():
    out = io.StringIO()
    log = ConsoleLog(out, reorder_s=2.0)
    log(ev.CallStarted("a", "en"))
    log(anger("a", 3.5, ev.AngerLevel.TENSE))  # from a partial, at once
    log(ev.TranscriptFinal("a", CUSTOMER, "this is outrageous", at_s=3.2))  # its final, later
    log(ev.TranscriptFinal("b", CUSTOMER, "hello", at_s=1.0))  # another call's recogniser lagged
    assert "outrageous" not in out.getvalue()  # held: nothing 2 s later seen yet
    log(ev.ProsodyFrame("a", CUSTOMER, 5.3, -20.0, None, False))  # audio time moves on
    assert times(out.getvalue()) == [1.0, 3.2]
    log(ev.CallEnded("a", 6.0))
    log(ev.TranscriptFinal("a", CUSTOMER, "bye", at_s=6.0))  # the last words, flushed at the end
    log.flush()
    assert times(out.getvalue()) == [1.0, 3.2, 3.5, 6.0, 6.0]
    assert out.getvalue().splitlines()[-1].endswith("call ended (hangup)")
    assert out.getvalue().splitlines()[0].strip().startswith("a")  # call start, not held


def test_without_reordering_lines_print_as_they_come():
    out = io.StringIO()
    log = ConsoleLog(out)
    log(ev.TranscriptFinal("a", CUSTOMER, "two", at_s=2.0))
    log(ev.TranscriptFinal("a", CUSTOMER, "one", at_s=1.0))
    assert times(out.getvalue()) == [2.0, 1.0]


def test_a_jump_in_level_reads_rising_or_falling_never_steady():
    out = io.StringIO()
    log = ConsoleLog(out)
    log(anger("a", 1.0, ev.AngerLevel.TENSE, ev.Trend.RISING))
    log(anger("a", 2.0, ev.AngerLevel.ANGRY, ev.Trend.STEADY))
    log(anger("a", 9.0, ev.AngerLevel.TENSE, ev.Trend.STEADY))
    lines = out.getvalue().splitlines()
    assert "calm -> tense (0.80, rising)" in lines[0]
    assert "tense -> angry (0.80, rising)" in lines[1]
    assert "angry -> tense (0.80, falling)" in lines[2]
