from assist.report.series import call_series, intersect, merge_spans, voiced_spans
from ivr import events as ev

C, A = ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT


def frames(role, voiced_at):
    return [
        ev.ProsodyFrame(
            "c",
            role,
            round(0.1 * i, 1),
            -20.0 if i in voiced_at else -70.0,
            150.0 if i in voiced_at else None,
            i in voiced_at,
        )
        for i in range(1, 31)
    ]


def test_spans():
    assert merge_spans([(3, 4), (0, 1), (1, 2), (3.5, 5)]) == [(0, 2), (3, 5)]
    assert intersect([(0, 2), (3, 5)], [(1, 4)]) == [(1, 2), (3, 4)]
    spans = voiced_spans(frames(C, {3, 4, 5, 10}))
    assert [(round(a, 2), round(b, 2)) for a, b in spans] == [(0.2, 0.5), (0.9, 1.0)]


def test_call_series_finds_both_talking_and_the_talk_over_cue():
    events = [
        *frames(C, set(range(5, 20))),
        *frames(A, set(range(15, 25))),
        ev.AngerUpdate("c", 1.0, 0.1, ev.AngerLevel.CALM, ev.Trend.STEADY),
        ev.AngerUpdate(
            "c",
            2.0,
            0.4,
            ev.AngerLevel.TENSE,
            ev.Trend.RISING,
            (ev.AngerReason("talk_over", "talking over the agent for 1 s", 0.1),),
        ),
        ev.AngerUpdate("c", 2.5, 0.3, ev.AngerLevel.TENSE, ev.Trend.STEADY),
    ]
    s = call_series(events, 3.0)
    assert [(round(a, 2), round(b, 2)) for a, b in s.overlap] == [(1.4, 1.9)]
    assert s.talk_over_cue == [(2.0, 2.5)]
    assert [lvl for _, _, lvl in s.levels] == [ev.AngerLevel.CALM, ev.AngerLevel.TENSE]
    assert len(s.prosody[C]) == len(s.prosody[A]) == 30
