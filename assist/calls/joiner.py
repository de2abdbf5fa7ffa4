"""How the feed gives a call's audio to its pipeline: joined, and off the loop.

A client sends a few hundred ms per message, a telephony line 20 ms; the
feed hears them in batches. Framed, a batch is ten or more 20 ms chunks,
each one pass through the pipeline. The anger core only analyses once 0.4 s
have come in, so the chunks between two analyses can go through as one:
same events, a tenth of the passes (:class:`FrameJoiner`). The passes run in
the recognition pool's worker, right before the batch is decoded
(:func:`heard_then`), and so does whatever else hears the audio
(:class:`AudioTap`: the IVR's keypad-tone detector).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assist.pipeline import CallPipeline
from ivr import events as ev
from ivr.asr.base import AsrResult


class FrameJoiner:
    """Joins a channel's consecutive 20 ms chunks into as few as give the
    pipeline the same events: a joined chunk ends wherever the anger core's
    analysis would run had it been fed 20 ms at a time (see
    :func:`~assist.pipeline.analysis_batch_samples`). A chunk of several
    frames (``frame_samples`` each, :meth:`~ivr.audio.frames.Framer.push_run`)
    counts frame by frame: it is cut where that happens."""

    def __init__(self, analysis_batch: int, frame_samples: int | None = None) -> None:
        self.analysis_batch = analysis_batch
        self.frame_samples = frame_samples
        self.unanalysed = 0  # samples given to the pipeline since its analysis last ran

    def counted(self, chunk: ev.AudioChunk) -> bool:
        """Count a chunk given to the pipeline; whether the analysis runs after it."""
        self.unanalysed += chunk.n_samples
        if self.unanalysed < self.analysis_batch:
            return False
        self.unanalysed = 0
        return True

    def joined(self, chunks: list[ev.AudioChunk]) -> list[ev.AudioChunk]:
        """The chunks joined; never across a gap (a chunk that does not start
        where the one before it ended), so the analyser still sees the gap."""
        out: list[ev.AudioChunk] = []
        run: list[ev.AudioChunk] = []
        for chunk in chunks:
            if run and chunk.start_sample != run[-1].start_sample + run[-1].n_samples:
                out.append(_join(run))
                run = []
            for piece in self._pieces(chunk):
                run.append(piece)
                if self.counted(piece):
                    out.append(_join(run))
                    run = []
        if run:
            out.append(_join(run))
        return out

    def _pieces(self, chunk: ev.AudioChunk) -> list[ev.AudioChunk]:
        """A chunk of several frames cut after the frame that makes the
        analysis run (every ``analysis_batch`` samples), as its frames would
        have been one by one; a frame or less as it is."""
        frame = self.frame_samples
        n = chunk.n_samples
        if frame is None or n <= frame:
            return [chunk]
        pieces: list[ev.AudioChunk] = []
        at, unanalysed = 0, self.unanalysed
        while at < n:
            frames_to_run = -(-(self.analysis_batch - unanalysed) // frame)
            take = min(frames_to_run * frame, n - at)
            pieces.append(_part(chunk, at, take))
            at += take
            unanalysed = 0 if unanalysed + take >= self.analysis_batch else unanalysed + take
        return pieces


def _part(chunk: ev.AudioChunk, at: int, count: int) -> ev.AudioChunk:
    if at == 0 and count == chunk.n_samples:
        return chunk
    pcm = chunk.pcm[2 * at : 2 * (at + count)]
    return ev.AudioChunk(chunk.call_id, chunk.role, chunk.rate_hz, pcm, chunk.start_sample + at)


def _join(run: list[ev.AudioChunk]) -> ev.AudioChunk:
    if len(run) == 1:
        return run[0]
    first = run[0]
    pcm = b"".join(c.pcm for c in run)
    return ev.AudioChunk(first.call_id, first.role, first.rate_hz, pcm, first.start_sample)


@dataclass(frozen=True)
class Failed:
    error: Exception


def nothing() -> None: ...


@dataclass(frozen=True)
class AudioTap:
    """Besides the pipeline, something that hears a channel's audio in the
    worker (the IVR's keypad-tone detector): ``hear`` runs there, chunk by
    chunk in order; what it finds is handed to ``found`` on the event loop,
    before the events of the same trip are published."""

    hear: Callable[[ev.AudioChunk], list[Any]]
    found: Callable[[list[Any]], None]


def heard_then(
    pipeline: CallPipeline,
    chunks: list[ev.AudioChunk],
    fn: Callable[..., Any],
    args: tuple,
    taps: Mapping[ev.ChannelRole, AudioTap] | None = None,
) -> tuple[list[ev.Event], list[tuple[AudioTap, list[Any]]], Any]:
    """In the executor: the pipeline's events for ``chunks`` and what the
    channels' ``taps`` found in them, then what ``fn(*args)`` returned (or
    raised: the events are published either way)."""
    events: list[ev.Event] = []
    found: list[tuple[AudioTap, list[Any]]] = []
    try:
        for chunk in chunks:
            tap = taps.get(chunk.role) if taps else None
            if tap is not None and (heard := tap.hear(chunk)):
                found.append((tap, heard))
            events += pipeline.on_audio(chunk)
        return events, found, fn(*args)
    except Exception as exc:
        return events, found, Failed(exc)


def in_call_time(result: AsrResult, offset_s: float) -> AsrResult:
    """A result whose recogniser started at ``offset_s`` of the call, its
    word times shifted to call time."""
    if not offset_s or not result.words:
        return result
    words = tuple(
        ev.Word(w.word, w.start_s + offset_s, w.end_s + offset_s, w.conf) for w in result.words
    )
    return AsrResult(result.text, words, result.final)
