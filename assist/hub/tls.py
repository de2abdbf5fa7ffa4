"""TLS for the hub: ``--tls-cert``/``--tls-key`` make the one port serve
https and wss (Twilio media streams need ``wss://``)."""

from __future__ import annotations

import ssl
from pathlib import Path


class TlsError(ValueError):
    """A certificate or key that cannot be used; the message says which and why."""


def server_context(cert: Path, key: Path | None = None) -> ssl.SSLContext:
    """A server TLS context (TLS 1.2 or newer) from PEM files; ``key`` may be
    omitted when ``cert`` holds the key too."""
    for what, path in (("certificate", cert), ("key", key)):
        if path is not None and not path.is_file():
            raise TlsError(f"TLS {what} {path}: no such file")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as exc:
        raise TlsError(f"TLS certificate {cert} / key {key}: cannot be used ({exc})") from None
    return context
