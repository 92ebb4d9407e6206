"""Contract tests for the conversation and ticket stores, run against every implementation."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import SQLiteStore

pytestmark = pytest.mark.unit


class StoreContract:
    """Behaviours every store keeps; subclasses provide the ``store`` fixture."""

    def test_transcript_keeps_every_message_in_order(self, store: SQLiteStore) -> None:
        store.append("conv-0001", "visitor", "merhaba")
        store.append("conv-0001", "bot", "Merhaba!", {"type": "greet"})
        store.append("conv-0002", "visitor", "other conversation")
        lines = store.transcript("conv-0001")
        assert [(m.sender, m.text) for m in lines] == [("visitor", "merhaba"), ("bot", "Merhaba!")]
        assert lines[1].payload == {"type": "greet"}
        assert lines[0].id < lines[1].id and lines[0].created_at

    def test_unknown_sender_is_refused(self, store: SQLiteStore) -> None:
        with pytest.raises(ValueError, match="sender must be one of"):
            store.append("conv-0001", "robot", "x")

    def test_huge_and_unusual_text_is_kept_exactly(self, store: SQLiteStore) -> None:
        text = "ğüşiöç 👍 \u200b" * 2000
        store.append("conv-0001", "visitor", text)
        assert store.transcript("conv-0001")[0].text == text

    def test_language_is_remembered_per_conversation(self, store: SQLiteStore) -> None:
        assert store.language("conv-0001") is None
        store.set_language("conv-0001", "tr")
        assert store.language("conv-0001") == "tr"

    def test_ticket_creation_is_idempotent_by_key(self, store: SQLiteStore) -> None:
        first, created = store.create_ticket("conv-0001", "low_confidence", idempotency_key="k1")
        again, created_again = store.create_ticket("conv-0001", "low_confidence", idempotency_key="k1")
        assert created and not created_again
        assert again.id == first.id

    def test_one_open_ticket_per_conversation(self, store: SQLiteStore) -> None:
        first, _ = store.create_ticket("conv-0001", "low_confidence", idempotency_key="a")
        second, created = store.create_ticket("conv-0001", "visitor_request", idempotency_key="b")
        assert not created and second.id == first.id
        other, created_other = store.create_ticket("conv-0002", "visitor_request")
        assert created_other and other.id != first.id

    def test_ticket_keeps_reason_language_and_candidates(self, store: SQLiteStore) -> None:
        candidates = [{"id": "kargo-ucreti", "title": "Kargo", "score": 0.41}]
        ticket, _ = store.create_ticket("conv-0001", "low_confidence", "tr", candidates)
        loaded = store.get_ticket(ticket.id)
        assert loaded is not None
        assert (loaded.status, loaded.reason, loaded.language) == ("new", "low_confidence", "tr")
        assert loaded.candidates == candidates
        assert store.open_ticket_for("conv-0001") == loaded
        assert store.get_ticket(ticket.id + 100) is None

    def test_list_filters_by_status_newest_first(self, store: SQLiteStore) -> None:
        a, _ = store.create_ticket("conv-0001", "x")
        b, _ = store.create_ticket("conv-0002", "y")
        assert [t.id for t in store.list_tickets()] == [b.id, a.id]
        assert store.list_tickets(status="solved") == []


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SQLiteStore]:
        s = SQLiteStore(tmp_path / "db.sqlite3")
        yield s
        s.close()


def test_everything_survives_a_restart(tmp_path: Path) -> None:
    first = SQLiteStore(tmp_path / "db.sqlite3")
    first.append("conv-0001", "visitor", "yarın hava nasıl olacak?")
    ticket, _ = first.create_ticket("conv-0001", "low_confidence", "tr")
    first.close()
    second = SQLiteStore(tmp_path / "db.sqlite3")
    assert second.transcript("conv-0001")[0].text == "yarın hava nasıl olacak?"
    assert second.get_ticket(ticket.id) == ticket


def test_a_visitor_message_is_found_by_its_client_id(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite3")
    store.append("conv-0001", "visitor", "merhaba", {"client_id": "m-1"})
    store.append("conv-0001", "bot", "Merhaba!", {"client_id": "m-2"})
    assert store.has_visitor_message("conv-0001", "m-1")
    assert not store.has_visitor_message("conv-0001", "m-2")  # only the visitor's own lines count
    assert not store.has_visitor_message("conv-0002", "m-1")
    store.close()


def test_a_database_from_before_the_visitor_columns_gets_them(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE conversations (id TEXT PRIMARY KEY, language TEXT, created_at TEXT, updated_at TEXT);
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'new',
            reason TEXT NOT NULL, language TEXT, priority TEXT NOT NULL DEFAULT 'normal',
            candidates TEXT NOT NULL DEFAULT '[]', idempotency_key TEXT UNIQUE,
            created_at TEXT NOT NULL DEFAULT 'then', updated_at TEXT NOT NULL DEFAULT 'then');
        INSERT INTO conversations(id) VALUES ('conv-old');
        INSERT INTO tickets(conversation_id, reason) VALUES ('conv-old', 'low_confidence');
        """
    )
    old.close()
    store = SQLiteStore(path)
    ticket = store.get_ticket(1)
    assert ticket is not None and ticket.reason == "low_confidence" and ticket.visitor_email is None
    assert ticket.priority_signals == {}
    new, _ = store.create_ticket("conv-new", reason="visitor_request", visitor_email="a@example.com")
    assert store.get_ticket(new.id).visitor_email == "a@example.com"  # type: ignore[union-attr]
    store.close()
