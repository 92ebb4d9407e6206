"""Start the real stack once per test session: action server, Rasa and the bot service.

Free ports on 127.0.0.1, a temporary data folder, the sample help center
imported with the real embedding model, and the trained Rasa model.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from bot.model_cache import ensure_model
from bot.settings import load_settings
from bot.stack import Stack, free_port
from tests.conftest import PROJECT_ROOT, SAMPLE_ARTICLES

REPLY_TIMEOUT = 60
AGENT_EMAIL = "admin@e2e.example"
AGENT_PASSWORD = "e2e admin password"
_sessions: dict[str, dict[str, str]] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run test_outages.py last: it stops services that every other test needs."""
    items.sort(key=lambda item: item.module is not None and item.module.__name__.endswith(".test_outages"))


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = Path(tmp_path_factory.mktemp("stack"))
    imported = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "--data-dir", str(data_dir / "kb"), "import", str(SAMPLE_ARTICLES)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert imported.returncode == 0, imported.stderr
    admin = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "agents",
            "add",
            "--email",
            AGENT_EMAIL,
            "--name",
            "Deniz",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input=AGENT_PASSWORD + "\n",
        cwd=PROJECT_ROOT,
        env={**os.environ, "SUPPORTBOT_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert admin.returncode == 0, admin.stderr
    settings = load_settings({}, data_dir=data_dir, port=free_port(), rasa_port=free_port(), actions_port=free_port())
    running = Stack(settings, ensure_model(), data_dir / "logs")
    running.start(timeout=420)
    yield running
    running.stop()


def agent_headers(stack: Stack) -> dict[str, str]:
    """A signed-in admin's bearer header for the stack's agent API (signed in once per stack)."""
    if stack.url not in _sessions:
        response = httpx.post(
            f"{stack.url}/api/auth/login", json={"email": AGENT_EMAIL, "password": AGENT_PASSWORD}, timeout=10
        )
        assert response.status_code == 200, response.text
        _sessions[stack.url] = {"Authorization": f"Bearer {response.cookies['supportbot_session']}"}
    return _sessions[stack.url]


def agent_api(stack: Stack, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Call the agent API as the signed-in admin."""
    return httpx.request(method, f"{stack.url}{path}", headers=agent_headers(stack), timeout=10, **kwargs)


class Chat:
    """A visitor's WebSocket, as the widget uses it."""

    def __init__(self, ws: Any, welcome: dict[str, Any]) -> None:
        self.ws = ws
        self.welcome = welcome
        self.conversation_id: str = welcome["conversation_id"]

    @classmethod
    async def open(cls, stack: Stack, conversation: str | None = None) -> Chat:
        url = stack.url.replace("http", "ws") + "/chat/ws" + (f"?conversation={conversation}" if conversation else "")
        ws = await websockets.connect(url, max_size=2**22)
        welcome = json.loads(await asyncio.wait_for(ws.recv(), REPLY_TIMEOUT))
        assert welcome["type"] == "welcome"
        return cls(ws, welcome)

    async def frame(self) -> dict[str, Any]:
        return dict(json.loads(await asyncio.wait_for(self.ws.recv(), REPLY_TIMEOUT)))

    async def send_raw(self, data: str | bytes) -> None:
        await self.ws.send(data)

    async def say(self, text: str, replies: int = 1, payload: str | None = None) -> list[dict[str, Any]]:
        """Send a message (a button's ``payload`` too); return the lines up to the ``replies``-th bot message."""
        frame: dict[str, Any] = {"type": "message", "text": text}
        if payload:
            frame["payload"] = payload
        await self.ws.send(json.dumps(frame))
        return await self.until_reply(replies)

    async def until_reply(self, replies: int = 1) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        while True:
            frame = await self.frame()
            assert frame["type"] == "message", frame
            lines.append(frame["message"])
            if frame["message"]["sender"] in ("bot", "system"):
                replies -= 1
                if not replies:
                    return lines

    async def quiet(self, seconds: float) -> list[dict[str, Any]]:
        """Every line that arrives within ``seconds`` (to check that the bot says nothing)."""
        lines: list[dict[str, Any]] = []
        try:
            while True:
                frame = json.loads(await asyncio.wait_for(self.ws.recv(), seconds))
                lines.append(frame["message"])
        except TimeoutError:
            return lines

    async def close(self) -> None:
        await self.ws.close()
