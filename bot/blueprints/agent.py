"""The agent page: tickets and their full transcripts (reads ``/api/tickets``)."""

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from bot.static import STATIC_DIR

bp = Blueprint("agent")


@bp.get("/agent")
async def agent_page(request: Request) -> HTTPResponse:
    return await file(STATIC_DIR / "agent.html", mime_type="text/html; charset=utf-8")
