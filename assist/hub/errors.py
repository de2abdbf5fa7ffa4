"""The hub's refusals: close codes with a readable reason."""

from __future__ import annotations

CLOSE_OVERFLOW = 4008  # too slow: reconnect with after=<last seq>
CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_IDLE = 4408  # the peer sent nothing for the idle timeout
CLOSE_SEAT_TAKEN = 4409  # another connection took this agent seat, or this call leg is taken
CLOSE_UNAVAILABLE = 4503

MAX_REASON_BYTES = 120  # a close frame's reason is at most 123 bytes


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason.encode("utf-8")[:MAX_REASON_BYTES].decode("utf-8", "ignore")
