"""The one error the telephony codecs raise for input that breaks a protocol."""

from __future__ import annotations

__all__ = ["ProtocolError"]


class ProtocolError(ValueError):
    """The peer sent something its protocol does not allow; the message says what."""
