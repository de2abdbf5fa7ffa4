"""A hub on 127.0.0.1 in a background thread, and headless Chromium (the
system's, never a downloaded one) to look at its pages."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pytest

from assist.calls.runner import CallRunner
from assist.chain.chain import EventChain
from assist.hub.access import Access
from assist.hub.server import Hub
from ivr import events as ev

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


@dataclass
class RunningHub:
    hub: Hub
    bus: EventChain
    loop: asyncio.AbstractEventLoop
    base_url: str

    def call(self, fn: Callable[[], object]) -> object:
        """Run ``fn`` on the hub's loop thread and wait for it."""
        done: Future[object] = Future()

        def run() -> None:
            try:
                done.set_result(fn())
            except Exception as exc:
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return done.result(10)

    def publish(self, *events: ev.Event) -> None:
        self.call(lambda: [self.bus.publish(e) for e in events])


def start_hub(
    registry_factory: Callable[[EventChain], CallRunner] | None = None, access: Access | None = None
) -> Iterator[RunningHub]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    bus = EventChain()
    registry = registry_factory(bus) if registry_factory else None
    hub = Hub(bus, registry=registry, access=access)
    asyncio.run_coroutine_threadsafe(hub.start("127.0.0.1", 0), loop).result(10)
    try:
        yield RunningHub(hub, bus, loop, f"http://127.0.0.1:{hub.port}")
    finally:
        asyncio.run_coroutine_threadsafe(hub.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


@pytest.fixture
def running_hub() -> Iterator[RunningHub]:
    yield from start_hub()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.script_errors = errors
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
