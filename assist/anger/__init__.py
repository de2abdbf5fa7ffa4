"""The anger core: what the customer says and how they say it, against their
own calm start, fused into an explainable anger level and trend.

Sans-I/O: feed :class:`AngerCore` audio chunks and recognition results, get
prosody frames and anger updates (:mod:`ivr.events`). Data people edit lives
in ``assist/data/``: ``lexicon_<lang>.toml`` and ``anger.toml``.
"""

from .config import AngerConfig, load_anger_config, trusting_words
from .core import AngerCore, Assessment, CueTrace
from .lexicon import Lexicon, lexicon_keywords, lexicon_vocabulary, load_lexicon

__all__ = [
    "AngerConfig",
    "AngerCore",
    "Assessment",
    "CueTrace",
    "Lexicon",
    "lexicon_keywords",
    "lexicon_vocabulary",
    "load_anger_config",
    "load_lexicon",
    "trusting_words",
]
