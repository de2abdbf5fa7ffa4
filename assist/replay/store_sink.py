"""The store as a sink of a replay's chain: a replayed call's events are
gathered as they leave the chain and stored in one go when the call ends,
replacing an earlier replay of the same call (never a live call)."""

from __future__ import annotations

from assist.store import CallStore, StoreError
from ivr import events as ev


class ReplayStoreSink:
    name = "store"

    def __init__(self, store: CallStore, engine: str = "vosk") -> None:
        self.store = store
        self.engine = engine
        self.failures: dict[str, str] = {}  # call id: why it was not stored
        self._calls: dict[str, list[ev.Event]] = {}

    def deliver(self, event: ev.Event, text: str) -> None:
        events = self._calls.setdefault(event.call_id, [])
        events.append(event)
        if isinstance(event, ev.CallEnded):
            del self._calls[event.call_id]
            try:
                self.store.replace_call(event.call_id, events, engine=self.engine)
            except StoreError as exc:
                self.failures[event.call_id] = str(exc)

    def close(self) -> None:
        self._calls.clear()
