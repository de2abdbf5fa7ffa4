"""``replay --broker``: replayed calls go to the site's store writer.

Replay is a batch job without an event loop of its own, so the broker's
client runs on a loop in a background thread. A replayed call is gathered as
it leaves the chain (redacted, numbered) and sent **whole**, in one message,
when it ends: the store writer then replaces an earlier replay of the call
in one go (never a live call), exactly as a local replay does. The message
must fit the broker's ``max_payload`` (1 MB by default, some 3,000 events);
a larger call is reported and not sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

from assist.cluster.broker import Broker
from assist.cluster.config import BrokerConfig, BrokerConfigError, broker_config
from assist.cluster.publisher import MSG_ID_HEADER
from assist.cluster.storewriter import ENGINE_HEADER
from ivr import events as ev
from ivr.datafile import DataFileError

_CONNECT_TIMEOUT_S = 15.0
_SEND_TIMEOUT_S = 30.0


class SiteReplaySink:
    name = "broker"

    def __init__(self, config: BrokerConfig, engine: str = "vosk") -> None:
        self.engine = engine
        self.failures: dict[str, str] = {}  # call id: why it did not reach the site
        self.sent = 0
        self._calls: dict[str, list[str]] = {}
        self._pending: list[tuple[str, Future]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="broker", daemon=True)
        self._thread.start()
        self.broker = Broker(config, node=f"replay-{os.getpid()}")
        try:
            asyncio.run_coroutine_threadsafe(
                self.broker.connect(_CONNECT_TIMEOUT_S), self._loop
            ).result(_CONNECT_TIMEOUT_S + 1)
        except Exception:
            self._stop_loop()
            raise ConnectionError(
                f"the broker {config.display} did not answer in {_CONNECT_TIMEOUT_S:g} s"
            ) from None

    def deliver(self, event: ev.Event, text: str) -> None:
        texts = self._calls.setdefault(event.call_id, [])
        texts.append(text)
        if isinstance(event, ev.CallEnded):
            del self._calls[event.call_id]
            payload = json.dumps(texts, ensure_ascii=False).encode()
            future = asyncio.run_coroutine_threadsafe(
                self._send(event.call_id, payload), self._loop
            )
            self._pending.append((event.call_id, future))

    async def _send(self, call_id: str, payload: bytes) -> None:
        nc, js = self.broker.nc, self.broker.js
        assert nc is not None and js is not None
        if len(payload) > nc.max_payload:
            raise ValueError(
                f"{len(payload)} bytes, more than the broker's max_payload ({nc.max_payload}); "
                "raise max_payload in its config"
            )
        digest = hashlib.sha256(payload).hexdigest()[:16]
        headers = {ENGINE_HEADER: self.engine, MSG_ID_HEADER: f"replay:{call_id}:{digest}"}
        subject = self.broker.names.replay_subject(call_id)
        await js.publish(subject, payload, headers=headers, timeout=_SEND_TIMEOUT_S)

    def close(self) -> None:
        """Wait until every replayed call reached the broker (or failed)."""
        for call_id, future in self._pending:
            try:
                future.result(_SEND_TIMEOUT_S + 5)
                self.sent += 1
            except Exception as exc:
                self.failures[call_id] = str(exc) or type(exc).__name__
        self._pending.clear()
        self._stop_loop()

    def _stop_loop(self) -> None:
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self.broker.close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


def site_replay_sink(url: str, access_file: Path | None, engine: str) -> SiteReplaySink:
    """The sink for ``replay --broker``; a bad address or an unreachable
    broker ends the command with one line (exit code 2)."""
    try:
        return SiteReplaySink(broker_config(url, access_file), engine)
    except (BrokerConfigError, DataFileError, ConnectionError) as exc:
        print(f"ivr-assist replay: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
