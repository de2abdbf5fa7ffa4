"""The advisor: calming phrases and behaviour cues for the agent."""

from assist.advisor.core import Advisor, trigger_of
from assist.advisor.phrases import Phrase, load_phrases

__all__ = ["Advisor", "Phrase", "load_phrases", "trigger_of"]
