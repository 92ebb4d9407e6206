"""The first schema under migrations: conversations, messages, tickets, agents and their history.

A database made by the release before migrations (its own CREATE TABLE
statements) is adopted: missing tables are created, missing columns added,
and messages get the widget's ``client_id`` out of their JSON payload.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIME = sa.String(32)


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def _tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade() -> None:
    tables = _tables()
    if "conversations" not in tables:
        op.create_table(
            "conversations",
            sa.Column("id", sa.String(128), primary_key=True),
            sa.Column("language", sa.String(8)),
            sa.Column("created_at", TIME, nullable=False),
            sa.Column("updated_at", TIME, nullable=False),
        )
    if "messages" not in tables:
        op.create_table(
            "messages",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("conversation_id", sa.String(128), sa.ForeignKey("conversations.id"), nullable=False),
            sa.Column("sender", sa.String(16), nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("payload", sa.JSON, nullable=False),
            sa.Column("client_id", sa.String(128)),
            sa.Column("created_at", TIME, nullable=False),
        )
        op.create_index("messages_conversation", "messages", ["conversation_id", "id"])
    elif "client_id" not in _columns("messages"):  # from the release before migrations (SQLite only)
        op.add_column("messages", sa.Column("client_id", sa.String(128)))
        op.execute(
            "UPDATE messages SET client_id = json_extract(payload, '$.client_id') "
            "WHERE json_extract(payload, '$.client_id') IS NOT NULL"
        )
    op.create_index("messages_client_id", "messages", ["conversation_id", "client_id"], if_not_exists=True)
    if "agents" not in tables:
        op.create_table(
            "agents",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("email", sa.String(254), nullable=False, unique=True),
            sa.Column("name", sa.String(100), nullable=False),
            sa.Column("role", sa.String(16), nullable=False),
            sa.Column("password_hash", sa.String(255), nullable=False),
            sa.Column("active", sa.Boolean, nullable=False),
            sa.Column("created_at", TIME, nullable=False),
        )
    if "agent_sessions" not in tables:
        op.create_table(
            "agent_sessions",
            sa.Column("token_hash", sa.String(64), primary_key=True),
            sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id"), nullable=False),
            sa.Column("created_at", TIME, nullable=False),
            sa.Column("expires_at", TIME, nullable=False),
        )
        op.create_index("ix_agent_sessions_agent_id", "agent_sessions", ["agent_id"])
    if "tickets" not in tables:
        op.create_table(
            "tickets",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("conversation_id", sa.String(128), sa.ForeignKey("conversations.id"), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("reason", sa.String(200), nullable=False),
            sa.Column("language", sa.String(8)),
            sa.Column("priority", sa.String(16), nullable=False),
            sa.Column("candidates", sa.JSON, nullable=False),
            sa.Column("idempotency_key", sa.String(255), unique=True),
            sa.Column("visitor_name", sa.String(100)),
            sa.Column("visitor_email", sa.String(254)),
            sa.Column("priority_signals", sa.JSON, nullable=False),
            sa.Column("assignee_id", sa.Integer, sa.ForeignKey("agents.id")),
            sa.Column("created_at", TIME, nullable=False),
            sa.Column("updated_at", TIME, nullable=False),
        )
        op.create_index("tickets_conversation", "tickets", ["conversation_id", "status"])
    else:  # from the release before migrations: add what it lacked
        present = _columns("tickets")
        added = {
            "visitor_name": sa.Column("visitor_name", sa.String(100)),
            "visitor_email": sa.Column("visitor_email", sa.String(254)),
            "priority_signals": sa.Column("priority_signals", sa.JSON, nullable=False, server_default="{}"),
            "assignee_id": sa.Column("assignee_id", sa.Integer),
        }
        for name, column in added.items():
            if name not in present:
                op.add_column("tickets", column)
    if "ticket_events" not in tables:
        op.create_table(
            "ticket_events",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id")),
            sa.Column("old", sa.String(64)),
            sa.Column("new", sa.String(64)),
            sa.Column("text", sa.Text),
            sa.Column("created_at", TIME, nullable=False),
        )
        op.create_index("ticket_events_ticket", "ticket_events", ["ticket_id", "id"])


def downgrade() -> None:
    for table in ("ticket_events", "tickets", "agent_sessions", "agents", "messages", "conversations"):
        op.drop_table(table)
