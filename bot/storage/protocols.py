"""What the bot service needs from storage. SQLite implements it today.

Behaviours every implementation keeps:
- ``append`` never drops a message and returns it with its id and time.
- ``create_ticket`` with an ``idempotency_key`` seen before returns that ticket
  unchanged (``created`` is ``False``); so does a conversation that already has
  an unresolved ticket: one conversation, one open ticket.
- ``get_ticket`` of an unknown number returns ``None``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

SENDERS = ("visitor", "bot", "agent", "system")
STATUSES = ("new", "open", "pending", "solved", "closed")
OPEN_STATUSES = ("new", "open", "pending")


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: str
    sender: str
    text: str
    created_at: str
    payload: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Ticket:
    id: int
    conversation_id: str
    status: str
    reason: str
    language: str | None
    priority: str
    candidates: list[dict[str, Any]]
    created_at: str
    updated_at: str
    visitor_name: str | None = None
    visitor_email: str | None = None
    # the urgency and anger cues that raised the priority (bot/priority.py)
    priority_signals: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ConversationStore(Protocol):
    def append(
        self, conversation_id: str, sender: str, text: str, payload: dict[str, Any] | None = None
    ) -> Message: ...

    def transcript(self, conversation_id: str) -> list[Message]: ...

    def last_message(self, conversation_id: str, sender: str) -> Message | None:
        """The latest message from ``sender`` in the conversation, if any."""
        ...

    def has_visitor_message(self, conversation_id: str, client_id: str) -> bool:
        """Whether the visitor's message with this client id is already recorded."""
        ...

    def set_language(self, conversation_id: str, language: str) -> None: ...

    def language(self, conversation_id: str) -> str | None: ...


class TicketStore(Protocol):
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
    ) -> tuple[Ticket, bool]: ...

    def set_status(self, ticket_id: int, status: str) -> Ticket | None:
        """Change a ticket's status; None for an unknown ticket."""
        ...

    def get_ticket(self, ticket_id: int) -> Ticket | None: ...

    def list_tickets(self, status: str | None = None, limit: int = 100) -> list[Ticket]: ...

    def open_ticket_for(self, conversation_id: str) -> Ticket | None: ...


class Store(ConversationStore, TicketStore, Protocol):
    """Everything the bot service keeps: one object may serve both roles (SQLite does)."""
