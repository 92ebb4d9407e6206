from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from bot.app import create_app
from bot.auth import hash_password, sign_in
from bot.hub import ConversationHub
from bot.rasa_client import BotReply, RasaUnavailable
from bot.settings import load_settings
from bot.storage import Message, SQLiteStore
from knowledge_base.kb import KnowledgeBase


class FakeAssistant:
    """Stands in for Rasa in unit tests: replies from a script, or fails."""

    def __init__(self) -> None:
        self.replies: list[BotReply] = [BotReply("Merhaba!")]
        self.error: Exception | None = None
        self.received: list[tuple[str, str, dict[str, Any]]] = []

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        self.received.append((conversation_id, text, metadata))
        if self.error:
            raise self.error
        return list(self.replies)


@pytest.fixture
def assistant() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "bot.sqlite3")
    yield s
    s.close()


PASSWORD = "correct horse battery"


def open_chat(hub: ConversationHub, conversation_id: str) -> list[Message]:
    """Stand in for a visitor's open widget: the lines the hub delivers to it, as they come."""
    seen: list[Message] = []

    async def socket(message: Message) -> None:
        seen.append(message)

    hub.subscribe(conversation_id, socket)
    return seen


def sign_in_as(store: SQLiteStore, email: str, role: str = "agent", name: str = "Ayşe") -> dict[str, str]:
    """Create an agent and open a session for them; the headers a script would send."""
    store.create_agent(email, name, role, hash_password(PASSWORD))
    _, token = sign_in(store, email, PASSWORD, hours=1)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def agent_headers(store: SQLiteStore) -> dict[str, str]:
    return sign_in_as(store, "agent@example.com")


@pytest.fixture
def admin_headers(store: SQLiteStore) -> dict[str, str]:
    return sign_in_as(store, "admin@example.com", role="admin", name="Admin")


@pytest.fixture
def app(tmp_path: Path, kb: KnowledgeBase, store: SQLiteStore, assistant: FakeAssistant) -> Sanic:
    settings = load_settings({}, data_dir=tmp_path)
    return create_app(settings, kb, store, assistant, name=f"test_{uuid.uuid4().hex[:10]}")


__all__ = ["PASSWORD", "FakeAssistant", "RasaUnavailable", "open_chat", "sign_in_as"]
