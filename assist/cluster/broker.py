"""One node's connection to the site's NATS JetStream broker.

:class:`Broker` connects in the background and keeps at it (a node whose
broker is down at start-up serves its own calls locally until it is back),
says whether it is connected (``connected``, and ``on_state`` for the
supervisor screen), and makes sure the site's stream exists with the
configured limits. The nats-py client reconnects by itself once it has
been connected; everything a node publishes while it is away waits in the
publisher's :class:`~assist.cluster.outbox.Outbox`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext, api
from nats.js.errors import NotFoundError

from assist.cluster.config import BrokerConfig
from assist.cluster.subjects import SiteNames

log = logging.getLogger(__name__)

# How long the stream remembers a message id (the publisher's retries after a
# reconnect are dropped as duplicates within it).
DUPLICATE_WINDOW_S = 300.0
_RETRY_CONNECT_S = 1.0
_CLOSE_TIMEOUT_S = 3.0


class Broker:
    def __init__(
        self,
        config: BrokerConfig,
        *,
        node: str = "",
        on_state: Callable[[bool], None] | None = None,
    ) -> None:
        self.config = config
        self.names = SiteNames(config.site)
        self.node = node or uuid.uuid4().hex[:12]
        self.on_state = on_state
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None
        self.connected = False
        self.ready = asyncio.Event()  # connected once and the stream exists
        self._up = asyncio.Event()  # connected now
        self._task: asyncio.Task | None = None
        self._closing = False
        self._said_unreachable = False

    # ---------------------------------------------------------------- life

    def start(self) -> None:
        """Connect in the background (retrying until it works)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._connect_forever())

    async def connect(self, timeout_s: float = 10.0) -> Broker:
        """Start and wait until connected with the stream in place."""
        self.start()
        await asyncio.wait_for(self.ready.wait(), timeout_s)
        return self

    async def wait_connected(self, timeout_s: float | None = None) -> None:
        await asyncio.wait_for(self._up.wait(), timeout_s)

    async def close(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self.nc is not None and not self.nc.is_closed:
            try:  # drain what is in flight; a broker that is away gets no wait
                if not self.connected:
                    raise TimeoutError
                await asyncio.wait_for(self.nc.drain(), _CLOSE_TIMEOUT_S)
            except Exception:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.nc.close(), _CLOSE_TIMEOUT_S)
        self._set(False)

    async def _connect_forever(self) -> None:
        said = False
        while not self._closing:
            try:
                self.nc = await nats.connect(
                    list(self.config.servers),
                    name=f"assist-{self.node}",
                    user=self.config.user or None,
                    password=self.config.password or None,
                    token=self.config.token or None,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    connect_timeout=2,
                    ping_interval=5,
                    max_outstanding_pings=2,
                    disconnected_cb=self._disconnected,
                    reconnected_cb=self._reconnected,
                    error_cb=self._error,
                )
            except Exception as exc:
                if not said:
                    log.warning(
                        "broker %s not reachable (%s); retrying",
                        self.config.display,
                        _reason(exc),
                    )
                    said = True
                await asyncio.sleep(_RETRY_CONNECT_S)
                continue
            self.js = self.nc.jetstream()
            said_storage = False
            while not self._closing:
                try:
                    await self.ensure_stream()
                    break
                except Exception as exc:  # a cluster still electing its leader
                    hint = storage_hint(exc, self.config)
                    if hint and not said_storage:
                        log.warning("the site's stream cannot be made: %s", hint)
                        said_storage = True
                    log.info("waiting for the broker's JetStream: %s", _reason(exc))
                    await asyncio.sleep(0.5)
            log.info("connected to broker %s as node %s", self.config.display, self.node)
            self._set(True)
            self.ready.set()
            return

    async def ensure_stream(self) -> None:
        """Create the site's stream, or bring its limits to the configured ones."""
        assert self.js is not None
        config = api.StreamConfig(
            name=self.names.stream,
            subjects=[self.names.all_calls, self.names.all_replays],
            retention=api.RetentionPolicy.LIMITS,
            storage=api.StorageType.FILE,
            max_age=self.config.max_age_s,
            max_bytes=self.config.max_bytes,
            num_replicas=self.config.replicas,
            duplicate_window=DUPLICATE_WINDOW_S,
            discard=api.DiscardPolicy.OLD,
        )
        try:
            info = await self.js.stream_info(config.name)
        except NotFoundError:
            await self.js.add_stream(config)
            return
        have = info.config
        wanted = (config.subjects, config.max_age, config.max_bytes, config.num_replicas)
        if (have.subjects, have.max_age, have.max_bytes, have.num_replicas) != wanted:
            await self.js.update_stream(config)

    # ---------------------------------------------------------------- state

    def _set(self, up: bool) -> None:
        if up:
            self._said_unreachable = False
            self._up.set()
        else:
            self._up.clear()
        if up != self.connected:
            self.connected = up
            if self.on_state is not None:
                self.on_state(up)

    async def _disconnected(self) -> None:
        if not self._closing:
            log.warning("lost the broker %s; serving local calls", self.config.display)
        self._set(False)

    async def _reconnected(self) -> None:
        log.info("broker %s is back", self.config.display)
        self._set(True)

    async def _error(self, exc: Exception) -> None:
        if not self.connected and not self._said_unreachable:
            self._said_unreachable = True  # once, until it has been reached
            log.warning(
                "broker %s not reachable (%s); retrying",
                self.config.display,
                _reason(exc),
            )
        else:
            log.debug("broker: %s", _reason(exc))


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


_NO_STORAGE_ERR_CODE = 10047  # JetStream: insufficient storage resources available


def storage_hint(exc: BaseException, config: BrokerConfig) -> str | None:
    """What to change when the broker refused a stream or bucket for want of
    JetStream storage (None for any other error): nats-server reserves each
    stream's size limit from its ``max_file_store``, and its own message
    does not say that."""
    if getattr(exc, "err_code", None) != _NO_STORAGE_ERR_CODE:
        return None
    return (
        f"the broker has too little JetStream storage ({_reason(exc)}): its max_file_store "
        "(the jetstream block of nats-server's configuration) must hold the site's stream, "
        f"max_bytes = {config.max_bytes} bytes ([broker] max_bytes in the access file), "
        "plus the small seat and node buckets; raise max_file_store or lower max_bytes"
    )
