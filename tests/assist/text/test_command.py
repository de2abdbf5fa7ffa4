"""The ``text`` command: plain lines, JSON conversations, bad lines."""

from __future__ import annotations

import io
import json

from assist.cli import main
from assist.text import score_text
from assist.text.command import run


def test_plain_lines_are_scored_one_by_one() -> None:
    out, err = io.StringIO(), io.StringIO()
    lines = ["здравствуйте, подскажите тариф", "это безобразие, интернет не работает третий день"]
    assert run(lines, "ru", False, "<test>", out, err) == 0
    first, second = out.getvalue().splitlines()[:2]
    assert "FLAG" not in first and "calm" in first
    assert "FLAG" in second and "безобразие" in second


def test_json_conversation_keeps_its_state_and_reports_bad_lines() -> None:
    out, err = io.StringIO(), io.StringIO()
    lines = [
        json.dumps({"conversation": "c1", "role": "customer", "time": 0, "text": "my bag is lost"}),
        json.dumps({"conversation": "c1", "role": "agent", "time": 20, "text": "let me check"}),
        '{"conversation": "c1", "role": "boss", "text": "x"}',
        "{broken",
        json.dumps({"conversation": "c1", "time": 40, "text": "you are useless idiots"}),
    ]
    assert run(lines, "en", True, "msgs.jsonl", out, err) == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 5]
    assert rows[0]["flagged"] and rows[0]["reasons"][0]["kind"] == "complaint"
    assert rows[2]["level"] == "angry"
    assert {r["category"] for r in rows[2]["reasons"]} >= {"insult", "outage"}
    assert err.getvalue().splitlines()[0].startswith("msgs.jsonl:3: 'role'")
    assert err.getvalue().splitlines()[1].startswith("msgs.jsonl:4: not valid JSON")


def test_the_command_line_reads_a_file(tmp_path, capsys) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("thanks, all good now\nworst airline ever, f***ing joke\n", encoding="utf-8")
    assert main(["text", "--lang", "en", "--json", str(path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["flagged"] for r in rows] == [False, True]


def test_a_calm_question_is_not_flagged_and_a_complaint_with_thanks_is_relieved() -> None:
    assert not score_text("how do i change my plan?", "en").flagged
    assert not score_text("спасибо, связь восстановили после сбоя", "ru").flagged
    assert score_text("связи нет второй день", "ru").flagged
