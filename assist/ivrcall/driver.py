"""One IVR call, driven from any telephony line.

The decisions are made by the cores: the menu session (where to go), the
keypad-tone detector (which key, found in the audio itself) and the anger
core (is the caller getting angry). This driver only carries things between
them and the line: caller audio to the detector, the recogniser and the
anger core; commands back to the line (prompts, listen, transfer, hang up);
everything that happens to the hub, so the agent who takes the call sees the
IVR path and why the caller was fast-tracked before saying hello.

After a transfer the call stays on the line and the live assist goes on
listening to it: the same pipeline, now recognising the whole vocabulary.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from assist.anger import load_anger_config, trusting_words
from assist.calls.feed import CallFeed, Publish
from assist.calls.joiner import AudioTap
from assist.calls.runner import CallRunner
from assist.pipeline import CallPipeline
from ivr import events as ev
from ivr.asr.base import SpeechEngine
from ivr.dtmf.detector import DtmfDetector, DtmfDigit
from ivr.menu.commands import Hangup, Listen, Play, StopPlayback, Transfer
from ivr.menu.model import Menu
from ivr.menu.session import IvrSession
from ivr.prompts import PromptError, PromptRenderer
from ivr.telephony.line import Line, LineAudio, LineDtmf, LineHangup

# A key reported by the protocol and also heard in the audio is one press.
SAME_KEY_WINDOW_S = 0.3
# The caller's audio goes to the worker (recogniser, anger core, keypad-tone
# detector) every 0.1 s, not every 0.2 s as on an agent's call: a key or a
# word is acted on sooner (keys about 70 ms after the release wait instead of
# 160, words a tenth of a second sooner) for about the same CPU per call.
IVR_BATCH_S = 0.1

OnTransfer = Callable[[str, Transfer], None]  # call id, transfer


@dataclass
class IvrOutcome:
    call_id: str
    language: str
    transfer: Transfer | None
    end_reason: str
    audio_s: float


class IvrCall:
    def __init__(
        self,
        line: Line,
        menu: Menu,
        language: str,
        engine: SpeechEngine,
        prompts: PromptRenderer,
        publish: Publish,
        *,
        executor: ThreadPoolExecutor | None = None,
        always_listen_for: Sequence[str] = (),
        on_transfer: OnTransfer | None = None,
        runner: CallRunner | None = None,
    ) -> None:
        """``always_listen_for``: words recognised at every menu node besides its
        options (the anger lexicon's insults and threats, so a caller who swears
        at the menu is heard); ``runner``: the process's call runner, which
        routes the agent's feedback to this call once it is transferred."""
        self.line = line
        self.info = line.info
        self.language = language
        self.prompts = prompts
        self.publish = publish
        self.executor = executor
        self.always_listen_for = tuple(always_listen_for)
        self.on_transfer = on_transfer
        self.session = IvrSession(menu, self.info.call_id, language)
        # The menu's recognition is limited to its options and the lexicon, so
        # a caller's lone word is the whole utterance: keywords are trusted.
        self.pipeline = CallPipeline.create(
            self.info.call_id,
            language,
            source=f"ivr:{self.info.protocol}",
            anger_config=trusting_words(load_anger_config()),
        )
        self.live = CallFeed(self.pipeline, engine, self._tap, executor, batch_s=IVR_BATCH_S)
        self.runner = runner
        if runner is not None:
            runner.adopt(self.live)
        self.customer = self.live.channel(ev.ChannelRole.CUSTOMER, self.info.rate_hz)
        # Keys are found in the caller's audio in the recognition worker, with
        # the anger core's analysis: none of it runs on the event loop.
        self.dtmf = DtmfDetector(self.info.rate_hz)
        self.customer.tap(AudioTap(self._hear_keys, self._on_keys))
        self.audio_s = 0.0
        self.transfer: Transfer | None = None
        self._listening: tuple[str, ...] | None = None
        self._last_key: tuple[str, float] | None = None
        self._play_task: asyncio.Task[None] | None = None
        self._plays = 0  # plays started; a prompt superseded by a later one ends quietly
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> IvrOutcome:
        reason = "hangup"
        self._apply(self.session.start(0.0))
        try:
            async for event in self.line.events():
                if isinstance(event, LineAudio):
                    self._on_audio(event)
                elif isinstance(event, LineDtmf):
                    self._on_key(event.digit, self.audio_s)
                elif isinstance(event, LineHangup):
                    reason = event.reason
        finally:
            self._apply(self.session.on_hangup(self.audio_s))
            for task in [*self._tasks]:
                task.cancel()  # prompts still rendering or playing: the line is gone
            if self.runner is not None:
                self.runner.forget(self.info.call_id)
            await self.live.end(reason)
        return IvrOutcome(self.info.call_id, self.language, self.transfer, reason, self.audio_s)

    # ---------------------------------------------------------------- caller side

    def _on_audio(self, event: LineAudio) -> None:
        if event.role is not ev.ChannelRole.CUSTOMER:
            self.live.channel(event.role, self.info.rate_hz).feed_pcm(event.pcm)
            return
        self.customer.feed_pcm(event.pcm)
        self.audio_s += len(event.pcm) / (2 * self.info.rate_hz)
        self._apply(self.session.on_time(self.audio_s))

    def _hear_keys(self, chunk: ev.AudioChunk) -> list[DtmfDigit]:
        """In the recognition worker: the key presses this chunk completes."""
        return self.dtmf.feed(chunk.pcm)

    def _on_keys(self, keys: list[DtmfDigit]) -> None:
        for key in keys:
            if not self.session.finished:
                self._on_key(key.digit, key.end_s)

    def _on_key(self, digit: str, at_s: float) -> None:
        last = self._last_key
        self._last_key = (digit, at_s)
        if last is not None and last[0] == digit and abs(at_s - last[1]) < SAME_KEY_WINDOW_S:
            return
        self._apply(self.session.on_digit(digit, max(at_s, 0.0)))

    def _tap(self, event: ev.Event) -> None:
        """Everything the pipeline says goes to the hub; the session hears
        the caller's final words and every anger update."""
        self.publish(event)
        if self.session.finished:
            return
        if isinstance(event, ev.TranscriptFinal) and event.role is ev.ChannelRole.CUSTOMER:
            conf = min((w.conf for w in event.words), default=1.0)
            self._apply(self.session.on_speech(event.text, self.audio_s, conf))
        elif isinstance(event, ev.AngerUpdate):
            self._apply(self.session.on_anger(event))

    # ---------------------------------------------------------------- commands

    def _apply(self, commands: Sequence[object]) -> None:
        for command in commands:
            self.publish(command.to_event(self.info.call_id, self.audio_s))  # type: ignore[attr-defined]
            if isinstance(command, Play):
                self._plays += 1
                self._play_task = self._spawn(self._play(command, self._plays))
            elif isinstance(command, StopPlayback):
                self._plays += 1
                self._spawn(self.line.clear())
            elif isinstance(command, Listen):
                self._listen(command.phrases)
            elif isinstance(command, Transfer):
                self.transfer = command
                self._listen(None)  # the agent's conversation: the whole vocabulary
                if self.on_transfer is not None:
                    self.on_transfer(self.info.call_id, command)
            elif isinstance(command, Hangup):
                self._spawn(self._hang_up(command.reason))

    def _listen(self, phrases: tuple[str, ...] | None) -> None:
        if phrases is not None:
            phrases = tuple(dict.fromkeys([*phrases, *self.always_listen_for]))
        if phrases != self._listening:
            self._listening = phrases
            self.customer.listen_for(phrases)

    async def _play(self, command: Play, number: int) -> None:
        """Render and play one prompt; a later play or a stop supersedes it
        (the line clears what is playing when the next play starts)."""
        loop = asyncio.get_running_loop()
        try:
            pcm = self._rendered(command)
            if pcm is None:  # rendering or reading a file: in a worker
                pcm = await loop.run_in_executor(self.executor, self._render, command)
        except (PromptError, OSError, ValueError) as exc:
            self.publish(ev.Error(self.info.call_id, "ivr-prompt", str(exc)))
            pcm = b""
        if number != self._plays:
            return
        if pcm and not await self.line.play(pcm):
            return  # cleared (barge-in) or the caller hung up
        if number == self._plays:
            self._apply(self.session.prompt_done(self.audio_s))

    def _rendered(self, command: Play) -> bytes | None:
        """A synthesised prompt the renderer holds already (the welcome every
        caller hears), without queueing behind the recognition work."""
        prompt = command.prompt
        if prompt.wav is not None:
            return None
        return self.prompts.in_memory(prompt.text, prompt.language, self.info.rate_hz)

    def _render(self, command: Play) -> bytes:
        prompt = command.prompt
        if prompt.wav is not None:
            return self.prompts.recorded(prompt.wav, self.info.rate_hz)
        return self.prompts.render(prompt.text, prompt.language, self.info.rate_hz)

    async def _hang_up(self, reason: str) -> None:
        """After the goodbye prompt has played."""
        if self._play_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._play_task)
        await self.line.hangup(reason)

    def _spawn(self, coro: object) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
