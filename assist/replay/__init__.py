"""QA replay: recorded calls through the same per-call pipeline as live
calls, across processes, into the store and the HTML report.

- inputs.py: files, folders and globs -> the calls to replay;
- transcript_file.py: the recorder-transcript format (skip recognition);
- transcribed.py: the pipeline driven by a given transcript;
- worker.py: one call in a worker process (model loaded once per process);
- runner.py: the batch across processes, with a progress bar;
- command.py: ``ivr-assist replay``.
"""

from __future__ import annotations

from assist.replay.inputs import ReplayInput, discover
from assist.replay.runner import replay_all
from assist.replay.transcribed import run_transcribed
from assist.replay.transcript_file import (
    TRANSCRIPT_SUFFIX,
    RecordedTranscript,
    TranscriptFileError,
    read_transcript,
)
from assist.replay.worker import JobResult, Replayer, ReplaySettings

__all__ = [
    "TRANSCRIPT_SUFFIX",
    "JobResult",
    "RecordedTranscript",
    "ReplayInput",
    "ReplaySettings",
    "Replayer",
    "TranscriptFileError",
    "discover",
    "read_transcript",
    "replay_all",
    "run_transcribed",
]
