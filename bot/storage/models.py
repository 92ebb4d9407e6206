"""The bot service's tables as SQLAlchemy 2 models.

SQLite is the default; nothing here is SQLite-only, so the same schema runs on
PostgreSQL. Times are ISO 8601 strings in UTC with milliseconds
(``2026-12-01T09:30:00.123Z``), as the first release wrote them. The schema is
changed only by migrations (``bot/storage/migrations``), never by ``create_all``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TIME = String(32)


def stored_time(moment: datetime) -> str:
    """A moment as stored: UTC, ISO 8601 with milliseconds and a Z (so text order is time order)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now() -> str:
    """The current time as stored."""
    return stored_time(datetime.now(UTC))


class Base(DeclarativeBase):
    pass


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[str] = mapped_column(TIME, default=now)
    updated_at: Mapped[str] = mapped_column(TIME, default=now)


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("messages_conversation", "conversation_id", "id"),
        Index("messages_client_id", "conversation_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    sender: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the widget's id for a visitor message, so a resent message is recorded once
    client_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[str] = mapped_column(TIME, default=now)


class AgentRow(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(TIME, default=now)


class SessionRow(Base):
    """A signed-in agent's session; only a hash of its token is kept."""

    __tablename__ = "agent_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    created_at: Mapped[str] = mapped_column(TIME, default=now)
    expires_at: Mapped[str] = mapped_column(TIME)


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (Index("tickets_conversation", "conversation_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    status: Mapped[str] = mapped_column(String(16), default="new")
    reason: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    visitor_name: Mapped[str | None] = mapped_column(String(100))
    visitor_email: Mapped[str | None] = mapped_column(String(254))
    priority_signals: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[str] = mapped_column(TIME, default=now)
    updated_at: Mapped[str] = mapped_column(TIME, default=now)


class TicketEventRow(Base):
    """What happened to a ticket, oldest first: status changes, assignments and internal notes."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ticket_events_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[str] = mapped_column(String(16))  # status | assigned | note
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    old: Mapped[str | None] = mapped_column(String(64))
    new: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(TIME, default=now)


class ServiceStateRow(Base):
    """The service's own small state (e.g. how far the webhook has delivered), by key."""

    __tablename__ = "service_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class MailRow(Base):
    """An e-mail to a visitor, kept until the SMTP server has taken it."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("mail_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[str] = mapped_column(TIME, default=now)
    sent_at: Mapped[str | None] = mapped_column(TIME)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(TIME, default=now)


class LeaseRow(Base):
    """A job that one process at a time may do, the process doing it, and until when."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[str] = mapped_column(TIME)


class QuestionRow(Base):
    """A visitor's question to the knowledge base, what the bot did with it, and the visitor's verdict."""

    __tablename__ = "kb_questions"
    __table_args__ = (
        Index("kb_questions_conversation", "conversation_id", "id"),
        Index("kb_questions_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(16))  # answered | clarified | handoff
    reason: Mapped[str | None] = mapped_column(Text)  # the search's sentence saying why
    # the article answered with, or picked from the clarifying question's options
    article_id: Mapped[str | None] = mapped_column(String(128), index=True)
    picked: Mapped[bool] = mapped_column(Boolean, default=False)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    helpful: Mapped[bool | None] = mapped_column(Boolean)  # 👍 True, 👎 / "still not solved" False
    created_at: Mapped[str] = mapped_column(TIME, default=now)
    feedback_at: Mapped[str | None] = mapped_column(TIME)
