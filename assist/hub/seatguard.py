"""What the screens ask of a site of several nodes about agent seats."""

from __future__ import annotations

from typing import Protocol

from websockets.asyncio.server import ServerConnection


class SeatGuard(Protocol):
    """Seats held across a site's nodes (:mod:`assist.cluster`): a seat
    opened on another node closes the screen that had it here with 4409."""

    async def opened(self, seat: str, connection: ServerConnection) -> None: ...

    async def closed(self, seat: str, connection: ServerConnection) -> None: ...
