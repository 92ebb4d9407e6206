"""``POST /api/search``: the knowledge-base decision, used by the Rasa actions."""

from __future__ import annotations

import asyncio
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot.blueprints._validate import json_body, optional_str, required_str
from bot.errors import ApiError
from knowledge_base.articles import Article
from knowledge_base.decision import Passage
from knowledge_base.kb import KnowledgeBase, SearchResult

bp = Blueprint("search")


def article_url(article_id: str) -> str:
    return f"/articles/{article_id}"


def answer_text(article: Article, passage: Passage | None) -> str:
    """What the chat shows of an article: the paragraph that answers the question, else its first."""
    return passage.text if passage is not None else article.summary


def enrich(kb: KnowledgeBase, result: SearchResult) -> dict[str, Any]:
    """The search explanation plus, for each candidate, the answer text and a link."""
    data = result.to_dict()
    articles = kb.get_many([c.id for c in result.candidates])
    for found, candidate in zip(result.candidates, data["candidates"], strict=True):
        article = articles.get(found.id)
        candidate["summary"] = answer_text(article, found.passage) if article else ""
        candidate["url"] = article_url(found.id)
    return data


@bp.post("/search")
async def search(request: Request) -> HTTPResponse:
    body = json_body(request)
    query = required_str(body, "query", max_len=10_000)
    language = optional_str(body, "language", ("tr", "en"))
    top_k = body.get("top_k", 5)
    if not isinstance(top_k, int) or not 1 <= top_k <= 20:
        raise ApiError(f"'top_k' must be an integer from 1 to 20, got {top_k!r}", code="invalid_field")
    kb: KnowledgeBase = request.app.ctx.kb
    result = await asyncio.to_thread(kb.search, query, language, top_k)
    return json(enrich(kb, result))
