"""Agents sign in and out (``/api/auth``); the session travels in an HttpOnly cookie."""

from __future__ import annotations

import asyncio

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot.auth import (
    COOKIE,
    MAX_PASSWORD_CHARS,
    LoginThrottle,
    Unauthorized,
    request_token,
    require_agent,
    sign_in,
    token_hash,
)
from bot.blueprints._validate import json_body, required_str
from bot.errors import ApiError

bp = Blueprint("auth", url_prefix="/auth")


@bp.post("/login")
async def login(request: Request) -> HTTPResponse:
    body = json_body(request)
    email = required_str(body, "email", max_len=254).lower()
    password = body.get("password")
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD_CHARS:
        raise ApiError(f"'password' must be a string of 1 to {MAX_PASSWORD_CHARS} characters", code="invalid_field")
    throttle: LoginThrottle = request.app.ctx.login_throttle
    keys = (f"email:{email}", f"ip:{request.remote_addr or request.ip}")
    throttle.check(*keys)
    try:
        # argon2 takes tens of milliseconds of CPU on purpose: keep it off the event loop
        agent, token = await asyncio.to_thread(
            sign_in, request.app.ctx.store, email, password, request.app.ctx.settings.session_hours
        )
    except Unauthorized:
        throttle.failed(*keys)
        raise
    throttle.succeeded(*keys)
    response = json({"agent": agent.to_dict()})
    response.add_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=request.scheme in ("https", "wss"),
        max_age=int(request.app.ctx.settings.session_hours * 3600),
        path="/",
    )
    return response


@bp.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    require_agent(request)
    token = request_token(request)
    if token:
        request.app.ctx.store.delete_session(token_hash(token))
    response = json({"signed_out": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@bp.get("/me")
async def me(request: Request) -> HTTPResponse:
    return json({"agent": require_agent(request).to_dict()})
