"""Replaying one call, in whichever process runs it: the recogniser's model
is loaded once per process, on the first call that needs recognition."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from assist.offline import CallRun
from assist.replay.batch_asr import UnsupportedLanguage, run_recognised
from assist.replay.inputs import ReplayInput
from assist.replay.transcribed import run_transcribed
from assist.replay.transcript_file import TranscriptFileError, read_transcript
from ivr.asr.base import SpeechEngine
from ivr.asr.vosk_engine import ModelLoadError, VoskEngine
from ivr.audio.frames import CustomerChannel
from ivr.sources import AudioFileError, probe_audio_file


@dataclass(frozen=True)
class ReplaySettings:
    language: str  # for recognition, and for transcripts that do not say
    customer_channel: CustomerChannel = "left"
    model_dir: Path | None = None  # None: no recogniser (every input has a transcript)
    engine: str = "vosk"  # or "whisper": then model_dir is the Whisper model (or its name)
    whisper_threads: int | None = None  # CPU threads per Whisper decoder (None: automatic)


@dataclass(frozen=True)
class JobResult:
    input: ReplayInput
    run: CallRun | None  # the pipeline's events (the chain numbers and redacts them)
    error: str | None = None
    transcribed: bool = False  # the recorder's transcript was used, no recognition
    wall_s: float = 0.0  # time this process spent on the call

    @property
    def ok(self) -> bool:
        return self.run is not None


class Replayer:
    def __init__(self, settings: ReplaySettings) -> None:
        self.settings = settings
        self._engine: SpeechEngine | None = None

    def engine(self) -> SpeechEngine:
        if self._engine is None:
            if self.settings.model_dir is None:
                raise ModelLoadError("no speech model was given for calls without a transcript")
            if self.settings.engine == "whisper":
                from ivr.asr.whisper_engine import WhisperEngine

                self._engine = WhisperEngine(
                    self.settings.model_dir,
                    self.settings.language,
                    cpu_threads=self.settings.whisper_threads,
                    allow_download=not Path(self.settings.model_dir).is_dir(),
                )
            else:
                self._engine = VoskEngine(self.settings.model_dir, self.settings.language)
        return self._engine

    def replay(self, item: ReplayInput) -> JobResult:
        started = time.perf_counter()
        if item.problem is not None or item.audio is None:
            return JobResult(item, None, item.problem or "no recording")
        try:
            if item.transcript is not None:
                transcript = read_transcript(item.transcript)
                run = run_transcribed(
                    item.audio,
                    transcript,
                    transcript.language or self.settings.language,
                    call_id=item.call_id,
                    customer_channel=self.settings.customer_channel,
                )
            else:
                probe_audio_file(item.audio)  # a bad file says so before any model loads
                run, _ = run_recognised(
                    item.audio,
                    self.engine(),
                    call_id=item.call_id,
                    customer_channel=self.settings.customer_channel,
                )
        except AudioFileError as exc:
            return JobResult(item, None, exc.problem, wall_s=time.perf_counter() - started)
        except TranscriptFileError as exc:
            return JobResult(
                item,
                None,
                f"transcript {exc.path.name}: {exc.problem}",
                wall_s=time.perf_counter() - started,
            )
        except UnsupportedLanguage as exc:
            return JobResult(item, None, str(exc), wall_s=time.perf_counter() - started)
        except ModelLoadError as exc:
            return JobResult(
                item, None, f"speech model: {exc}", wall_s=time.perf_counter() - started
            )
        except Exception as exc:  # one bad call must not end the batch
            return JobResult(
                item,
                None,
                f"replay failed ({type(exc).__name__}: {exc})",
                wall_s=time.perf_counter() - started,
            )
        return JobResult(
            item,
            run,
            transcribed=item.transcript is not None,
            wall_s=time.perf_counter() - started,
        )


# One replayer per worker process (set by the pool's initializer).
_replayer: Replayer | None = None


def init_worker(settings: ReplaySettings) -> None:
    global _replayer
    _replayer = Replayer(settings)


def replay_in_worker(item: ReplayInput) -> JobResult:
    if _replayer is None:
        raise RuntimeError("init_worker was not called in this process")
    return _replayer.replay(item)
