"""``/api/reports``: for the support team, which articles help and which questions the bot left unsettled.

- ``GET /api/reports/articles?days=30``: every article of the knowledge base with
  how often it answered in that time (and how often it was picked from a
  clarifying question's options) and the visitors' 👍 and 👎; articles that never
  answered are listed too, with zeros.
- ``GET /api/reports/unanswered?days=30&limit=100``: the questions handed off,
  the clarifying questions none of whose options was picked ("none of these",
  or the visitor moved on) and the answers marked unhelpful, newest first: what
  the articles do not cover yet.

Both need a signed-in agent: visitors' questions are personal data.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot.auth import require_agent
from bot.errors import ApiError
from bot.storage import REPORT_MAX_DAYS, REPORT_MAX_LIMIT, ArticleUse, report_bound
from bot.storage.models import stored_time
from knowledge_base.kb import KnowledgeBase

bp = Blueprint("reports", url_prefix="/reports")

DEFAULT_DAYS = 30


def _int_arg(request: Request, name: str, default: int, highest: int) -> int:
    raw = request.get_args(keep_blank_values=True).get(name)
    if raw is None:
        return default
    try:
        return report_bound(raw, highest)
    except ValueError as exc:
        raise ApiError(f"'{name}' {exc}", code="invalid_field") from exc


def _since(request: Request) -> tuple[int, str]:
    days = _int_arg(request, "days", DEFAULT_DAYS, REPORT_MAX_DAYS)
    return days, stored_time(datetime.now(UTC) - timedelta(days=days))


def helpful_share(use: ArticleUse) -> float | None:
    """👍 among the verdicts given, or None without any."""
    verdicts = use.helpful + use.not_helpful
    return round(use.helpful / verdicts, 3) if verdicts else None


@bp.get("/articles")
async def articles(request: Request) -> HTTPResponse:
    require_agent(request)
    days, since = _since(request)
    kb: KnowledgeBase = request.app.ctx.kb
    use = {u.article_id: u for u in await asyncio.to_thread(request.app.ctx.store.article_use, since)}
    known = {a.id: a for a in await asyncio.to_thread(kb.articles)}
    rows = []
    # every article, used or not, and the ones answered with that were deleted since (no title)
    for article_id in known.keys() | use.keys():
        counted, article = use.get(article_id, ArticleUse(article_id, 0, 0, 0, 0)), known.get(article_id)
        rows.append(
            {
                "title": article.title if article else None,
                "language": article.language if article else None,
                **counted.to_dict(),
                "helpful_share": helpful_share(counted),
            }
        )
    rows.sort(key=lambda r: (-r["answered"], -r["not_helpful"], r["article_id"]))
    return json({"days": days, "since": since, "articles": rows})


@bp.get("/unanswered")
async def unanswered(request: Request) -> HTTPResponse:
    require_agent(request)
    days, since = _since(request)
    limit = _int_arg(request, "limit", 100, REPORT_MAX_LIMIT)
    found = await asyncio.to_thread(request.app.ctx.store.unanswered, since, limit)
    return json({"days": days, "since": since, "questions": [q.to_dict() for q in found]})
