"""The advisor: calming phrases and behaviour cues for the agent, warnings
about the agent's own words and voice, and what followed each suggestion."""

from assist.advisor.agent_rules import AgentRules, agent_warning_vocabulary, load_agent_rules
from assist.advisor.core import Advisor, trigger_of
from assist.advisor.outcomes import Outcome, suggestion_outcomes
from assist.advisor.phrases import (
    AGENT_TRIGGERS,
    CODED_TRIGGERS,
    CUE_TRIGGERS,
    PRINCIPLES,
    Phrase,
    PhraseBook,
    known_triggers,
    load_phrase_book,
    load_phrases,
)
from assist.advisor.screen import MAX_CARDS, CardLife, Screen, replay_screen
from assist.advisor.settings import AdvisorSettings, load_advisor_settings

__all__ = [
    "AGENT_TRIGGERS",
    "CODED_TRIGGERS",
    "CUE_TRIGGERS",
    "MAX_CARDS",
    "PRINCIPLES",
    "Advisor",
    "AdvisorSettings",
    "AgentRules",
    "CardLife",
    "Outcome",
    "Phrase",
    "PhraseBook",
    "Screen",
    "agent_warning_vocabulary",
    "known_triggers",
    "load_advisor_settings",
    "load_agent_rules",
    "load_phrase_book",
    "load_phrases",
    "replay_screen",
    "suggestion_outcomes",
    "trigger_of",
]
