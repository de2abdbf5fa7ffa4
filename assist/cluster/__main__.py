"""``python -m assist.cluster store-writer``: the site's one store writer.

    python -m assist.cluster store-writer --broker nats://HOST:4222 \
        [--access access.toml] [--store FILE]

Runs until SIGTERM or Ctrl-C; prints one line when it is connected, and on
the way out how many events it stored.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from assist.cluster.broker import Broker
from assist.cluster.config import BrokerConfigError, broker_config
from assist.cluster.storewriter import DEFAULT_ACK_WAIT_S, StoreWriter
from assist.store import StoreError, open_store
from ivr.datafile import DataFileError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assist.cluster")
    sub = parser.add_subparsers(dest="command", required=True)
    writer = sub.add_parser("store-writer", help="write the site stream into the call store")
    writer.add_argument("--broker", required=True, help="nats://HOST:PORT[,nats://...]")
    writer.add_argument("--access", type=Path, help="access file with a [broker] table")
    writer.add_argument("--store", help="the SQLite store (default: the user's store)")
    writer.add_argument(
        "--ack-wait",
        type=float,
        default=DEFAULT_ACK_WAIT_S,
        metavar="S",
        help="redeliver what a dead writer held after S seconds",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        config = broker_config(args.broker, args.access)
        store = open_store(args.store)
    except (BrokerConfigError, DataFileError, StoreError) as exc:
        print(f"store-writer: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run_writer(config, store, args.ack_wait))
    finally:
        store.close()


async def _run_writer(config, store, ack_wait_s: float) -> int:
    broker = Broker(config, node="store-writer")
    writer = StoreWriter(broker, store, ack_wait_s=ack_wait_s)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, writer.stop)
    broker.start()

    async def say_connected() -> None:
        await broker.ready.wait()
        print(f"store-writer: connected to {config.display}", flush=True)

    said = asyncio.create_task(say_connected())
    try:
        await writer.run()
    finally:
        said.cancel()
        with contextlib.suppress(Exception):
            await broker.close()
    print(f"store-writer: stored {writer.stored} events, skipped {writer.skipped}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
