"""``analyze`` and ``replay`` with ``--engine whisper`` on calls of real
recorded speech: the words reach the pipeline, the store and the report,
calm speech gives no keyword reason, and a missing model is one line."""

import json

import pytest

from assist.cli import main
from assist.store import SqliteStore
from ivr import events as ev

from .whisper_calls import require_whisper, stereo_call


@pytest.fixture(scope="module")
def calm_call(tmp_path_factory):
    require_whisper()
    folder = tmp_path_factory.mktemp("whisper-calls")
    return stereo_call(
        folder / "en_prompts.wav",
        "en",
        customer=["agent-user", "vm-instructions"],
        agent=["auth-thankyou", "conf-getpin"],
    )


def test_analyze_with_whisper_detects_the_language_and_hears_no_anger_words(calm_call, capsys):
    assert main(["analyze", str(calm_call), "--engine", "whisper", "--lang", "auto", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["engine"] == "whisper"
    assert result["language"] == "en" and result["language_probability"] > 0.5
    customer = " ".join(t["text"] for t in result["transcript"] if t["role"] == "customer")
    agent = " ".join(t["text"] for t in result["transcript"] if t["role"] == "agent")
    assert "agent number" in customer and "pound key" in customer
    assert "thank you" in agent and "conference" in agent
    assert "#" not in customer and customer == customer.lower()
    keyword_reasons = [
        r
        for update in result["timeline"]
        for r in update["reasons"]
        if r["kind"].startswith("keyword")
    ]
    assert keyword_reasons == []


def test_replay_with_whisper_fills_the_store_and_the_report(calm_call, tmp_path, capsys):
    store_path, report = tmp_path / "calls.sqlite", tmp_path / "report"
    code = main(
        ["replay", str(calm_call), "--lang", "en", "--engine", "whisper",
         "--whisper-threads", "2", "--store", str(store_path), "--report", str(report)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "recognised by whisper" in out
    with SqliteStore(store_path) as store:
        finals = store.events_after("en_prompts", types=[ev.TranscriptFinal])
        hits = store.find_words("conference")
    assert {f.role for f in finals} == {ev.ChannelRole.CUSTOMER, ev.ChannelRole.AGENT}
    assert [h.role for h in hits] == [ev.ChannelRole.AGENT]  # conf-getpin, the agent
    assert (report / "index.html").is_file()


def test_auto_language_needs_whisper(calm_call, capsys):
    assert main(["analyze", str(calm_call), "--lang", "auto"]) == 2
    assert "--engine whisper" in capsys.readouterr().err


def test_a_missing_whisper_model_is_one_line(calm_call, tmp_path, capsys):
    code = main(
        [
            "analyze",
            str(calm_call),
            "--engine",
            "whisper",
            "--whisper-model",
            str(tmp_path / "none"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "does not exist" in err
