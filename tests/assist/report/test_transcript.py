from assist.report.transcript import transcript_lines
from ivr import events as ev

C, A = ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT


def final(role, text, start_s, at_s=None):
    words = tuple(
        ev.Word(w, start_s + 0.3 * i, start_s + 0.3 * i + 0.25, 0.9)
        for i, w in enumerate(text.split())
    )
    return ev.TranscriptFinal("c", role, text, words, at_s=at_s or words[-1].end_s)


def test_trigger_words_are_marked_negated_ones_are_not():
    events = [
        final(C, "this is outrageous i want a manager", 5.0),
        final(C, "no need for a manager thanks", 1.0),
        final(A, "i understand", 3.0),
    ]
    lines = transcript_lines(events, "en")
    assert [(line.role, line.start_s) for line in lines] == [(C, 1.0), (A, 3.0), (C, 5.0)]
    assert [w.trigger for w in lines[0].words] == [""] * 6
    marked = {w.word: w.trigger for w in lines[2].words if w.trigger}
    assert marked == {
        "outrageous": "insult",
        "want": "manager demand",
        "a": "manager demand",
        "manager": "manager demand",
    }
    assert all(not w.trigger for w in lines[1].words)  # the agent's words are not triggers


def test_an_agent_line_carries_the_warning_it_drew():
    said = final(A, "i can't do anything", 2.0)
    events = [
        said,
        ev.Suggestion(
            "c",
            "en-agent-cant#1",
            "Never say I can't",
            "can_solve",
            "agent_words",
            "en",
            ev.SuggestionKind.WARNING,
            at_s=said.at_s,
        ),
    ]
    (line,) = transcript_lines(events, "en")
    assert line.warning == "Never say I can't"


def test_text_only_results_and_unknown_languages_still_show():
    events = [ev.TranscriptFinal("c", C, "manager now", (), at_s=4.0)]
    (line,) = transcript_lines(events, "xx")
    assert [w.word for w in line.words] == ["manager", "now"] and line.start_s == 4.0
    assert not any(w.trigger for w in line.words)
