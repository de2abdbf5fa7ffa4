"""One-line errors from the command line, before anything slow happens."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from assist.cli import main
from assist.langcheck import language_fit, wrong_language_warning
from assist.listen import ListenError, check_listen
from ivr import events as ev

MESSAGE = "port {port} is in use; pick another with --port, or --port 0"


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.fixture
def no_model(monkeypatch, tmp_path):
    """Any attempt to load a speech model fails loudly (and fast)."""
    monkeypatch.setenv("IVR_ASSIST_MODEL", str(tmp_path / "no-such-model"))


@pytest.mark.parametrize("command", [["serve", "--no-store"], ["demo", "--exit-when-done"]])
def test_a_port_in_use_is_one_line_before_any_model_loads(
    command, busy_port, no_model, capsys
):
    started = time.monotonic()
    assert main([*command, "--port", str(busy_port)]) == 2
    err = capsys.readouterr().err
    assert err == f"ivr-assist: {MESSAGE.format(port=busy_port)}\n"
    assert time.monotonic() - started < 30  # not after building or loading a model


@pytest.mark.parametrize("flag", ["--audiosocket", "--media-ws"])
def test_a_busy_telephony_port_is_one_line_too(flag, busy_port, no_model, capsys):
    where = f"127.0.0.1:{busy_port}" + (":ru" if flag == "--audiosocket" else "")
    assert main(["ivr", flag, where, "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ivr-assist: port {busy_port} ({flag}) is in use;")
    assert err.count("\n") == 1


def test_check_listen_is_quiet_for_a_free_port_and_port_zero():
    check_listen("127.0.0.1", 0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    check_listen("127.0.0.1", free)
    with pytest.raises(ListenError, match="not an address of this machine"):
        check_listen("192.0.2.7", free)  # TEST-NET-1: never this machine's


def test_demo_off_loopback_without_access_is_refused_like_serve(no_model):
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--host", "0.0.0.0", "--port", "0"])
    assert "refusing to serve 0.0.0.0 without --access FILE" in str(exit_.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calls", "nope"], "no demo call 'nope' in "),
        (["--speed", "0"], "--speed must be above 0"),
        (["--port", "99999"], "99999 is not a port number"),
    ],
)
def test_bad_demo_options_are_one_line_before_any_model(args, message, no_model, capsys):
    try:
        code = main(["demo", "--port", "0", *args])
        said = capsys.readouterr().err
    except SystemExit as exit_:
        code, said = 2, str(exit_.code)
    assert code == 2 and message in said and "\n" not in said.strip()


def test_analyze_checks_its_inputs_before_loading_a_model(no_model, tmp_path, capsys):
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("these are not samples")
    assert main(["analyze", "typo.wav", str(not_audio)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "error: typo.wav: no such file"
    assert err[1].startswith(f"error: {not_audio}:") and len(err) == 2  # no model message


def final(words: list[tuple[str, float]]) -> ev.TranscriptFinal:
    return ev.TranscriptFinal(
        "c",
        ev.ChannelRole.CUSTOMER,
        " ".join(w for w, _ in words),
        tuple(ev.Word(w, i * 0.3, i * 0.3 + 0.25, conf) for i, (w, conf) in enumerate(words)),
    )


def test_mostly_unknown_words_warn_that_the_language_may_be_wrong():
    english_heard_as_russian = [
        final([("[unk]", 1.0), ("да", 0.4), ("[unk]", 1.0), ("три", 0.3), ("[unk]", 1.0)]),
        final([("[unk]", 1.0), ("нет", 0.9), ("[unk]", 1.0), ("[unk]", 1.0), ("раз", 0.45)]),
    ]
    fit = language_fit(english_heard_as_russian)
    assert (fit.words, fit.unsure) == (10, 9) and fit.doubtful
    warning = wrong_language_warning("en_angry.wav", "ru", english_heard_as_russian)
    assert warning is not None and "en_angry.wav" in warning and "'ru'" in warning
    assert "\n" not in warning


def test_a_call_in_its_language_or_a_short_one_gets_no_warning():
    russian = [final([(w, 0.9) for w in "у меня не работает интернет уже три дня".split()])]
    assert wrong_language_warning("ru.wav", "ru", russian) is None
    short = [final([("[unk]", 1.0), ("[unk]", 1.0), ("да", 0.2)])]
    assert wrong_language_warning("short.wav", "ru", short) is None
