"""Trying a menu without telephony: the caller is a WAV file, the exchange is
recorded as a stereo WAV (caller left, IVR right)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from assist.cli import main
from ivr.sources import write_wav

from .harness import RATE_HZ, keypresses


def test_local_mode_walks_the_menu_from_a_wav_and_records_both_sides(
    random_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caller = tmp_path / "caller.wav"
    write_wav(caller, keypresses("24"), RATE_HZ)
    record = tmp_path / "exchange.wav"
    args = ["ivr", "--local", str(caller), "--record", str(record), "--lang", "en"]
    code = main([*args, "--speed", "4", "--wait", "8", "--model", str(random_model)])
    out = capsys.readouterr().out
    assert code == 0
    assert "outcome: transfer to mobile_support (priority 5)" in out
    assert "IVR play main" in out  # the readable log names what the IVR did
    with wave.open(str(record)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, RATE_HZ)
        both = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)
    assert np.abs(both[:, 0]).max() > 1000  # the caller's key presses
    assert np.abs(both[:, 1]).max() > 1000  # the IVR's prompts


def test_local_mode_names_a_broken_caller_file(
    random_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caller = tmp_path / "caller.wav"
    caller.write_bytes(b"not audio at all")
    assert main(["ivr", "--local", str(caller), "--model", str(random_model)]) == 2
    assert "caller.wav: not a WAV file" in capsys.readouterr().err


def test_mic_mode_without_a_sound_device_says_what_to_do(
    random_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyaudio")
    from ivr.sources import list_input_devices

    if list_input_devices():
        pytest.skip("this machine has a microphone")
    assert main(["ivr", "--mic", "--model", str(random_model)]) == 2
    assert "no audio input device" in capsys.readouterr().err
