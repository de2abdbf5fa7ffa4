"""IVR under load: concurrent Asterisk AudioSocket calls, each walking the
example menu in real time, against the IVR (``python -m assist ivr``) in its
own process, so the callers' work does not count against it.

Each call streams 8 kHz audio on one real-time clock: 1 s of silence; a menu
word spoken by espeak-ng over the welcome prompt (ru "интернет" / en
"internet", option 1: barge-in), or key 1 if the word gets no reaction; 1.5 s
into the next prompt, key 1 inside the audio (a queue); silence while the
transfer prompt plays; hang-up. N = 1, 2, 4, ... calls at once (starts spread
over 1 s) until a level falls behind, or the call cap or time budget is hit.

Per level: prompt lateness (each played-back frame against a 20 ms cadence
from the start of its prompt burst; a burst starts at each "play" event, as
barge-in clears prompts; late: > 100 ms); reaction (from the end of the key
press / word being sent to the IVR's decision arriving on the supervisor
socket; late: > what the IVR needs anyway, the key detector's release wait or
the recogniser's endpoint silence measured offline on the same audio, + 250
ms); CPU per call (the IVR process's CPU from /proc, reaped espeak-ng children
included, above its idle baseline, per second of call audio).

    python -m bench.ivr_calls [--model PATH] [--max-calls 64] [--lang ru] [--budget-s 180]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

from ivr import events as ev
from ivr import wire
from ivr.dtmf.detector import DtmfDetector
from ivr.dtmf.tones import dtmf_tone
from ivr.prompts import PromptRenderer
from ivr.telephony import audiosocket_codec as asock
from ivr.telephony.clients import AudioSocketCaller

ROOT = Path(__file__).resolve().parents[1]
RATE_HZ = 8000
FRAME_S = 0.02
FRAME_BYTES = 320
WORDS = {"ru": "интернет", "en": "internet"}
TARGET_NODE = "internet"  # where the word (or key 1) leads from the main menu
LEAD_S = 1.0  # silence before the word
KEY_AFTER_S = 1.5  # into the internet prompt before key 1
SPEECH_WAIT_S = 4.0  # beyond the recogniser's endpoint delay, then press 1 instead
KEY_WAIT_S = 4.0
QUIET_S = 0.6  # no prompt audio this long after the transfer: its prompt is over
CALL_LIMIT_S = 40.0
LATE_FRAME_S = 0.1
LATE_REACTION_S = 0.25
SPREAD_S = 1.0  # call starts spread over this much time
SETTLE_S = 0.5  # after the last hang-up, before reading the IVR's CPU
BASELINE_S = 5.0
START_LIMIT_S = 120.0


def silence(seconds: float) -> bytes:
    return bytes(round(seconds / FRAME_S) * FRAME_BYTES)


def _pad(pcm: bytes) -> bytes:
    """Up to a whole number of frames."""
    return pcm + bytes(-len(pcm) % FRAME_BYTES)


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (NaN when empty)."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))] if s else math.nan


def proc_cpu_s(pid: int) -> float:
    """utime + stime + reaped children's cutime + cstime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Script:
    word: bytes
    key: bytes
    key_delay_s: float  # the IVR cannot know the key earlier (it waits for the release)
    speech_delay_s: float  # nor the word (the recogniser's endpoint silence)


def make_script(model: Path, lang: str, cache: Path) -> Script:
    """The caller's audio, and what the IVR needs anyway, in audio time after
    each input ends (measured here, offline, on the same audio and model)."""
    from ivr.asr.vosk_engine import VoskEngine

    word = _pad(PromptRenderer(cache).render(WORDS[lang], lang, RATE_HZ))
    key = _pad(dtmf_tone("1", RATE_HZ, duration_s=0.1, level_dbm0=-12.0).astype("<i2").tobytes())

    def delay_s(pcm: bytes, heard: Callable[[bytes], bool]) -> float:
        stream = silence(LEAD_S) + pcm + silence(4.0)
        for i in range(0, len(stream), FRAME_BYTES):
            if heard(stream[i : i + FRAME_BYTES]):
                return (i + FRAME_BYTES) / 2 / RATE_HZ - LEAD_S - len(pcm) / 2 / RATE_HZ
        return math.nan

    detector = DtmfDetector(RATE_HZ)
    recognizer = VoskEngine(model, lang).recognizer(RATE_HZ)

    def recognised(frame: bytes) -> bool:
        result = recognizer.accept(frame)
        return result.final and WORDS[lang] in result.text.split()

    speech_s = delay_s(word, recognised)
    if math.isnan(speech_s):
        print(f"note: the model does not recognise {WORDS[lang]!r} here; 1 s endpoint assumed")
    key_s = delay_s(key, lambda frame: bool(detector.feed(frame)))
    return Script(word, key, key_s, 1.0 if math.isnan(speech_s) else speech_s)


class Supervisor:
    """The hub's supervisor stream: each call's IvrAction events with their arrival times."""

    def __init__(self) -> None:
        self.actions: dict[str, list[tuple[float, ev.IvrAction]]] = {}
        self.connected = asyncio.Event()
        self._changed = asyncio.Condition()

    async def run(self, url: str) -> None:
        async with connect(url, max_queue=None, max_size=2**22) as ws:
            self.connected.set()
            async for message in ws:
                now = time.monotonic()
                if '"type":"IvrAction"' not in message:
                    continue
                event = wire.decode(message)
                self.actions.setdefault(event.call_id, []).append((now, event))
                async with self._changed:
                    self._changed.notify_all()

    async def wait(
        self, call_id: str, after_s: float, match: Callable[[ev.IvrAction], bool], timeout_s: float
    ) -> tuple[float, ev.IvrAction] | None:
        """The first matching action of the call that arrived after ``after_s``."""

        def found() -> tuple[float, ev.IvrAction] | None:
            actions = self.actions.get(call_id, [])
            return next(((t, a) for t, a in actions if t >= after_s and match(a)), None)

        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(found), timeout_s)
        return found()


class PacedLine:
    """A caller's outgoing audio on one real-time clock: every 20 ms the next
    frame of queued audio, or silence."""

    def __init__(self, caller: AudioSocketCaller) -> None:
        self.caller = caller
        self.sent_s = 0.0
        self.lag_s = 0.0  # the latest a frame of ours went out: this process's own lateness
        self._pending = bytearray()
        self._queued = self._taken = 0
        self._marks: list[tuple[int, asyncio.Future[float]]] = []

    def say(self, pcm: bytes) -> asyncio.Future[float]:
        """Queue audio; resolves with the monotonic time its last frame was sent."""
        pcm = _pad(pcm)
        self._pending += pcm
        self._queued += len(pcm)
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._marks.append((self._queued, done))
        return done

    async def run(self) -> None:
        start_s, k = time.monotonic(), 0
        while True:
            k += 1
            due_s = start_s + k * FRAME_S  # when the frame's audio is complete
            if due_s > time.monotonic():
                await asyncio.sleep(due_s - time.monotonic())
            self.lag_s = max(self.lag_s, time.monotonic() - due_s)
            frame = bytes(self._pending[:FRAME_BYTES])
            del self._pending[:FRAME_BYTES]
            self._taken += len(frame)
            await self.caller.send_raw(asock.encode_audio(frame.ljust(FRAME_BYTES, b"\0")))
            self.sent_s = k * FRAME_S
            now = time.monotonic()
            while self._marks and self._marks[0][0] <= self._taken:
                self._marks.pop(0)[1].set_result(now)


@dataclass
class CallResult:
    call_id: str = ""
    audio_s: float = 0.0
    send_lag_s: float = 0.0
    heard: bool = False  # the word was acted on (else key 1 was pressed instead)
    error: str = ""
    key_s: list[float] = field(default_factory=list)  # reaction after each key's end
    speech_s: list[float] = field(default_factory=list)
    lateness_s: list[float] = field(default_factory=list)  # one per played-back frame


def lateness_s(frames_s: list[float], plays_s: list[float]) -> list[float]:
    """Each frame's lateness against a 20 ms cadence from the start of its burst.
    A burst begins at each prompt's play event (the first holds all before the
    second); its start is where its best frame puts it."""
    out: list[float] = []
    i = 0
    for bound in [*plays_s[1:], math.inf]:
        burst: list[float] = []
        while i < len(frames_s) and frames_s[i] < bound:
            burst.append(frames_s[i])
            i += 1
        offsets = [t - k * FRAME_S for k, t in enumerate(burst)]
        out += [o - min(offsets) for o in offsets]
    return out


async def one_call(
    port: int, sup: Supervisor, script: Script, delay_s: float = 0.0, limit_s: float = CALL_LIMIT_S
) -> CallResult:
    await asyncio.sleep(delay_s)
    caller = AudioSocketCaller("127.0.0.1", port)
    result = CallResult(caller.call_id)
    line = PacedLine(caller)
    sender: asyncio.Task[None] | None = None

    async def press(match: Callable[[ev.IvrAction], bool]) -> ev.IvrAction | None:
        begin_s = time.monotonic()
        end_s = await line.say(script.key)
        found = await sup.wait(result.call_id, begin_s, match, KEY_WAIT_S)
        if found is not None:
            result.key_s.append(found[0] - end_s)
        return found and found[1]

    def to_target(a: ev.IvrAction) -> bool:
        return (a.action == "play" and a.node == TARGET_NODE) or a.action in ("transfer", "hangup")

    try:
        async with asyncio.timeout(limit_s):
            await caller.connect()
            sender = asyncio.create_task(line.run())
            begin_s = await line.say(silence(LEAD_S))
            end_s = await line.say(script.word)
            found = await sup.wait(
                result.call_id, begin_s, to_target, script.speech_delay_s + SPEECH_WAIT_S
            )
            if found is not None:
                result.heard = True
                result.speech_s.append(found[0] - end_s)
                action = found[1]
            else:
                action = await press(to_target)
            if action is None or action.node != TARGET_NODE or action.action != "play":
                result.error = f"did not reach the {TARGET_NODE} menu: {action}"
                return result
            await asyncio.sleep(KEY_AFTER_S)
            if await press(lambda a: a.action == "transfer") is None:
                result.error = "no transfer after key 1"
                return result
            transfer_s = time.monotonic()
            times = caller.received_times_s
            while not (times and times[-1] > transfer_s and time.monotonic() - times[-1] > QUIET_S):
                await asyncio.sleep(0.1)
    except TimeoutError:
        result.error = "the call took too long"
    except (ConnectionError, OSError) as exc:
        result.error = f"connection: {exc}"
    finally:
        if sender is not None:
            sender.cancel()
            await caller.hangup()
        result.audio_s, result.send_lag_s = line.sent_s, line.lag_s
        plays_s = [t for t, a in sup.actions.get(result.call_id, []) if a.action == "play"]
        result.lateness_s = lateness_s(list(caller.received_times_s), plays_s)
    return result


@dataclass
class Level:
    n: int
    calls: list[CallResult]
    wall_s: float
    ivr_cpu_s: float
    caller_cpu_s: float
    caller_lag_s: float


async def run_level(
    n: int, port: int, pid: int, sup: Supervisor, script: Script, limit_s: float
) -> Level:
    cpu0, own0, t0 = proc_cpu_s(pid), time.process_time(), time.monotonic()
    calls = await asyncio.gather(
        *(one_call(port, sup, script, i * SPREAD_S / n, limit_s) for i in range(n))
    )
    await asyncio.sleep(SETTLE_S)
    wall_s = time.monotonic() - t0
    cpu_s, own_s = proc_cpu_s(pid) - cpu0, time.process_time() - own0
    return Level(n, calls, wall_s, cpu_s, own_s, max(c.send_lag_s for c in calls))


def late_calls(level: Level, script: Script, need_heard: bool) -> list[str]:
    """Why each call that fell behind did (empty: all on time)."""
    out = []
    for c in level.calls:
        why = [c.error] if c.error else []
        if max(c.lateness_s, default=0.0) > LATE_FRAME_S:
            why.append(f"prompt {max(c.lateness_s) * 1000:.0f} ms late")
        if any(k > script.key_delay_s + LATE_REACTION_S for k in c.key_s):
            why.append(f"key reaction {max(c.key_s) * 1000:.0f} ms")
        if any(s > script.speech_delay_s + LATE_REACTION_S for s in c.speech_s):
            why.append(f"speech reaction {max(c.speech_s) * 1000:.0f} ms")
        if need_heard and not c.heard:
            why.append("word not acted on in time")
        if why:
            out.append(f"{c.call_id[:8]}: " + ", ".join(why))
    return out


ROW = (
    "{:>5} {:>4} | {:>7} {:>7} | {:>5} {:>5} {:>5} | {:>5} {:>5} {:>5} | {:>5} | {:>5} | "
    "{:>6} {:>5} | {:>5} {:>7}  {}"
)
GROUPS = "{:10} | {:^15} | {:^17} | {:^17} | {:5} | {:5} | {:^12} | {:^13}"
HEADER = "\n".join(
    [
        GROUPS.format("", "prompt late ms", "key reaction ms", "word reaction ms", "", "IVR",
                      "per call", "callers"),
        ROW.format("N", "ok", "p99", "max", "p50", "p99", "max", "p50", "p99", "max", "heard",
                   "%core", "%core", "x RT", "%core", "late ms", ""),
    ]
)  # fmt: skip


def levels(max_calls: int) -> list[int]:
    """1, 2, 4, ... up to ``max_calls``, which is the last level."""
    out = [2**i for i in range(max_calls.bit_length()) if 2**i < max_calls]
    return [*out, max_calls]


def row(level: Level, cpu_s: float, audio_s: float, late: list[str]) -> str:
    """``cpu_s``: the IVR's CPU for the level above its idle baseline."""
    calls = level.calls

    def ms(values: list[float], *qs: float) -> list[str]:
        return [f"{pct(values, q) * 1000:.0f}" for q in qs]

    return ROW.format(
        level.n,
        sum(not c.error for c in calls),
        *ms([x for c in calls for x in c.lateness_s], 99, 100),
        *ms([x for c in calls for x in c.key_s], 50, 99, 100),
        *ms([x for c in calls for x in c.speech_s], 50, 99, 100),
        sum(c.heard for c in calls),
        f"{100 * level.ivr_cpu_s / level.wall_s:.0f}",
        f"{100 * cpu_s / audio_s:.2f}" if audio_s else "-",
        f"{audio_s / cpu_s:.0f}" if cpu_s > 0 else "-",
        f"{100 * level.caller_cpu_s / level.wall_s:.1f}",
        f"{level.caller_lag_s * 1000:.0f}",
        "BEHIND" if late else "on time",
    )


async def measure(args: argparse.Namespace, script: Script, pid: int, hub: int, port: int) -> None:
    sup = Supervisor()
    sup_task = asyncio.create_task(sup.run(f"ws://127.0.0.1:{hub}/ws/supervisor"))
    await asyncio.wait_for(sup.connected.wait(), 10)
    warm = await one_call(port, sup, script, 0.0)  # renders the prompts once; not counted
    print(f"warm-up call: {warm.error or 'transferred'}; word acted on: {warm.heard}")
    if warm.error:
        sup_task.cancel()
        return
    cpu0 = proc_cpu_s(pid)
    await asyncio.sleep(BASELINE_S)
    idle = (proc_cpu_s(pid) - cpu0) / BASELINE_S
    print(f"IVR idle baseline: {100 * idle:.2f} % of a core (over {BASELINE_S:.0f} s, no calls)")
    print(
        f"on time: prompt frames <= {LATE_FRAME_S * 1000:.0f} ms late; reactions <= what the IVR"
        f" needs anyway + {LATE_REACTION_S * 1000:.0f} ms (key {script.key_delay_s * 1000:.0f} "
        f"ms: release wait; word {script.speech_delay_s * 1000:.0f} ms: endpoint silence)\n"
    )
    print(HEADER)
    best, pooled_cpu, pooled_audio, last_wall = 0, 0.0, 0.0, 15.0
    for n in levels(args.max_calls):
        left_s = args.budget_s - (time.monotonic() - args.started)
        if last_wall * 1.3 > left_s:
            print(f"(stopping: the next level would pass the {args.budget_s:.0f} s budget)")
            break
        level = await run_level(n, port, pid, sup, script, min(CALL_LIMIT_S, left_s - 2 * SPREAD_S))
        last_wall = level.wall_s
        cpu_s = level.ivr_cpu_s - idle * level.wall_s
        audio_s = sum(c.audio_s for c in level.calls)
        late = late_calls(level, script, need_heard=warm.heard)
        print(row(level, cpu_s, audio_s, late), flush=True)
        for why in late[:3]:
            print(f"        {why}")
        if late:
            if not best:  # nothing on time: the CPU of the level that fell behind
                pooled_cpu, pooled_audio = cpu_s, audio_s
            break
        best, pooled_cpu, pooled_audio = n, pooled_cpu + cpu_s, pooled_audio + audio_s
    print("callers: this process's CPU and how late it sent its own frames (prompt lateness")
    print("near that figure is the machine's contention, not the IVR)")
    sup_task.cancel()
    share = f"{100 * pooled_cpu / pooled_audio:.2f}" if pooled_audio else "n/a"
    print(
        f"\nlargest N with every call on time: {best}"
        + (" (the cap)" if best == args.max_calls else "")
        + f"; CPU per call: {share} % of a core (IVR process above idle"
        + (", levels on time)" if best else ", the first level)")
    )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def default_model(lang: str) -> Path:
    """Resolved as ``assist.engines.load_engine(lang)`` would (which may build it)."""
    from assist.engines import build_own_model
    from ivr.asr.models import resolve_model

    return resolve_model(None, lang, build=build_own_model).path


@contextlib.contextmanager
def ivr_process(
    model: Path, lang: str, folder: Path, profile_dir: Path | None = None
) -> Iterator[tuple[int, int, int]]:
    """``python -m assist ivr`` on 127.0.0.1 ports of its choosing: (pid, hub port,
    AudioSocket port); terminated on exit. With ``profile_dir`` it runs under
    ``bench._cluster_profile`` (nothing profiled until it gets SIGUSR1)."""
    out, err = folder / "ivr.out", folder / "ivr.err"
    launcher = ["bench._cluster_profile", str(profile_dir)] if profile_dir else ["assist"]
    command = [
        sys.executable, "-m", *launcher, "ivr", "--lang", lang,
        "--audiosocket", f"127.0.0.1:0:{lang}", "--no-media-ws", "--port", "0",
        "--no-store", "--quiet", "--model", str(model),
    ]  # fmt: skip
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=stderr)
    try:
        deadline = time.monotonic() + START_LIMIT_S
        while True:
            text = out.read_text(errors="replace")
            hub = re.search(r"hub on http://127\.0\.0\.1:(\d+)", text)
            sock = re.search(r"IVR menu .*: AudioSocket on 127\.0\.0\.1:(\d+)", text)
            if hub and sock:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = err.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the IVR did not start: {' '.join(command)}\n{tail}")
            time.sleep(0.1)
        yield proc.pid, int(hub[1]), int(sock[1])
    finally:
        proc.terminate()  # a profiled process writes its files as it stops
        try:
            proc.wait(30 if profile_dir else 10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ivr_calls")
    parser.add_argument("--model", type=Path, help="vosk model directory (default: as load_engine)")
    parser.add_argument("--max-calls", type=int, default=64)
    parser.add_argument("--lang", choices=sorted(WORDS), default="ru")
    parser.add_argument("--budget-s", type=float, default=180.0, help="total run time cap")
    args = parser.parse_args(argv or [])  # `python -m bench` calls main() with no options
    args.started = time.monotonic()
    args.max_calls = max(1, min(args.max_calls, 64))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min) at start")
    model = args.model or default_model(args.lang)
    with tempfile.TemporaryDirectory() as tmp:
        script = make_script(model, args.lang, Path(tmp) / "caller")
        print(
            f"model {model}; each call says {WORDS[args.lang]!r} over the welcome prompt, "
            f"presses 1 in the {TARGET_NODE} menu, hears the transfer prompt, hangs up"
        )
        with ivr_process(model, args.lang, Path(tmp)) as (pid, hub, port):
            print(f"IVR process {pid}: hub port {hub}, AudioSocket port {port}")
            asyncio.run(measure(args, script, pid, hub, port))


if __name__ == "__main__":
    main(sys.argv[1:])
