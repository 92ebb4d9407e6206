"""The support team (``/api/agents``): every agent may list it, only an admin adds to it."""

from __future__ import annotations

import asyncio

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot.auth import hash_password, require_agent
from bot.blueprints._validate import json_body, optional_str, required_str
from bot.errors import ApiError
from bot.storage import ROLES, DuplicateAgent

bp = Blueprint("agents", url_prefix="/agents")


@bp.get("/")
async def list_agents(request: Request) -> HTTPResponse:
    require_agent(request)
    return json({"agents": [a.to_dict() for a in request.app.ctx.store.list_agents()]})


@bp.post("/")
async def add_agent(request: Request) -> HTTPResponse:
    require_agent(request, role="admin")
    body = json_body(request)
    email = required_str(body, "email", max_len=254)
    if "@" not in email or " " in email:
        raise ApiError(f"'email' must be an e-mail address, got {email!r}", code="invalid_field")
    name = required_str(body, "name", max_len=100)
    role = optional_str(body, "role", ROLES) or "agent"
    password = required_str(body, "password", max_len=1024)
    try:
        password_hash = await asyncio.to_thread(hash_password, password)  # off the event loop, like sign-in
        agent = request.app.ctx.store.create_agent(email, name, role, password_hash)
    except DuplicateAgent as exc:
        raise ApiError(str(exc), status_code=409, code="duplicate_agent") from exc
    return json({"agent": agent.to_dict()}, status=201)
