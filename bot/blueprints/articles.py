"""Read-only article views: JSON under ``/api/articles``, a plain page under ``/articles``."""

from __future__ import annotations

import asyncio
import html

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic.response import html as html_response

from bot.blueprints._validate import required_str
from bot.blueprints.search import answer_text, article_url
from bot.errors import NotFound
from knowledge_base.articles import Article
from knowledge_base.kb import KnowledgeBase

bp = Blueprint("articles", url_prefix="/articles")
page_bp = Blueprint("article_pages", url_prefix="/articles")


def _article(request: Request, article_id: str) -> Article:
    kb: KnowledgeBase = request.app.ctx.kb
    article = kb.get(article_id)
    if article is None:
        raise NotFound(f"no article with id {article_id!r}")
    return article


@bp.get("/")
async def list_articles(request: Request) -> HTTPResponse:
    kb: KnowledgeBase = request.app.ctx.kb
    items = [{"id": a.id, "title": a.title, "language": a.language, "tags": list(a.tags)} for a in kb.articles()]
    return json({"articles": items})


@bp.get("/<article_id:str>")
async def get_article(request: Request, article_id: str) -> HTTPResponse:
    """The article; with ``?question=``, its ``summary`` is the paragraph that answers that question."""
    article = _article(request, article_id)
    found = {**article.to_dict(), "url": article_url(article.id)}
    passage = None
    args = request.get_args(keep_blank_values=True)
    if "question" in args:  # a query parameter, checked as the JSON fields are
        question = required_str({"question": args.get("question")}, "question")
        kb: KnowledgeBase = request.app.ctx.kb
        passage = await asyncio.to_thread(kb.passage, article.id, question)
        if passage is not None:
            found["passage"] = passage.to_dict()
    return json({**found, "summary": answer_text(article, passage)})


@page_bp.get("/<article_id:str>")
async def article_page(request: Request, article_id: str) -> HTTPResponse:
    article = _article(request, article_id)
    body = "".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs())
    page = (
        f'<!doctype html><html lang="{article.language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(article.title)}</title>"
        '<link rel="stylesheet" href="/static/site.css"></head>'
        f'<body><main class="article"><h1>{html.escape(article.title)}</h1>{body}</main></body></html>'
    )
    return html_response(page)
