"""IVR prompts: real espeak-ng renders, the memory and disk cache, designers' WAV files."""

from __future__ import annotations

import math
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from ivr.dtmf import goertzel_power
from ivr.prompts import (
    EDGE_SILENCE_S,
    TARGET_PEAK_DBFS,
    PromptError,
    PromptRenderer,
    default_cache_dir,
    load_prompt_wav,
)
from ivr.sources import write_wav
from ivr.sources.wav import AudioFileError

PROMPTS = {
    "ru": "Для оплаты нажмите один. Чтобы поговорить с оператором, нажмите ноль.",
    "en": "For billing, press one. To speak to an agent, press zero.",
}


class CountingRunner:
    """Runs the real command and counts the syntheses (espeak-ng ... -w FILE)."""

    def __init__(self) -> None:
        self.syntheses = 0

    def __call__(self, args, **kwargs) -> subprocess.CompletedProcess:
        if "-w" in args:
            self.syntheses += 1
        return subprocess.run(args, **kwargs)


def samples_of(pcm: bytes) -> np.ndarray:
    assert len(pcm) % 2 == 0
    return np.frombuffer(pcm, dtype="<i2")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[tuple[str, int], bytes]:
    renderer = PromptRenderer(tmp_path_factory.mktemp("prompts"))
    return {
        (language, rate_hz): renderer.render(text, language, rate_hz)
        for language, text in PROMPTS.items()
        for rate_hz in (8000, 16000)
    }


@pytest.mark.parametrize("rate_hz", [8000, 16000])
@pytest.mark.parametrize("language", ["ru", "en"])
def test_real_render(rendered, language: str, rate_hz: int) -> None:
    samples = samples_of(rendered[(language, rate_hz)])
    duration_s = samples.size / rate_hz
    assert 2.0 < duration_s < 10.0  # two short sentences
    peak_dbfs = 20 * math.log10(np.abs(samples.astype(np.int32)).max() / 32767)
    assert peak_dbfs == pytest.approx(TARGET_PEAK_DBFS, abs=0.2)
    rms_dbfs = 10 * math.log10(np.mean(samples.astype(np.float64) ** 2) / 32767**2)
    assert rms_dbfs > -35  # clearly audible on a phone line
    # Silence at the ends trimmed to at most EDGE_SILENCE_S (plus the resampler's tail).
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 32767 * 10 ** (-40 / 20))
    assert loud[0] / rate_hz <= EDGE_SILENCE_S + 0.01
    assert (samples.size - 1 - loud[-1]) / rate_hz <= EDGE_SILENCE_S + 0.01


@pytest.mark.parametrize("language", ["ru", "en"])
def test_rate_is_respected(rendered, language: str) -> None:
    narrow = samples_of(rendered[(language, 8000)])
    wide = samples_of(rendered[(language, 16000)])
    # Same speech, twice the samples per second.
    assert wide.size == pytest.approx(2 * narrow.size, rel=0.002)
    # The 16 kHz render keeps espeak-ng's sound above 4 kHz (it is not a stretched
    # telephone-band render).
    spectrum = np.abs(np.fft.rfft(wide.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(wide.size, 1 / 16000)
    assert spectrum[freqs > 4000].sum() > 1e-4 * spectrum.sum()


def test_second_render_comes_from_memory_then_from_disk(tmp_path: Path) -> None:
    runner = CountingRunner()
    renderer = PromptRenderer(tmp_path, runner=runner)
    first = renderer.render(PROMPTS["en"], "en", 8000)
    assert runner.syntheses == 1
    cached_file = renderer.cache_path(PROMPTS["en"], "en", 8000)
    assert cached_file.is_file() and cached_file.parent == tmp_path
    stamp = cached_file.stat().st_mtime_ns
    assert renderer.render(PROMPTS["en"], "en", 8000) == first
    assert runner.syntheses == 1  # memory
    # A new renderer (a restarted IVR) finds the file and does not run espeak-ng.
    runner2 = CountingRunner()
    again = PromptRenderer(tmp_path, runner=runner2).render(PROMPTS["en"], "en", 8000)
    assert again == first
    assert runner2.syntheses == 0
    assert cached_file.stat().st_mtime_ns == stamp
    # Another rate, language or text is another render.
    renderer.render(PROMPTS["en"], "en", 16000)
    renderer.render("Goodbye.", "en", 8000)
    assert runner.syntheses == 3
    assert len(list(tmp_path.glob("*.wav"))) == 3


def test_a_damaged_cache_file_is_rendered_again(tmp_path: Path) -> None:
    good = PromptRenderer(tmp_path).render("Thank you.", "en", 8000)
    path = PromptRenderer(tmp_path).cache_path("Thank you.", "en", 8000)
    path.write_bytes(b"RIFF\x00\x00")
    runner = CountingRunner()
    assert PromptRenderer(tmp_path, runner=runner).render("Thank you.", "en", 8000) == good
    assert runner.syntheses == 1
    assert path.stat().st_size > 1000


class FakeEspeak:
    """Stands in for espeak-ng in unit tests of the cache: a 22050 Hz beep per render."""

    def __init__(self, version: str = "eSpeak NG text-to-speech: 9.9") -> None:
        self.version = version
        self.calls: list[list[str]] = []

    def __call__(self, args, **kwargs) -> subprocess.CompletedProcess:
        self.calls.append(list(args))
        if "--version" in args:
            return subprocess.CompletedProcess(args, 0, self.version.encode(), b"")
        out = Path(args[args.index("-w") + 1])
        tone = 3000 * np.sin(2 * np.pi * 500 * np.arange(22050) / 22050)
        beep = np.concatenate((np.zeros(11025), tone, np.zeros(11025)))
        write_wav(out, np.rint(beep).astype(np.int16), 22050)
        return subprocess.CompletedProcess(args, 0, b"", b"")

    @property
    def renders(self) -> int:
        return sum("-w" in call for call in self.calls)


def test_cache_key_and_processing_with_a_fake_espeak(tmp_path: Path) -> None:
    fake = FakeEspeak()
    renderer = PromptRenderer(tmp_path, voices={"en": "en-gb"}, runner=fake)
    pcm = samples_of(renderer.render("-dash first", "en", 8000))
    synth = next(call for call in fake.calls if "-w" in call)
    assert synth[:3] == ["espeak-ng", "-v", "en-gb"] and "--stdin" in synth
    assert "-dash first" not in synth  # text goes on stdin, never as an option
    # 1 s of beep with the 0.5 s silences cut to 0.1 s, at 8 kHz, peak at -3 dBFS.
    assert pcm.size == pytest.approx(8000 * 1.2, abs=40)
    assert np.abs(pcm.astype(np.int32)).max() == pytest.approx(23197, abs=30)
    assert renderer.render("-dash first", "en", 8000) == pcm.tobytes()
    assert fake.renders == 1
    from_disk = FakeEspeak()
    again = PromptRenderer(tmp_path, voices={"en": "en-gb"}, runner=from_disk)
    assert again.render("-dash first", "en", 8000) == pcm.tobytes()
    assert from_disk.renders == 0
    # espeak-ng upgraded: the old render no longer matches.
    newer = FakeEspeak("eSpeak NG text-to-speech: 10.0")
    PromptRenderer(tmp_path, voices={"en": "en-gb"}, runner=newer).render("-dash first", "en", 8000)
    assert newer.renders == 1
    # Another voice for the language: another render.
    other_voice = FakeEspeak()
    PromptRenderer(tmp_path, runner=other_voice).render("-dash first", "en", 8000)
    assert other_voice.renders == 1


def test_in_memory_gives_a_held_render_and_never_runs_espeak(tmp_path: Path) -> None:
    fake = FakeEspeak()
    renderer = PromptRenderer(tmp_path, runner=fake)
    assert renderer.in_memory("Welcome.", "en", 8000) is None  # nothing asked of espeak-ng
    assert fake.calls == []
    pcm = renderer.render("Welcome.", "en", 8000)
    calls = len(fake.calls)
    assert renderer.in_memory("Welcome.", "en", 8000) is pcm
    assert renderer.in_memory("Welcome.", "en", 16000) is None
    assert renderer.in_memory("Goodbye.", "en", 8000) is None
    assert len(fake.calls) == calls
    # On disk only (a restarted IVR): not in memory until rendered once.
    again = PromptRenderer(tmp_path, runner=FakeEspeak())
    assert again.in_memory("Welcome.", "en", 8000) is None


def test_missing_espeak_names_the_prompt(tmp_path: Path) -> None:
    renderer = PromptRenderer(tmp_path, espeak_ng="espeak-ng-not-installed-here")
    with pytest.raises(PromptError) as info:
        renderer.render("Press one", "en", 8000)
    message = str(info.value)
    assert "Press one" in message and "(en)" in message and "not installed" in message


def test_failed_render_names_the_prompt(tmp_path: Path) -> None:
    renderer = PromptRenderer(tmp_path, voices={"xx": "nosuchvoice"})
    with pytest.raises(PromptError) as info:
        renderer.render("Нажмите один", "xx", 8000)
    message = str(info.value)
    assert "Нажмите один" in message and "xx" in message and "nosuchvoice" in message
    assert not list(tmp_path.glob("*.wav"))
    with pytest.raises(PromptError, match="empty"):
        renderer.render("  ", "en", 8000)


def test_default_cache_dir(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "ivr-assist" / "prompts"
    assert PromptRenderer().cache_dir == tmp_path / "ivr-assist" / "prompts"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "ivr-assist" / "prompts"


def test_designer_wav_44k_stereo_comes_out_8k_mono(tmp_path: Path) -> None:
    rate_hz = 44100
    t = np.arange(rate_hz) / rate_hz  # 1 s
    left = np.rint(8000 * np.sin(2 * np.pi * 1000 * t))
    right = np.rint(8000 * np.sin(2 * np.pi * 300 * t))
    path = tmp_path / "welcome.wav"
    write_wav(path, np.stack((left, right), axis=1).astype(np.int16), rate_hz)
    mono = samples_of(load_prompt_wav(path, 8000)).astype(np.float64)
    assert mono.size == 8000
    middle = mono[1000:7000]  # whole cycles of both tones: 6000 samples = 0.75 s

    def amplitude(freq_hz: float) -> float:
        return 2 * math.sqrt(goertzel_power(middle, freq_hz, 8000)) / middle.size

    # Each channel's tone at half its amplitude: the two channels averaged.
    assert amplitude(1000) == pytest.approx(4000, rel=0.01)
    assert amplitude(300) == pytest.approx(4000, rel=0.01)
    assert amplitude(2000) < 40


def test_designer_wav_mono_same_rate_unchanged(tmp_path: Path) -> None:
    samples = np.random.default_rng(1).integers(-5000, 5000, 4000).astype(np.int16)
    path = tmp_path / "beep.wav"
    write_wav(path, samples, 8000)
    assert load_prompt_wav(path, 8000) == samples.astype("<i2").tobytes()


def test_broken_designer_wav_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "menu-main.wav"
    broken.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")
    with pytest.raises(AudioFileError) as info:
        load_prompt_wav(broken, 8000)
    assert str(broken) in str(info.value)
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("this is not audio")
    with pytest.raises(AudioFileError, match=r"notes\.wav"):
        load_prompt_wav(not_audio, 8000)
    with pytest.raises(AudioFileError, match=r"missing\.wav"):
        load_prompt_wav(tmp_path / "missing.wav", 8000)


def test_a_recorded_prompt_is_read_once_until_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "hello.wav"
    write_wav(path, np.full(800, 1000, dtype=np.int16), 8000)
    renderer = PromptRenderer(tmp_path / "cache")
    first = renderer.recorded(path, 8000)
    assert renderer.recorded(path, 8000) is first  # from memory
    write_wav(path, np.full(1600, 1000, dtype=np.int16), 8000)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert len(renderer.recorded(path, 8000)) == 2 * len(first)
