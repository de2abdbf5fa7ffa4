"""The text channel: chat and e-mail messages through the same anger core
and advisor as calls, with text evidence only (no voice)."""

from assist.text.conversation import TextConversation, TextVerdict, score_text, text_anger_config

__all__ = ["TextConversation", "TextVerdict", "score_text", "text_anger_config"]
