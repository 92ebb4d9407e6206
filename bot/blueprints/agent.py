"""The agent console: its page, and a WebSocket that streams every change to signed-in agents.

``/agent/ws`` sends ``{"type": "message", "message": {...}}`` for every
transcript line (visitor, bot and agent) and ``{"type": "ticket", "ticket": {...}}``
when a ticket is created or changes. A caller who is not signed in gets one
error frame and the socket closes, and so does a page of another origin, even
with the agent's cookie.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from bot.auth import current_agent
from bot.errors import error_body
from bot.hub import ConversationHub
from bot.static import STATIC_DIR

bp = Blueprint("agent")


@bp.get("/agent")
async def agent_page(request: Request) -> HTTPResponse:
    """The console's page; it signs the agent in, and every call it makes needs that session."""
    return await file(STATIC_DIR / "agent.html", mime_type="text/html; charset=utf-8")


@bp.websocket("/agent/ws")
async def agent_socket(request: Request, ws: Any) -> None:
    origin = request.headers.get("origin")
    agent = current_agent(request)
    if origin and urlsplit(origin).netloc != request.host:  # another site's page opening our socket
        agent = None
    if agent is None:
        await ws.send(json.dumps({"type": "error", **error_body(401, "unauthorized", "sign in as an agent first")}))
        await ws.close()
        return
    hub: ConversationHub = request.app.ctx.hub

    async def forward(event: dict[str, Any]) -> None:
        await ws.send(json.dumps(event, ensure_ascii=False))

    await ws.send(json.dumps({"type": "welcome", "agent": agent.to_dict()}, ensure_ascii=False))
    hub.watch(forward)
    try:
        async for _ in ws:  # the console only listens; what it sends is ignored
            pass
    finally:
        hub.unwatch(forward)
