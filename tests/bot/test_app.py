"""The bot service factory's own background work."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import _watch_articles

pytestmark = pytest.mark.unit


class Changes:
    """Stands in for the knowledge base: the store is unreadable once, then changed, then quiet."""

    def __init__(self) -> None:
        self.calls = 0

    def catch_up(self) -> bool:
        self.calls += 1
        if self.calls == 1:
            raise OSError("database is locked")
        return self.calls == 2


async def test_the_article_watch_keeps_looking_after_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    changes = Changes()
    caplog.set_level(logging.INFO, logger="bot.app")
    task = asyncio.create_task(_watch_articles(changes, every=0.01))  # type: ignore[arg-type]
    for _ in range(500):
        if changes.calls >= 4:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    assert changes.calls >= 4
    assert "looking for article changes failed" in caplog.text
    assert "database is locked" in caplog.text
    assert caplog.text.count("articles changed by another process") == 1
