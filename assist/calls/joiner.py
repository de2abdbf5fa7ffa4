"""Fewer pipeline passes for audio that arrives in large pieces.

A vosk-protocol client sends a few hundred ms per message; framed, that is
ten or more 20 ms chunks, each one pass through the pipeline (and the
feed's queue). The anger core only analyses once 0.4 s have come in, so the
chunks between two analyses can go through as one: same events, a tenth of
the passes.
"""

from __future__ import annotations

from ivr import events as ev


class FrameJoiner:
    """Joins a channel's consecutive 20 ms chunks into as few as give the
    pipeline the same events: a joined chunk ends wherever the anger core's
    analysis would run had it been fed 20 ms at a time (see
    :func:`~assist.pipeline.analysis_batch_samples`)."""

    def __init__(self, analysis_batch: int) -> None:
        self.analysis_batch = analysis_batch
        self.unanalysed = 0  # samples given to the pipeline since its analysis last ran

    def counted(self, chunk: ev.AudioChunk) -> bool:
        """Count a chunk given to the pipeline; whether the analysis runs after it."""
        self.unanalysed += chunk.n_samples
        if self.unanalysed < self.analysis_batch:
            return False
        self.unanalysed = 0
        return True

    def joined(self, chunks: list[ev.AudioChunk]) -> list[ev.AudioChunk]:
        out: list[ev.AudioChunk] = []
        run: list[ev.AudioChunk] = []
        for chunk in chunks:
            run.append(chunk)
            if self.counted(chunk):
                out.append(_join(run))
                run = []
        if run:
            out.append(_join(run))
        return out


def _join(run: list[ev.AudioChunk]) -> ev.AudioChunk:
    if len(run) == 1:
        return run[0]
    first = run[0]
    pcm = b"".join(c.pcm for c in run)
    return ev.AudioChunk(first.call_id, first.role, first.rate_hz, pcm, first.start_sample)
