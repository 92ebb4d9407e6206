"""Agents sign in: argon2 password hashes, server-side sessions, one check for every agent route.

A session is a random token. The browser keeps it in an HttpOnly,
SameSite=Strict cookie; scripts may send it as ``Authorization: Bearer``.
The database keeps only its SHA-256, so a stolen database opens no session.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sanic import Request

from bot.errors import ApiError
from bot.storage import Agent, AgentStore
from bot.storage.models import stored_time

COOKIE = "supportbot_session"
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024
_hasher = PasswordHasher()
# Verified against for unknown addresses, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("no agent has this password")


class Unauthorized(ApiError):
    status_code = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status_code = 403
    code = "forbidden"


class TooManyAttempts(ApiError):
    status_code = 429
    code = "too_many_attempts"


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise ApiError(
            f"a password must have {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters, got {len(password)}",
            code="weak_password",
        )


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class LoginThrottle:
    """At most ``limit`` failed sign-ins per address and per client in ``window`` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}  # only keys with failures in the window

    def _recent(self, key: str) -> int:
        failures = self._failures.get(key)
        while failures and failures[0] < time.monotonic() - self.window:
            failures.popleft()
        if failures is not None and not failures:
            del self._failures[key]
        return len(failures or ())

    def check(self, *keys: str) -> None:
        if any(self._recent(k) >= self.limit for k in keys):
            raise TooManyAttempts(f"too many failed sign-ins; try again in {int(self.window // 60)} minutes")

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._failures.setdefault(key, deque()).append(time.monotonic())

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)


def sign_in(store: AgentStore, email: str, password: str, hours: float) -> tuple[Agent, str]:
    """Check the password and open a session; returns the agent and the session's token."""
    found = store.agent_login(email)
    try:
        _hasher.verify(found[1] if found else _DUMMY_HASH, password)
        valid = found is not None and found[0].active
    except (VerificationError, InvalidHashError):
        valid = False
    if not valid or found is None:
        raise Unauthorized("wrong e-mail address or password")
    agent, stored = found
    if _hasher.check_needs_rehash(stored):
        store.set_password_hash(agent.id, _hasher.hash(password))
    token = secrets.token_urlsafe(32)
    store.create_session(agent.id, token_hash(token), stored_time(datetime.now(UTC) + timedelta(hours=hours)))
    return agent, token


def request_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(COOKIE) or None


def current_agent(request: Request) -> Agent | None:
    """The signed-in agent making this request, if any."""
    token = request_token(request)
    if not token:
        return None
    store: AgentStore = request.app.ctx.store
    return store.session_agent(token_hash(token), stored_time(datetime.now(UTC)))


def require_agent(request: Request, role: str | None = None) -> Agent:
    """The signed-in agent; 401 for anonymous callers, 403 when ``role`` is needed and missing."""
    agent = current_agent(request)
    if agent is None:
        raise Unauthorized("sign in as an agent first")
    if role is not None and agent.role != role:
        raise Forbidden(f"this needs the {role} role")
    return agent
