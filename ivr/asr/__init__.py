"""Speech recognition: the recogniser interface, vosk engine, model resolution."""

from ivr.asr.base import UNKNOWN_WORD, AsrResult, Recognizer, SpeechEngine
from ivr.asr.models import ModelNotFound, ResolvedModel, resolve_model

__all__ = [
    "UNKNOWN_WORD",
    "AsrResult",
    "ModelNotFound",
    "Recognizer",
    "ResolvedModel",
    "SpeechEngine",
    "resolve_model",
]
