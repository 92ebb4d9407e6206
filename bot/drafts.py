"""From ticket to article: a solved ticket's question and the agent's answer as a draft article.

The draft is a file in the documented article format, written to
``<SUPPORTBOT_DATA_DIR>/drafts/``. An editor reviews it, moves it into the
articles folder and imports it; until then the bot does not use it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from bot.errors import ApiError
from bot.storage import Message, Ticket
from knowledge_base.articles import Article, render_article
from knowledge_base.text import fold

MIN_QUESTION_WORDS = 3
# Asking for a person is no question for an article ("temsilciyle görüşmek istiyorum").
_ASKS_FOR_A_PERSON = re.compile(
    r"temsilci|canli destek|musteri hizmet|yetkili|insanla|gercek (bir )?kisi|"
    r"\b(human|agent|person|someone|representative|operator)\b"
)


def _without_requests_for_a_person(text: str) -> str:
    """The text without its sentences or clauses that ask for a person ("..., temsilciyle görüşmek istiyorum")."""
    parts = re.split(r"(?<=[.!?,;])\s+", text.strip())
    return " ".join(p for p in parts if not _ASKS_FOR_A_PERSON.search(fold(p))).strip()


def visitor_question(ticket: Ticket, messages: list[Message]) -> str | None:
    """The visitor's last real question before the handoff.

    Typed (not a button), with no e-mail address, and of a few words once the
    clauses asking for a person are left out.
    """
    typed = [
        _without_requests_for_a_person(m.text)
        for m in messages
        if m.sender == "visitor"
        and m.created_at <= ticket.created_at
        and not m.payload.get("command")
        and "@" not in m.text
    ]
    questions = [t for t in typed if len(t.split()) >= MIN_QUESTION_WORDS]
    return questions[-1] if questions else None


def draft_from_ticket(ticket: Ticket, messages: list[Message]) -> Article:
    question = visitor_question(ticket, messages)
    if question is None:
        raise ApiError(
            f"ticket #{ticket.id} has no typed visitor question to draft from", status_code=422, code="nothing_to_draft"
        )
    answers = [m.text.strip() for m in messages if m.sender == "agent" and m.payload.get("ticket") == ticket.id]
    if not answers:
        raise ApiError(
            f"ticket #{ticket.id} has no agent answer to draft from", status_code=422, code="nothing_to_draft"
        )
    slug = re.sub(r"[^a-z0-9]+", "-", fold(question)).strip("-")[:60].strip("-") or "ticket"
    return Article(
        id=f"{slug}-{ticket.id}",
        title=question if len(question) <= 120 else question[:117] + "...",
        language=ticket.language or "tr",
        body="\n\n".join(answers),
        questions=(question,),
        extra={"source_ticket": ticket.id},
    )


def write_draft(folder: Path, article: Article) -> tuple[Path, str]:
    """Write the draft atomically (a temporary file, then a rename); returns its path and its text.

    An older draft of the same article is replaced.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{article.id}.md"
    tmp = folder / f".{article.id}.md.tmp"
    text = render_article(article)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path, text
