"""The microphone source on a machine without a usable input device (as CI machines are)."""

from __future__ import annotations

import asyncio

import pytest

from ivr.sources.mic import MicSource, NoInputDeviceError, list_input_devices

PORTAUDIO_NOISE = ("ALSA lib", "jack server", "JackShm", "PortAudio", "Traceback")


def assert_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    err = capfd.readouterr().err
    for noise in PORTAUDIO_NOISE:
        assert noise not in err


def test_missing_device_gives_a_clear_error_and_no_library_noise(
    capfd: pytest.CaptureFixture[str],
) -> None:
    devices = list_input_devices()
    if devices:
        # A machine with a microphone: ask for a device that cannot exist instead.
        source = MicSource(device_index=10_000)
        expected = "does not exist"
    else:
        source = MicSource()
        expected = "no audio input device found"
    with pytest.raises(NoInputDeviceError) as info:
        source.open()
    message = str(info.value)
    assert expected in message
    assert "microphone" in message or "input devices:" in message
    # No PortAudio exception chained underneath: the message is the whole story.
    error = info.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    assert_quiet(capfd)


def test_async_iteration_reports_the_same_error(capfd: pytest.CaptureFixture[str]) -> None:
    source = MicSource(rate_hz=8000, device_index=10_000)

    async def record() -> None:
        async for _chunk in source:
            pass

    with pytest.raises(NoInputDeviceError):
        asyncio.run(record())
    assert_quiet(capfd)


def test_rate_that_cannot_be_framed_is_rejected_early() -> None:
    with pytest.raises(ValueError, match="whole number of samples"):
        MicSource(rate_hz=11025)
