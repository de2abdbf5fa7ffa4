"""Whether the hub can listen where it was asked to, said in one line.

:func:`check_listen` tries the address before anything slow (loading speech
models) happens; :func:`listen_errors` turns the same failures met when the
server really binds into :class:`ListenError`, whose message is all the
command line prints.
"""

from __future__ import annotations

import contextlib
import errno
import socket
from collections.abc import Iterator


class ListenError(Exception):
    """The hub cannot listen on the address; the message says what to do."""


def explain(host: str, port: int, exc: OSError, flag: str = "--port") -> ListenError | None:
    """The one-line explanation of a bind failure (None: not a bind problem).
    ``flag`` is the option that chose the address."""
    if flag == "--port":
        other = "pick another with --port, or --port 0"
    else:
        other = f"pick another for {flag} (port 0: any free one)"
    where = f"port {port}" if flag == "--port" else f"port {port} ({flag})"
    match exc.errno:
        case errno.EADDRINUSE:
            return ListenError(f"{where} is in use; {other}")
        case errno.EACCES | errno.EPERM:
            return ListenError(
                f"no permission to listen on {where} (ports below 1024 need root); {other}"
            )
        case errno.EADDRNOTAVAIL:
            return ListenError(f"{host} is not an address of this machine; check {flag}")
    if isinstance(exc, socket.gaierror):
        return ListenError(f"cannot resolve the host {host!r} of {flag}")
    return None


def check_listen(host: str, port: int, flag: str = "--port") -> None:
    """Raise :class:`ListenError` if a server could not listen on
    ``host:port`` now (port 0 asks for any free port and always works)."""
    if not 0 <= port <= 65535:
        raise ListenError(f"{port} is not a port number (0 to 65535; 0 picks a free one)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise explain(host, port, exc, flag) or ListenError(str(exc)) from None
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            # As asyncio's servers do: a port left in TIME_WAIT is free, a
            # listening one is not.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                with contextlib.suppress(OSError):
                    probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                reason = explain(host, port, exc, flag)
                if reason is not None:
                    raise reason from None
                raise


@contextlib.contextmanager
def listen_errors(host: str, port: int, flag: str = "--port") -> Iterator[None]:
    """Around the server's real bind: a bind failure becomes :class:`ListenError`."""
    try:
        yield
    except OSError as exc:
        reason = explain(host, port, exc, flag)
        if reason is None:
            raise
        raise reason from None
