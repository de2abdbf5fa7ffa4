"""The ``--broker`` option of ``serve`` and ``ivr``, and joining a running hub
to the site (imports nats only when a broker is given)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assist.calls.runner import CallRunner
    from assist.chain.chain import EventChain
    from assist.cluster.node import ClusterNode
    from assist.hub.screens import Screens


def add_broker_option(parser: argparse.ArgumentParser, *, with_access: bool = False) -> None:
    """``--broker`` (and ``--access`` for a command without one: its
    ``[broker]`` table holds the credentials)."""
    if with_access:
        parser.add_argument(
            "--access", type=Path, help="access file whose [broker] table has the credentials"
        )
    parser.add_argument(
        "--broker",
        metavar="nats://HOST:PORT",
        help="join a site of several nodes through its NATS JetStream broker (comma-separated "
        "for a cluster); credentials go in the --access file's [broker] table, never the URL",
    )


async def join_site(
    broker_url: str,
    access_file: Path | None,
    chain: EventChain,
    *,
    port: int,
    screens: Screens,
    runner: CallRunner | None,
    status: list | None = None,
    recent_window_s: float,
) -> ClusterNode:
    """Put a started hub on the site: its calls' events to the broker, other
    nodes' calls to its screens (``screens``: the hub's), legs of other
    nodes' calls refused, seats held site-wide."""
    try:
        from assist.cluster.config import BrokerConfigError, broker_config
        from assist.cluster.node import ClusterNode, default_node_name
    except ImportError as exc:  # nats-py missing
        raise SystemExit(
            f"ivr-assist: --broker needs nats-py ({exc.name} is missing): "
            "pip install 'ivr-assist[cluster]' or run scripts/setup.sh"
        ) from None
    try:
        config = broker_config(broker_url, access_file)
    except BrokerConfigError as exc:
        raise SystemExit(f"ivr-assist: {exc}") from None
    node = ClusterNode(config, chain, node=default_node_name(port), recent_window_s=recent_window_s)
    await node.start()
    node.attach_screens(screens.bus)
    screens.seat_guard = node
    if status is not None:
        status.append(node.status)
    if runner is not None:
        runner.open_call = node.guard(runner.open_call or chain.open_call)
    print(f"broker {config.display}: node {node.broker.node} of site {config.site}", flush=True)
    if chain.store is not None:
        print(
            "note: this node also keeps its own calls in its own store; the site's store is "
            "the store writer's (python -m assist.cluster store-writer): run nodes with --no-store",
            flush=True,
        )
    return node
