"""The post-call pass: a finished call's recording transcribed again by a
stronger, slower engine (Whisper), the anger timeline re-run on those words,
and both kept in the store, each labelled by its engine.

``ivr-assist post-call CALL_ID...`` takes stored call ids (their audio is
``DIR/CALL_ID.wav`` in the recordings folder: ``--recordings DIR``,
``$IVR_ASSIST_RECORDINGS`` or ``~/.local/share/ivr-assist/recordings``) or
recordings' paths (the call id is the file's stem). The call's own events
(the live transcript) stay as they are; the new transcript goes beside them
(:meth:`assist.store.CallStore.put_transcript`). With ``--report DIR`` the QA
report gets the post-call page of each call and, when the store has the live
one, the live page beside it.

:class:`PostCallQueue` runs the pass in one low-priority worker process, so
a live server can queue finished calls without slowing live recognition.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assist.chain.chain import EventChain
from assist.chain.redaction import redactors
from assist.offline import CallRun, through_chain
from assist.recording import recording_path
from assist.redact import RedactionConfig, load_redaction_config
from assist.replay.batch_asr import BatchEngine, UnsupportedLanguage, transcribe_recording
from assist.replay.transcribed import run_transcribed
from assist.replay.transcript_file import Utterance, transcript_to_dict
from assist.store import CallStore, StoreError, open_store
from ivr import events as ev
from ivr.audio.frames import CustomerChannel
from ivr.sources import AudioFileError, probe_audio_file

RECORDINGS_ENV = "IVR_ASSIST_RECORDINGS"
EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2


def default_recordings_dir() -> Path:
    env = os.environ.get(RECORDINGS_ENV)
    if env:
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "ivr-assist" / "recordings"


def find_recording(target: str, recordings: Path) -> tuple[str, Path]:
    """(call id, recording) for a stored call id or a recording's path."""
    as_path = Path(target)
    if as_path.suffix.lower() in (".wav", ".ul", ".al") and as_path.is_file():
        return as_path.stem, as_path
    recorded = recording_path(recordings, target)  # where serve --record puts it
    for candidate in (recorded, *(recordings / f"{target}{x}" for x in (".wav", ".ul", ".al"))):
        if candidate.is_file():
            return target, candidate
    raise AudioFileError(recorded, "no recording of this call")


@dataclass(frozen=True)
class PostCallResult:
    call_id: str
    engine: str
    language: str
    run: CallRun  # the pipeline re-run on the new words (events numbered from 1)
    live_events: tuple[ev.Event, ...]  # the call's stored events (empty if not stored)
    live_engine: str

    @property
    def words(self) -> int:
        return _word_count(self.run.events)


def _word_count(events: Any) -> int:
    return sum(len(e.words) for e in events if isinstance(e, ev.TranscriptFinal))


def _keywords(events: Any) -> list[str]:
    found: dict[str, float] = {}
    for e in events:
        if isinstance(e, ev.AngerUpdate):
            for r in e.reasons:
                if r.kind.startswith("keyword") and r.words not in found:
                    found[r.words] = e.at_s
    return [f"'{w}' at {t:.1f} s" for w, t in found.items()]


def _peak(events: Any) -> str:
    updates = [e for e in events if isinstance(e, ev.AngerUpdate)]
    top = max(updates, key=lambda u: u.score, default=None)
    return "calm 0.00" if top is None else f"{top.level.value} {top.score:.2f}"


def post_call(
    call_id: str,
    audio: Path,
    engine: BatchEngine,
    engine_name: str,
    *,
    store: CallStore | None,
    customer_channel: CustomerChannel = "left",
    language: str | None = None,
    redaction: RedactionConfig | None = None,
) -> PostCallResult:
    """Transcribe ``audio`` with ``engine``, re-run the pipeline on the words,
    and keep both in ``store`` beside the call's own events; the events and
    the stored transcript go through the outbound chain's redactor
    (``redaction``, default: the default settings) like the live call's."""
    probe_audio_file(audio)  # a bad file says so before any decoding
    record = store.call(call_id) if store is not None else None
    lang = language or (record.language if record is not None and record.language else None)
    batch = transcribe_recording(
        audio, engine, call_id=call_id, customer_channel=customer_channel, language=lang
    )
    transcript = batch.transcript
    run = run_transcribed(
        audio,
        transcript,
        transcript.language or "",
        call_id=call_id,
        customer_channel=customer_channel,
    )
    chain = EventChain(redactor_for=redactors(redaction or load_redaction_config(None)))
    run = through_chain(run, chain)
    # The stored transcript is the redacted one: its utterances are the chain's finals.
    transcript = dataclasses.replace(
        transcript,
        utterances=tuple(
            Utterance(e.role, e.text, e.words)
            for e in run.events
            if isinstance(e, ev.TranscriptFinal)
        ),
    )
    live: tuple[ev.Event, ...] = ()
    if store is not None:
        store.put_transcript(
            call_id,
            engine_name,
            transcript.language or "",
            json.dumps(transcript_to_dict(transcript), ensure_ascii=False),
            [e for e in run.events if e.seq],  # as the chain logged them (no prosody)
        )
        if record is not None:
            live = tuple(store.events_after(call_id))
    return PostCallResult(
        call_id,
        engine_name,
        transcript.language or "",
        run,
        live,
        record.engine if record is not None else "",
    )


def describe(result: PostCallResult) -> str:
    line = (
        f"ok      {result.call_id}: {result.engine} ({result.language}) "
        f"{result.words} words, peak {_peak(result.run.events)}"
    )
    if result.live_events:
        line += (
            f"; live ({result.live_engine}) {_word_count(result.live_events)} words, "
            f"peak {_peak(result.live_events)}"
        )
    keywords = _keywords(result.run.events)
    return line + f"; anger words: {', '.join(keywords) if keywords else 'none'}"


def run_post_call_command(args: argparse.Namespace) -> int:
    """``ivr-assist post-call``: one line per call; exit 1 if any failed."""
    from assist.engines import load_whisper_engine
    from assist.report import ReportWriter

    store: CallStore | None = None
    if not args.no_store:
        try:
            store = open_store(args.store)
        except StoreError as exc:
            print(f"ivr-assist post-call: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
    try:
        engine: Any = load_whisper_engine(
            args.lang or "",
            args.whisper_model,
            allow_download=args.download,
            cpu_threads=args.whisper_threads,
        )
        report = ReportWriter(args.report) if args.report is not None else None
        recordings = args.recordings or default_recordings_dir()
        failed = 0
        for target in args.calls:
            try:
                call_id, audio = find_recording(target, recordings)
                result = post_call(
                    call_id,
                    audio,
                    engine,
                    "whisper",
                    store=store,
                    customer_channel=args.customer_channel,
                    language=args.lang,
                )
            except (AudioFileError, UnsupportedLanguage, StoreError) as exc:
                failed += 1
                print(f"FAILED  {target}: {exc}", flush=True)
                if report is not None:
                    report.add_failure(target, str(exc))
                continue
            print(describe(result), flush=True)
            if report is not None:
                label = audio.name
                report.add_call(
                    call_id,
                    result.run.events,
                    result.run.duration_s,
                    f"{label} (post-call transcript, {result.engine})",
                )
                if result.live_events:
                    report.add_call(
                        f"{call_id}-live",
                        result.live_events,
                        result.run.duration_s,
                        f"{label} (live transcript, {result.live_engine})",
                    )
        if report is not None:
            print(f"report: {report.finish()}")
    finally:
        if store is not None:
            store.close()
    return EXIT_FAILED if failed else EXIT_OK


# ------------------------------------------------------------ the live server's queue

_worker_engine: Any = None
_worker_store: CallStore | None = None


def _init_worker(model: str | None, threads: int | None, store_path: str | None) -> None:
    global _worker_engine, _worker_store
    os.nice(10)  # live recognition always goes first
    from assist.engines import load_whisper_engine

    _worker_engine = load_whisper_engine("", model, cpu_threads=threads)
    _worker_store = open_store(store_path) if store_path else None


def _post_call_in_worker(call_id: str, audio: str, channel: CustomerChannel) -> str:
    try:
        result = post_call(
            call_id,
            Path(audio),
            _worker_engine,
            "whisper",
            store=_worker_store,
            customer_channel=channel,
        )
    except (AudioFileError, UnsupportedLanguage, StoreError) as exc:
        return f"post-call {call_id}: FAILED: {exc}"
    return f"post-call {describe(result)[8:]}"


class PostCallQueue:
    """Finished calls' recordings, transcribed one at a time by a worker
    process at low priority (its own Whisper model and store connection)."""

    def __init__(
        self,
        store_path: str | os.PathLike[str] | None,
        *,
        whisper_model: str | None = None,
        threads: int | None = 1,
    ) -> None:
        self._initargs = (whisper_model, threads, str(store_path) if store_path else None)
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        import multiprocessing

        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),  # never fork a threaded server
            initializer=_init_worker,
            initargs=self._initargs,
        )

    def submit(
        self, call_id: str, audio: Path, customer_channel: CustomerChannel = "left"
    ) -> Future[str]:
        """Queue one call; the future's result is its one-line outcome. A worker
        that died (its calls' futures say so) is replaced for the calls after it."""
        try:
            return self._pool.submit(_post_call_in_worker, call_id, str(audio), customer_channel)
        except BrokenProcessPool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._start()
            return self._pool.submit(_post_call_in_worker, call_id, str(audio), customer_channel)

    def close(self, *, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
