"""Where the outbound chain delivers: the sink interface.

Every driver (``serve``, the demo, IVR calls, ``replay``, ``analyze``) hands
its calls' events to one :class:`~assist.chain.chain.EventChain`::

    per-call pipeline -> redactor -> event log (seq, history, store) -> sinks

A sink receives each logged event **once, after redaction and numbering**
(``event.seq`` is set) together with its wire form (``text``, the
:func:`ivr.wire.encode` of the event, encoded once for every sink), in
publication order; the events of one call arrive in ``seq`` order. Audio
(``AudioChunk``) and per-frame prosody never reach a sink.

Rules for a sink (they keep one slow or broken sink from hurting calls):

- ``deliver`` runs on the publisher's thread (the event loop in ``serve``):
  it must return at once; queue the work (a thread, an asyncio task, a
  bounded buffer) and never block or await on I/O there;
- an exception out of ``deliver`` ends that event's delivery to that sink
  only: the chain logs an error naming the sink and the call, and the other
  sinks, the call and other calls go on;
- ``close`` is called once when the chain closes (the driver ends): flush
  what is queued, within a bounded time.

Sinks are added with :meth:`EventChain.add_sink` and removed with
:meth:`EventChain.remove_sink`; order of delivery is the order added.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ivr import events as ev


@runtime_checkable
class Sink(Protocol):
    """One consumer of the chain's numbered, redacted events."""

    name: str  # short, for logs ("store", "screens", "console", "nats")

    def deliver(self, event: ev.Event, text: str) -> None:
        """Take one event (``seq`` set) and its wire form; return at once."""
        ...

    def close(self) -> None:
        """The chain is closing: flush what is queued (bounded time)."""
        ...


class CallbackSink:
    """A sink made of a function of the event (the console log, a test's list)."""

    def __init__(self, name: str, callback: Callable[[ev.Event], object]) -> None:
        self.name = name
        self.callback = callback

    def deliver(self, event: ev.Event, text: str) -> None:
        self.callback(event)

    def close(self) -> None:
        flush = getattr(self.callback, "flush", None)
        if callable(flush):
            flush()
