"""PII end to end: customers read out card numbers (Luhn-valid and not), a
phone and a contract number, in Russian and English, at 8 kHz; after a live
run through ``serve`` (both legs streamed, agent and supervisor screens
watching, the call recorded) and a ``replay`` of the same recordings, none of
those numbers is anywhere a person or a file could read it: the stores, both
screens' streams, the report, ``analyze --json``, the logs, the recording
(heard again by the recogniser). Numbers that are not PII ("three days",
"third time") survive.

The project's shipped speech models do the recognising (they know the
digits). A control run with ``--no-redact`` shows the recogniser does hear the
numbers, so an empty result means hidden, not unheard.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from assist.shipped_models import shipped_model
from audio_fixtures.pii_calls import ensure_pii_fixtures, pii_call_ids, pii_expectations
from ivr.asr.vosk_engine import VoskEngine
from ivr.sources import read_audio

ROOT = Path(__file__).resolve().parents[2]
CHUNK_BYTES = 1600  # 0.1 s at 8 kHz
DIGITS = {
    **{
        w: str(n)
        for n, w in enumerate("ноль один два три четыре пять шесть семь восемь девять".split())
    },
    **{
        w: str(n) for n, w in enumerate("zero one two three four five six seven eight nine".split())
    },
    "oh": "0",
}
LEAK_MIN_WORDS = 3  # one or two digit words in a row are any number's; three of a secret leak
LEAK_MIN_DIGITS = 6
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_TAG = re.compile(r"<[^<>]*>")
_TOKEN = re.compile(r"\d+|[^\W\d_]+")


def readable(text: str) -> str:
    """Text as a person would read it: JSON escapes, HTML tags and entities undone."""
    text = _TAG.sub("", _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
    return html.unescape(text).lower()


def leaks(text: str, secrets: list[str]) -> list[str]:
    """Pieces of a secret in ``text``: three digit words in a row, or six
    digits written as digits (fewer digits are in every timestamp, score and
    chart coordinate). Independent of the redactor's code."""
    found: list[str] = []
    run: list[str] = []
    for token in [*_TOKEN.findall(readable(text)), ""]:
        if token in DIGITS:
            run.append(DIGITS[token])
            continue
        for digits, least in (("".join(run), LEAK_MIN_WORDS), (token, LEAK_MIN_DIGITS)):
            if not digits.isdigit():
                continue
            for size in range(len(digits), least - 1, -1):
                pieces = {digits[i : i + size] for i in range(len(digits) - size + 1)}
                hit = next((p for p in sorted(pieces) if any(p in s for s in secrets)), None)
                if hit:
                    found.append(hit)
                    break
        run = []
    return found


def test_the_leak_check_itself():
    secrets = ["4539148803436467"]
    assert leaks("card четыре пять три девять", secrets) == ["4539"]
    assert leaks('{"text": "\\u0447\\u0435\\u0442\\u044b\\u0440\\u0435 five three"}', secrets) == [
        "453"
    ]
    assert leaks("id 914880 and 12, score 0.391", secrets) == ["914880"]
    assert leaks("three days, third time, two hours, four five", secrets) == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args: str, timeout_s: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assist", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env=dict(os.environ),
        check=False,
    )


def sqlite_text(path: Path) -> str:
    """Every value of every table of a SQLite file, as text."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = [repr(row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"')]
    return "\n".join(rows)


def folder_text(folder: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in {".html", ".json", ".csv", ".js", ".txt"}
    )


def heard(path: Path, lang: str, channel: int = 0) -> str:
    """What the shipped recogniser hears in one channel of a WAV (no redaction)."""
    samples, rate_hz = read_audio(path)
    recognizer = VoskEngine(shipped_model(lang), lang).recognizer(rate_hz)
    pcm = samples[:, channel].astype("<i2").tobytes()
    texts = [recognizer.accept(pcm[i : i + 3200]).text for i in range(0, len(pcm), 3200)]
    return " ".join([*texts, recognizer.finish().text])


CALLS = pii_call_ids()


@pytest.fixture(scope="module")
def pii_dir() -> Path:
    return ensure_pii_fixtures()


@pytest.fixture(scope="module")
def secrets() -> dict[str, list[str]]:
    return {c: pii_expectations(c)[0] for c in CALLS}


async def _stream_leg(port: int, call_id: str, lang: str, seat: str, role: str, pcm: bytes) -> None:
    url = f"ws://127.0.0.1:{port}/ws/ingest?call={call_id}&lang={lang}&seat={seat}&role={role}"
    async with connect(url) as ws:
        await ws.send(json.dumps({"config": {"sample_rate": 8000}}))
        for i in range(0, len(pcm), CHUNK_BYTES):
            await ws.send(pcm[i : i + CHUNK_BYTES])
            await ws.recv()
        await ws.send('{"eof": 1}')
        await ws.recv()


async def _watch(url: str, call_ids: set[str], frames: list[str]) -> None:
    """Every frame a screen gets until each of ``call_ids`` has ended."""
    async with connect(url, max_size=None) as ws:
        ended: set[str] = set()
        while not call_ids <= ended:
            text = await asyncio.wait_for(ws.recv(), 120)
            frames.append(text if isinstance(text, str) else text.decode())
            message = json.loads(frames[-1])
            if message.get("type") == "CallEnded":
                ended.add(message.get("call_id", ""))


async def _live(port: int, pii_dir: Path, agent_frames: list[str], supervisor_frames: list[str]):
    for _ in range(600):  # the models load before the hub listens
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.1)
    seats = {c: f"seat{n}" for n, c in enumerate(CALLS)}
    watchers = [
        asyncio.create_task(
            _watch(f"ws://127.0.0.1:{port}/ws/supervisor", set(CALLS), supervisor_frames)
        )
    ] + [
        asyncio.create_task(
            _watch(f"ws://127.0.0.1:{port}/ws/agent?seat={seats[c]}", {c}, agent_frames)
        )
        for c in CALLS
    ]
    await asyncio.sleep(0.5)  # the screens are watching before the calls start
    legs = []
    for call_id in CALLS:
        samples, rate_hz = read_audio(pii_dir / f"{call_id}.8k.stereo.wav")
        assert rate_hz == 8000
        for channel, role in ((0, "customer"), (1, "agent")):
            pcm = samples[:, channel].astype("<i2").tobytes()
            legs.append(_stream_leg(port, call_id, call_id[:2], seats[call_id], role, pcm))
    await asyncio.gather(*legs)
    await asyncio.wait_for(asyncio.gather(*watchers), 180)


@pytest.fixture(scope="module")
def outputs(pii_dir, tmp_path_factory) -> dict[str, str]:
    """Everything a live run and a replay left behind, by where it is."""
    tmp = tmp_path_factory.mktemp("pii")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "assist", "serve", "--port", str(port), "--lang", "ru", "en",
         "--store", str(tmp / "live.sqlite"), "--record", str(tmp / "recordings")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ),
    )  # fmt: skip
    agent_frames: list[str] = []
    supervisor_frames: list[str] = []
    try:
        asyncio.run(_live(port, pii_dir, agent_frames, supervisor_frames))
    finally:
        server.send_signal(signal.SIGINT)
        serve_log, _ = server.communicate(timeout=120)
    out = {
        "serve log": serve_log,
        "agent screens": "\n".join(agent_frames),
        "supervisor screen": "\n".join(supervisor_frames),
        "live store": sqlite_text(tmp / "live.sqlite"),
    }
    for lang in ("ru", "en"):
        wavs = [str(pii_dir / f"{c}.8k.stereo.wav") for c in CALLS if c.startswith(lang)]
        replay = run_cli("replay", *wavs, "--lang", lang, "--store", str(tmp / "replay.sqlite"),
                         "--report", str(tmp / f"report_{lang}"))  # fmt: skip
        assert replay.returncode == 0, replay.stderr[-3000:]
        out[f"replay log {lang}"] = replay.stdout + replay.stderr
        out[f"report {lang}"] = folder_text(tmp / f"report_{lang}")
        analyze = run_cli("analyze", "--json", "--lang", lang, *wavs)
        assert analyze.returncode == 0, analyze.stderr[-3000:]
        out[f"analyze --json {lang}"] = analyze.stdout
        out[f"analyze log {lang}"] = analyze.stderr
        control = run_cli("analyze", "--json", "--no-redact", "--lang", lang, *wavs)
        assert control.returncode == 0, control.stderr[-3000:]
        out[f"control {lang}"] = control.stdout
        out[f"control log {lang}"] = control.stderr
    out["replay store"] = sqlite_text(tmp / "replay.sqlite")
    out["recordings"] = "\n".join(
        f"{c}: {heard(tmp / 'recordings' / f'{c}.wav', c[:2])}" for c in CALLS
    )
    (tmp / "outputs.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    out["recordings exist"] = " ".join(sorted(p.name for p in (tmp / "recordings").glob("*.wav")))
    return out


def _transcripts(analyze_json: str) -> dict[str, str]:
    """Customer finals of each call in ``analyze --json`` output, joined."""
    by_call: dict[str, str] = {}
    for line in analyze_json.splitlines():
        summary = json.loads(line)
        call_id = Path(summary["file"]).name.split(".")[0]
        by_call[call_id] = " ".join(
            t["text"] for t in summary["transcript"] if t["role"] == "customer"
        )
    return by_call


def test_the_recogniser_hears_the_numbers_without_redaction(outputs, secrets):
    heard_raw = {**_transcripts(outputs["control ru"]), **_transcripts(outputs["control en"])}
    assert set(heard_raw) == set(CALLS)
    for call_id, text in heard_raw.items():
        # a run of eight digits or more of each secret is heard (the check below means something)
        for secret in secrets[call_id]:
            assert any(
                len(hit) >= min(6, len(secret)) and hit in secret for hit in leaks(text, [secret])
            ), (
                call_id,
                secret,
                text,
            )
    assert "PII redaction is OFF" in outputs["control log ru"]


WHERE = [
    "serve log", "agent screens", "supervisor screen", "live store", "replay store",
    "report ru", "report en", "analyze --json ru", "analyze --json en",
    "replay log ru", "replay log en", "analyze log ru", "analyze log en", "recordings",
]  # fmt: skip


@pytest.mark.parametrize("where", WHERE)
def test_no_pii_digits_get_out(outputs, secrets, where):
    every_secret = sorted({s for call in secrets.values() for s in call})
    assert outputs[where].strip() or "log" in where, f"nothing in {where}"
    leaking = [line for line in outputs[where].splitlines() if leaks(line, every_secret)]
    assert not leaking, (where, [readable(line)[:300] for line in leaking[:5]])


def test_placeholders_stand_where_the_numbers_were(outputs):
    for where in ("agent screens", "supervisor screen", "live store", "replay store",
                  "analyze --json ru", "analyze --json en"):  # fmt: skip
        text = readable(outputs[where])
        assert "[card]" in text or "[account]" in text, where
        assert "[phone]" in text, where
    assert len(outputs["recordings exist"].split()) == len(CALLS)


def test_numbers_that_are_not_pii_survive(outputs):
    heard_raw = {**_transcripts(outputs["control ru"]), **_transcripts(outputs["control en"])}
    redacted = {
        **_transcripts(outputs["analyze --json ru"]),
        **_transcripts(outputs["analyze --json en"]),
    }
    checked = 0
    for call_id in CALLS:
        for phrase in pii_expectations(call_id)[1]:
            if phrase not in heard_raw[call_id]:
                continue  # misheard: nothing to keep
            checked += 1
            assert phrase in redacted[call_id], (call_id, phrase, redacted[call_id])
            for where in ("live store", "replay store", "agent screens", "report " + call_id[:2]):
                assert phrase in readable(outputs[where]), (where, phrase)
    assert checked >= len(CALLS)
