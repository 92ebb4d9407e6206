"""Work the bot service does beside its requests: webhook deliveries and the e-mail outbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from sanic import Sanic


class Wakeable:
    """A background worker that idles between rounds and can be woken early by a change."""

    idle: float = 1.0

    def __init__(self) -> None:
        self._wake = asyncio.Event()

    def poke(self) -> None:
        """Something changed: start the next round now rather than at the next idle tick."""
        self._wake.set()

    async def rest(self) -> None:
        """Wait for a poke, or ``idle`` seconds at most."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.idle)


def run_in_background(app: Sanic, name: str, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Start ``work()`` when the server has started, and cancel it when the server stops."""

    @app.after_server_start
    async def start(app: Sanic) -> None:
        # Given the function, Sanic makes the coroutine when the task first runs, so a task
        # cancelled before that (a test client that stops the app at once) leaves no coroutine
        # that was never awaited. Sanic documents passing a function; its type hints omit it.
        app.add_task(work, name=name)  # type: ignore[arg-type]

    @app.before_server_stop
    async def stop(app: Sanic) -> None:
        await app.cancel_task(name, raise_exception=False)
