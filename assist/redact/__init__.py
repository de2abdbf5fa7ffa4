"""PII redaction: card, phone, account and passport numbers and e-mail
addresses said in a call, in Russian and English, replaced by typed
placeholders (``[card]``, ``[phone]``...) in every event before it leaves the
call's pipeline. Sans-I/O: events in, events out.

    config = load_redaction_config(None)   # assist/data/redact.toml
    redactor = CallRedactor(config, "ru")  # one per call
    event = redactor.redact(event)
    redactor.spans_s                       # customer audio hidden, for recordings
"""

from .config import RedactionConfig, load_redaction_config
from .redactor import CallRedactor
from .text import redact_text

__all__ = ["CallRedactor", "RedactionConfig", "load_redaction_config", "redact_text"]
