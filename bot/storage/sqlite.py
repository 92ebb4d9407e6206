"""SQLite implementation of the conversation and ticket stores (the default)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from bot.storage.protocols import OPEN_STATUSES, SENDERS, Message, Ticket
from knowledge_base.sqlite_db import open_database, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    language TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    sender TEXT NOT NULL,
    text TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages(conversation_id, id);
CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    status TEXT NOT NULL DEFAULT 'new',
    reason TEXT NOT NULL,
    language TEXT,
    priority TEXT NOT NULL DEFAULT 'normal',
    candidates TEXT NOT NULL DEFAULT '[]',
    idempotency_key TEXT UNIQUE,
    visitor_name TEXT,
    visitor_email TEXT,
    priority_signals TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS tickets_conversation ON tickets(conversation_id, status);
"""

_TICKET_COLUMNS = (
    "id, conversation_id, status, reason, language, priority, candidates, created_at, updated_at, "
    "visitor_name, visitor_email, priority_signals"
)
# Columns added after the first release: a database created before them gets them on open.
_ADDED_TICKET_COLUMNS = {
    "visitor_name": "TEXT",
    "visitor_email": "TEXT",
    "priority_signals": "TEXT NOT NULL DEFAULT '{}'",
}


class SQLiteStore:
    """Conversations, transcripts and tickets in one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._db = open_database(path, _SCHEMA)
        present = {row[1] for row in self._db.execute("PRAGMA table_info(tickets)")}
        for column, kind in _ADDED_TICKET_COLUMNS.items():
            if column not in present:
                self._db.execute(f"ALTER TABLE tickets ADD COLUMN {column} {kind}")

    def close(self) -> None:
        self._db.close()

    def _ensure_conversation(self, conversation_id: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO conversations(id) VALUES (?)", (conversation_id,))

    # -- conversations -------------------------------------------------------------

    def append(self, conversation_id: str, sender: str, text: str, payload: dict[str, Any] | None = None) -> Message:
        if sender not in SENDERS:
            raise ValueError(f"sender must be one of {', '.join(SENDERS)}, got {sender!r}")
        body = json.dumps(payload or {}, ensure_ascii=False)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._ensure_conversation(conversation_id)
                row = self._db.execute(
                    "INSERT INTO messages(conversation_id, sender, text, payload) VALUES (?, ?, ?, ?) "
                    "RETURNING id, created_at",
                    (conversation_id, sender, text, body),
                ).fetchone()
                self._db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (row[1], conversation_id))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return Message(int(row[0]), conversation_id, sender, text, str(row[1]), payload or {})

    def transcript(self, conversation_id: str) -> list[Message]:
        return self._messages("conversation_id = ? ORDER BY id", (conversation_id,))

    def last_message(self, conversation_id: str, sender: str) -> Message | None:
        found = self._messages("conversation_id = ? AND sender = ? ORDER BY id DESC LIMIT 1", (conversation_id, sender))
        return found[0] if found else None

    def _messages(self, where: str, args: tuple[Any, ...]) -> list[Message]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, conversation_id, sender, text, created_at, payload FROM messages WHERE {where}", args
            ).fetchall()
        return [Message(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def has_visitor_message(self, conversation_id: str, client_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM messages WHERE conversation_id = ? AND sender = 'visitor' "
                "AND json_extract(payload, '$.client_id') = ? LIMIT 1",
                (conversation_id, client_id),
            ).fetchone()
        return row is not None

    def set_language(self, conversation_id: str, language: str) -> None:
        with self._lock:
            self._ensure_conversation(conversation_id)
            self._db.execute("UPDATE conversations SET language = ? WHERE id = ?", (language, conversation_id))

    def language(self, conversation_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT language FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return row[0] if row else None

    # -- tickets -------------------------------------------------------------------

    @staticmethod
    def _ticket(row: tuple[Any, ...]) -> Ticket:
        return Ticket(
            id=row[0],
            conversation_id=row[1],
            status=row[2],
            reason=row[3],
            language=row[4],
            priority=row[5],
            candidates=json.loads(row[6]),
            created_at=row[7],
            updated_at=row[8],
            visitor_name=row[9],
            visitor_email=row[10],
            priority_signals=json.loads(row[11]),
        )

    def _one(self, where: str, args: tuple[Any, ...]) -> Ticket | None:
        row = self._db.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE {where}", args).fetchone()
        return self._ticket(row) if row else None

    def create_ticket(
        self,
        conversation_id: str,
        reason: str,
        language: str | None = None,
        candidates: list[dict[str, Any]] | None = None,
        idempotency_key: str | None = None,
        priority: str = "normal",
        visitor_name: str | None = None,
        visitor_email: str | None = None,
        priority_signals: dict[str, list[str]] | None = None,
    ) -> tuple[Ticket, bool]:
        with transaction(self._db, self._lock) as db:
            existing = self._one("idempotency_key = ?", (idempotency_key,)) if idempotency_key else None
            existing = existing or self._open_ticket(conversation_id)
            if existing:
                return existing, False
            self._ensure_conversation(conversation_id)
            row = db.execute(
                "INSERT INTO tickets(conversation_id, reason, language, priority, candidates, idempotency_key, "
                "visitor_name, visitor_email, priority_signals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    conversation_id,
                    reason,
                    language,
                    priority,
                    json.dumps(candidates or [], ensure_ascii=False),
                    idempotency_key,
                    visitor_name,
                    visitor_email,
                    json.dumps(priority_signals or {}, ensure_ascii=False),
                ),
            ).fetchone()
            ticket = self._one("id = ?", (row[0],))
        assert ticket is not None
        return ticket, True

    def _open_ticket(self, conversation_id: str) -> Ticket | None:
        marks = ",".join("?" * len(OPEN_STATUSES))
        return self._one(
            f"conversation_id = ? AND status IN ({marks}) ORDER BY id DESC LIMIT 1",
            (conversation_id, *OPEN_STATUSES),
        )

    def set_status(self, ticket_id: int, status: str) -> Ticket | None:
        with transaction(self._db, self._lock) as db:
            db.execute(
                "UPDATE tickets SET status = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                (status, ticket_id),
            )
            return self._one("id = ?", (ticket_id,))

    def open_ticket_for(self, conversation_id: str) -> Ticket | None:
        with self._lock:
            return self._open_ticket(conversation_id)

    def get_ticket(self, ticket_id: int) -> Ticket | None:
        with self._lock:
            return self._one("id = ?", (ticket_id,))

    def list_tickets(self, status: str | None = None, limit: int = 100) -> list[Ticket]:
        query = f"SELECT {_TICKET_COLUMNS} FROM tickets"
        args: tuple[Any, ...] = ()
        if status:
            query += " WHERE status = ?"
            args = (status,)
        query += " ORDER BY id DESC LIMIT ?"
        with self._lock:
            rows = self._db.execute(query, (*args, limit)).fetchall()
        return [self._ticket(r) for r in rows]
