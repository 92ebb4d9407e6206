"""Questions asked of the knowledge base: what the bot did with each, and the visitor's feedback.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(128), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("article_id", sa.String(128)),
        sa.Column("picked", sa.Boolean, nullable=False),
        sa.Column("candidates", sa.JSON, nullable=False),
        sa.Column("helpful", sa.Boolean),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("feedback_at", sa.String(32)),
    )
    op.create_index("kb_questions_conversation", "kb_questions", ["conversation_id", "id"])
    op.create_index("kb_questions_created", "kb_questions", ["created_at"])
    op.create_index("ix_kb_questions_article_id", "kb_questions", ["article_id"])


def downgrade() -> None:
    op.drop_table("kb_questions")
