"""Offline vosk model builder: random-weight models for plumbing tests and
small whole-word models trained on synthetic espeak-ng speech.

Models written here are NOT models of human speech; see each model's README.
"""

from ivr.asr.model_dir import ModelDirError, validate_model_dir
from ivr.modelbuild.build import BuildReport, build_model
from ivr.modelbuild.cache import ensure_built_model, model_cache_dir
from ivr.modelbuild.random_model import write_random_model
from ivr.modelbuild.vocab import UNK_WORD, normalise_word, read_vocabulary_file

__all__ = [
    "UNK_WORD",
    "BuildReport",
    "ModelDirError",
    "build_model",
    "ensure_built_model",
    "model_cache_dir",
    "normalise_word",
    "read_vocabulary_file",
    "validate_model_dir",
    "write_random_model",
]
