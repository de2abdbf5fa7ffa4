"""The fixture calls: formats, labels against the audio, anger cues, idempotence, the data file."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

import audio_fixtures
from audio_fixtures import make_fixtures as mf

REPO = Path(__file__).resolve().parents[2]
VOWELS = re.compile(r"[аеиоуыэюяaeiouy]+")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    out = tmp_path_factory.mktemp("fixtures")
    t0 = time.perf_counter()
    assert mf.generate(out, quiet=True)
    return out, time.perf_counter() - t0


def read_wav(path: Path) -> tuple[int, int, np.ndarray]:
    """(rate_hz, sample width in bytes, samples as float of shape (n, channels))."""
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2")
        return w.getframerate(), w.getsampwidth(), data.reshape(-1, w.getnchannels()) / 32768.0


def rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x))) + 1e-12))


def span(turn: dict, rate_hz: int, margin_s: float = 0.0) -> slice:
    return slice(
        round((turn["start_s"] + margin_s) * rate_hz), round((turn["end_s"] - margin_s) * rate_hz)
    )


def median_f0_hz(x: np.ndarray, rate_hz: int) -> float:
    """Median pitch of the voiced 40 ms frames, by autocorrelation."""
    win, found = int(0.04 * rate_hz), []
    level = np.sqrt(np.mean(np.square(x)))
    for i in range(0, len(x) - win, win // 4):
        f = x[i : i + win] - x[i : i + win].mean()
        if np.sqrt(np.mean(np.square(f))) < 0.3 * level:
            continue
        ac = np.correlate(f, f, "full")[win - 1 :]
        lo, hi = rate_hz // 500, rate_hz // 60
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.5 * ac[0]:
            found.append(rate_hz / lag)
    return float(np.median(found))


def test_generation_is_quick(made: tuple[Path, float]) -> None:
    assert made[1] < 30.0


def test_every_call_has_all_files_in_the_right_format(made: tuple[Path, float]) -> None:
    out = made[0]
    assert audio_fixtures.call_ids() == [
        f"{lang}_{kind}" for lang in ("ru", "en") for kind in ("calm", "escalating", "angry")
    ]
    for call_id in audio_fixtures.call_ids():
        rate, width, live = read_wav(out / f"{call_id}.16k.wav")
        assert (rate, width, live.shape[1]) == (16_000, 2, 1)
        rate, width, stereo = read_wav(out / f"{call_id}.8k.stereo.wav")
        assert (rate, width, stereo.shape[1]) == (8_000, 2, 2)
        rate, width, agc = read_wav(out / f"{call_id}.8k.agc.wav")
        assert (rate, width, agc.shape[1]) == (8_000, 2, 1)
        assert len(live) == 2 * len(stereo) == 2 * len(agc)


def test_labels_match_the_audio(made: tuple[Path, float]) -> None:
    out = made[0]
    for call_id in audio_fixtures.call_ids():
        labels = json.loads((out / f"{call_id}.json").read_text(encoding="utf-8"))
        assert labels["call_id"] == call_id
        assert labels["language"] == call_id.split("_")[0]
        assert labels["kind"] == call_id.split("_")[1]
        _, _, live = read_wav(out / f"{call_id}.16k.wav")
        assert labels["duration_s"] == len(live) / 16_000
        assert 12.0 <= labels["duration_s"] <= 25.0
        turns = labels["turns"]
        assert [t["role"] for t in turns[:2]] in (["customer", "agent"], ["agent", "customer"])
        for prev, turn in itertools.pairwise(turns):
            assert turn["role"] != prev["role"]
            assert prev["end_s"] < turn["start_s"]
        for turn in turns:
            assert 0 < turn["start_s"] < turn["end_s"] <= labels["duration_s"]
            assert turn["style"] in ("calm", "tense", "angry")
            assert turn["text"] and turn["text"] == turn["text"].lower()
            if turn["role"] == "customer":  # speech starts and ends right at the labelled times
                seg = np.abs(live[span(turn, 16_000), 0])
                assert seg[:2].max() > 60 / 32768 and seg[-2:].max() > 60 / 32768
        angry = [t for t in turns if t["role"] == "customer" and t["style"] == "angry"]
        assert labels["anger_onset_s"] == (angry[0]["start_s"] if angry else None)


def test_each_channel_is_silent_while_the_other_speaks(made: tuple[Path, float]) -> None:
    out = made[0]
    for call_id in audio_fixtures.call_ids():
        labels = audio_fixtures.load_labels(call_id, out)
        _, _, live = read_wav(out / f"{call_id}.16k.wav")
        _, _, stereo = read_wav(out / f"{call_id}.8k.stereo.wav")
        inside = np.zeros(len(live), bool)
        for turn in labels["turns"]:
            if turn["role"] == "customer":
                inside[span(turn, 16_000)] = True
        assert not live[~inside].any()  # the live customer stream is exactly silent elsewhere
        for turn in labels["turns"]:
            mine, other = (0, 1) if turn["role"] == "customer" else (1, 0)
            seg = stereo[span(turn, 8_000, margin_s=0.03)]
            assert rms_db(seg[:, mine]) > -45.0
            assert rms_db(seg[:, other]) < -90.0


def test_anger_is_louder_higher_and_faster_but_not_after_agc(made: tuple[Path, float]) -> None:
    out = made[0]
    for call_id in audio_fixtures.call_ids():
        labels = audio_fixtures.load_labels(call_id, out)
        _, _, live = read_wav(out / f"{call_id}.16k.wav")
        _, _, agc = read_wav(out / f"{call_id}.8k.agc.wav")
        customer = [t for t in labels["turns"] if t["role"] == "customer"]
        first, angry = customer[0], [t for t in customer if t["style"] == "angry"]
        if labels["kind"] == "calm":
            assert not angry and {t["style"] for t in customer} == {"calm"}
            continue
        loud_16k = [rms_db(live[span(t, 16_000), 0]) for t in customer]
        loud_agc = [rms_db(agc[span(t, 8_000), 0]) for t in customer]
        for turn, db16, dbagc in zip(customer, loud_16k, loud_agc, strict=True):
            if turn["style"] == "angry":  # peaks differ by 11 dB from calm, 6 dB from tense
                assert db16 > loud_16k[0] + (6.0 if first["style"] == "calm" else 3.0), call_id
            assert abs(dbagc - loud_agc[0]) < 0.5, call_id
        first_f0 = median_f0_hz(live[span(first, 16_000), 0], 16_000)
        for turn in angry:
            assert median_f0_hz(live[span(turn, 16_000), 0], 16_000) > 1.2 * first_f0, call_id

        def syllables_per_s(turns: list[dict]) -> float:
            syllables = sum(len(VOWELS.findall(t["text"])) for t in turns)
            return syllables / sum(t["end_s"] - t["start_s"] for t in turns)

        if labels["kind"] == "escalating":
            calm = [t for t in customer if t["style"] == "calm"]
            assert syllables_per_s(angry) > 1.05 * syllables_per_s(calm), call_id


def test_callers_have_a_baseline_before_anger(made: tuple[Path, float]) -> None:
    for call_id in audio_fixtures.call_ids():
        labels = audio_fixtures.load_labels(call_id, made[0])
        onset = labels["anger_onset_s"]
        before = [
            t
            for t in labels["turns"]
            if t["role"] == "customer" and onset is not None and t["end_s"] <= onset
        ]
        calm_s = sum(t["end_s"] - t["start_s"] for t in before if t["style"] == "calm")
        warm_s = sum(t["end_s"] - t["start_s"] for t in before)
        if labels["kind"] == "calm":
            assert onset is None
        elif labels["kind"] == "escalating":
            assert calm_s >= 5.0
        else:
            customer = [t for t in labels["turns"] if t["role"] == "customer"]
            assert customer[1]["style"] == "angry"
            assert warm_s >= 2.0 and onset < 0.4 * labels["duration_s"]


def test_rerun_is_a_no_op_and_output_is_reproducible(
    made: tuple[Path, float], tmp_path: Path
) -> None:
    out = made[0]
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir()}
    assert not mf.generate(out, quiet=True)
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir()} == before
    assert mf.generate(tmp_path, quiet=True, force=True)
    for name, (_, data) in before.items():
        assert (tmp_path / name).read_bytes() == data, name
    (tmp_path / "en_angry.8k.agc.wav").unlink()
    assert mf.generate(tmp_path, quiet=True)  # a missing file is noticed


def test_command_line_is_quiet_when_current(made: tuple[Path, float]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "audio_fixtures.make_fixtures", "--out", str(made[0]), "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_vocabulary_is_small_and_matches_what_is_spoken(made: tuple[Path, float]) -> None:
    for lang in ("ru", "en"):
        words = audio_fixtures.fixture_vocabulary(lang)
        assert 30 <= len(words) <= 120
        assert words == sorted(set(words))
        assert all(re.fullmatch(r"[a-zа-я]+", w) for w in words)
        spoken = {
            w
            for call_id in audio_fixtures.call_ids()
            if call_id.startswith(lang)
            for t in audio_fixtures.load_labels(call_id, made[0])["turns"]
            for w in t["text"].split()
        }
        assert spoken == set(words)


def broken_copy(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of calls.toml with the first `old` replaced; returns it and that line number."""
    text = mf.CALLS_FILE.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path = tmp_path / "calls.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, line


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ('{ agent = "мастер придет завтра." }', '{ agent = "мастер придет завтра. }', "at line"),
        ('style = "tense" }', 'style = "furious" }', "furious"),
        ("мастер придет завтра.", "мастер придет в 5 часов.", "numbers as words"),
        ("мастер придет завтра.", "Мастер придет завтра.", "lowercase"),
        ("rate_wpm = 200", 'rate_wpm = "fast"', "rate_wpm"),
        ('kind = "angry"', 'kind = "annoyed"', "kind"),
        ('{ agent = "i understand." },', '{ customer = "i understand." },', "alternate"),
    ],
)
def test_malformed_calls_file_names_file_and_line(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    path, line = broken_copy(tmp_path, old, new)
    with pytest.raises(mf.CallsFileError) as caught:
        mf.load_calls(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert says in str(caught.value)
    assert mf.main(["--calls", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 1


def test_too_many_words_is_an_error(tmp_path: Path) -> None:
    extra = " ".join(f"слово{'а' * i}" for i in range(1, 120))
    first_turn = "здравствуйте. я хочу узнать"  # the first Russian turn in the file
    path, line = broken_copy(tmp_path, first_turn, f"{first_turn} {extra}")
    with pytest.raises(mf.CallsFileError, match="more than 120") as caught:
        mf.load_calls(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
