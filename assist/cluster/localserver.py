"""nats-server processes on this machine: for the tests, the benchmarks and a
first try of a site on one box.

:class:`LocalNats` runs one server with JetStream on a loopback port and a
store directory of its own; :class:`LocalNatsCluster` runs three that form a
JetStream cluster (replicated streams). Each writes its configuration file
next to its store, so what ran is there to read, and :meth:`LocalNats.stop`
(or leaving the ``with`` block) ends the process and waits for it; a test
that forgets is covered by ``atexit``. Ports are picked free on 127.0.0.1.
Nothing here is used by a production node: there the site runs its own
nats-server from its own configuration (README, "A site on several
machines").
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SERVER_BINARY = "nats-server"
_START_TIMEOUT_S = 15.0


class NatsServerMissing(RuntimeError):
    """No nats-server on this machine; the message says how to get one."""


def server_binary() -> str:
    found = shutil.which(SERVER_BINARY) or shutil.which(SERVER_BINARY, path="/usr/sbin:/sbin")
    if found is None:
        raise NatsServerMissing(
            "nats-server is not installed: run scripts/setup.sh --test "
            "(or apt-get install nats-server)"
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class LocalNats:
    """One nats-server with JetStream on 127.0.0.1."""

    store_dir: Path
    port: int = 0
    name: str = "n1"
    user: str = ""
    password: str = ""
    cluster_port: int = 0
    routes: list[int] = field(default_factory=list)
    cluster_name: str = ""
    max_file_store: str = "8GB"  # JetStream's disk budget (each stream reserves its limit)
    proc: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.port = self.port or free_port()

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.store_dir / f"{self.name}.conf"

    def config_text(self) -> str:
        lines = [
            f'server_name: "{self.name}"',
            f'listen: "127.0.0.1:{self.port}"',
            "jetstream {",
            f'  store_dir: "{self.store_dir / "js"}"',
            "  max_memory_store: 64MB",
            f"  max_file_store: {self.max_file_store}",
            "}",
        ]
        if self.user:
            lines += [
                "authorization {",
                f'  user: "{self.user}"',
                f'  password: "{self.password}"',
                "}",
            ]
        if self.cluster_port:
            routes = ", ".join(f'"nats-route://127.0.0.1:{p}"' for p in self.routes)
            lines += [
                "cluster {",
                f'  name: "{self.cluster_name}"',
                f'  listen: "127.0.0.1:{self.cluster_port}"',
                f"  routes: [{routes}]",
                "}",
            ]
        return "\n".join(lines) + "\n"

    def start(self, *, wait: bool = True) -> LocalNats:
        if self.running:
            return self
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.config_text())
        log = open(self.store_dir / f"{self.name}.log", "ab")
        self.proc = subprocess.Popen(
            [server_binary(), "-c", str(self.config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        _LIVE.add(self)
        if wait:
            self.wait_listening()
        return self

    def wait_listening(self, timeout_s: float = _START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"nats-server {self.name} exited: {self.log_tail()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock,
            ):
                if sock.recv(4).startswith(b"INFO"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"nats-server {self.name} did not listen in {timeout_s} s")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, *, kill: bool = False, timeout_s: float = 10.0) -> None:
        """End the server (SIGTERM, or SIGKILL with ``kill``) and wait for it."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout_s)
        self.proc = None
        _LIVE.discard(self)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, n_chars: int = 2000) -> str:
        path = self.store_dir / f"{self.name}.log"
        return path.read_text(errors="replace")[-n_chars:] if path.exists() else ""

    def __enter__(self) -> LocalNats:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __hash__(self) -> int:
        return id(self)


@dataclass
class LocalNatsCluster:
    """Three nats-servers routed into one JetStream cluster."""

    base_dir: Path
    size: int = 3
    servers: list[LocalNats] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.servers:
            cluster_ports = [free_port() for _ in range(self.size)]
            self.servers = [
                LocalNats(
                    self.base_dir / f"n{i + 1}",
                    name=f"n{i + 1}",
                    cluster_port=cluster_ports[i],
                    routes=[p for j, p in enumerate(cluster_ports) if j != i],
                    cluster_name="assist-test",
                )
                for i in range(self.size)
            ]

    @property
    def urls(self) -> list[str]:
        return [s.url for s in self.servers]

    def start(self) -> LocalNatsCluster:
        for server in self.servers:
            server.start(wait=False)
        for server in self.servers:
            server.wait_listening()
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def __enter__(self) -> LocalNatsCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def temporary_server(prefix: str = "assist-nats-") -> tuple[LocalNats, Path]:
    """A started server in a fresh temporary directory (the caller removes
    the directory after :meth:`LocalNats.stop`)."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    return LocalNats(base).start(), base


_LIVE: set[LocalNats] = set()


@atexit.register
def _stop_all() -> None:
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.stop(kill=True, timeout_s=5.0)


def pid_of(server: LocalNats) -> int:
    assert server.proc is not None
    return server.proc.pid


def kill9(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
