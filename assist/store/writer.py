"""Writing events to a store off the publisher's path, in batches.

:meth:`BatchWriter.put` only appends to a list; a background thread takes
whatever has gathered and commits it in one transaction (group commit: the
busier the hub, the bigger the batches, never a timer to wait for). An event
is **acknowledged** once the commit that holds it has returned:
:meth:`flush` waits for that, :meth:`committed_seq` says how far a call is.
A crash loses at most the events published since the last commit (typically
the last few milliseconds), never an acknowledged one.

A failed write (disk full, a locked file) keeps its batch and is retried
with back-off until it succeeds; nothing is dropped, :attr:`error` says what
is wrong meanwhile and :meth:`flush` raises it.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time

from assist.store.base import CallStore, StoreError
from ivr import events as ev

log = logging.getLogger(__name__)

_RETRY_FIRST_S = 0.05
_RETRY_MAX_S = 2.0


class BatchWriter:
    def __init__(self, store: CallStore, *, max_batch: int = 2000) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.store = store
        self.max_batch = max_batch
        self.error: Exception | None = None
        self._cond = threading.Condition()
        self._pending: list[tuple[ev.Event, str | None]] = []
        self._submitted = 0
        self._committed = 0
        self._committed_seq: dict[str, int] = {}
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()
        atexit.register(self._close_at_exit)

    def put(self, event: ev.Event, wire_text: str | None = None) -> None:
        """Queue one event (with its seq) for the store; returns at once."""
        with self._cond:
            if self._stopping:
                raise StoreError("the store writer is closed")
            self._pending.append((event, wire_text))
            self._submitted += 1
            if len(self._pending) == 1:
                self._cond.notify()  # the writer only ever waits for an empty list

    def committed_seq(self, call_id: str) -> int:
        """The highest acknowledged seq of a call (0: none yet)."""
        with self._cond:
            return self._committed_seq.get(call_id, 0)

    def forget(self, call_id: str) -> None:
        """Drop what :meth:`committed_seq` remembers of a call that is over,
        so a long-running writer does not grow with every call it saw."""
        with self._cond:
            self._committed_seq.pop(call_id, None)

    @property
    def backlog(self) -> int:
        """Events queued but not yet acknowledged."""
        with self._cond:
            return self._submitted - self._committed

    def flush(self, timeout_s: float = 30.0) -> None:
        """Wait until every event queued so far is acknowledged; raises
        StoreError if the store keeps failing for ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            target = self._submitted
            while self._committed < target:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StoreError(
                        f"{target - self._committed} events not yet stored after {timeout_s} s"
                        + (f": {self.error}" if self.error else "")
                    )
                self._cond.wait(left)

    def close(self, timeout_s: float = 30.0) -> None:
        """Store what is queued, then stop the thread (idempotent)."""
        try:
            self.flush(timeout_s)
        finally:
            with self._cond:
                self._stopping = True
                self._cond.notify_all()
            self._thread.join(timeout_s)
            atexit.unregister(self._close_at_exit)

    def _close_at_exit(self) -> None:
        try:
            self.close(timeout_s=10.0)
        except StoreError as exc:
            log.error("events lost at exit: %s", exc)

    def _run(self) -> None:
        delay_s = _RETRY_FIRST_S
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if not self._pending and self._stopping:
                    return
                batch = self._pending[: self.max_batch]
            try:
                self.store.append([e for e, _ in batch], _texts(batch))
            except Exception as exc:  # keep the batch; retry after a pause
                with self._cond:
                    if self.error is None or str(exc) != str(self.error):
                        log.error("cannot store events (will retry): %s", exc)
                    self.error = exc
                    self._cond.notify_all()
                time.sleep(delay_s)
                delay_s = min(_RETRY_MAX_S, delay_s * 2)
                continue
            delay_s = _RETRY_FIRST_S
            with self._cond:
                del self._pending[: len(batch)]
                self._committed += len(batch)
                for event, _ in batch:
                    if event.seq > self._committed_seq.get(event.call_id, 0):
                        self._committed_seq[event.call_id] = event.seq
                self.error = None
                self._cond.notify_all()


def _texts(batch: list[tuple[ev.Event, str | None]]) -> list[str] | None:
    texts = [t for _, t in batch]
    if any(t is None for t in texts):
        return None
    return texts  # type: ignore[return-value]
