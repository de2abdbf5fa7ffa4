from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from assist.anger.config import load_anger_config
from assist.anger.talkover import TalkOverTracker
from ivr.events import ChannelRole

CFG = load_anger_config().prosody.talk_over
HOP_S = 0.01


def run(
    customer: list[tuple[float, float]],
    agent: list[tuple[float, float]],
    seconds: float,
    **changes: float,
) -> TalkOverTracker:
    """Feed both channels' talking flags (intervals in seconds) in 100 ms blocks."""
    tracker = TalkOverTracker(dataclasses.replace(CFG, **changes), HOP_S)
    n = round(seconds / HOP_S)
    times = np.arange(n) * HOP_S
    flags = {
        ChannelRole.CUSTOMER: np.zeros(n, bool),
        ChannelRole.AGENT: np.zeros(n, bool),
    }
    for role, spans in ((ChannelRole.CUSTOMER, customer), (ChannelRole.AGENT, agent)):
        for a, b in spans:
            flags[role][(times >= a) & (times < b)] = True
    for first in range(0, n, 10):
        for role in (ChannelRole.CUSTOMER, ChannelRole.AGENT):
            tracker.add(role, first, flags[role][first : first + 10])
    return tracker


def test_customer_cutting_in_over_the_agent_counts() -> None:
    tracker = run(customer=[(3.0, 7.0)], agent=[(1.0, 6.0)], seconds=8.0)
    assert tracker.seconds(8.0) == pytest.approx(3.0, abs=0.02)


def test_agent_cutting_in_over_the_customer_does_not_count() -> None:
    tracker = run(customer=[(1.0, 6.0)], agent=[(3.0, 7.0)], seconds=8.0)
    assert tracker.seconds(8.0) == 0.0


def test_back_channel_does_not_count() -> None:
    tracker = run(customer=[(2.0, 2.3), (4.0, 4.3), (5.0, 5.3)], agent=[(1.0, 6.0)], seconds=8.0)
    assert tracker.seconds(8.0) == 0.0


def test_old_overlap_leaves_the_window() -> None:
    tracker = run(customer=[(3.0, 5.0)], agent=[(1.0, 6.0)], seconds=30.0, window_s=10.0)
    assert tracker.seconds(12.0) == pytest.approx(2.0, abs=0.02)
    assert tracker.seconds(16.0) == 0.0


def test_one_channel_alone_never_overlaps() -> None:
    tracker = TalkOverTracker(CFG, HOP_S)
    for first in range(0, 1000, 10):
        tracker.add(ChannelRole.CUSTOMER, first, np.ones(10, bool))
    assert tracker.seconds(10.0) == 0.0
