"""Agents sign in; every agent route refuses anonymous callers."""

from __future__ import annotations

import re

import pytest
from sanic import Sanic

from bot.storage import SQLiteStore
from tests.bot.conftest import PASSWORD, sign_in_as

pytestmark = pytest.mark.unit

# Routes a visitor, the widget or the action server use without signing in. Everything else is for agents.
PUBLIC = {
    ("GET", "/"),
    ("GET", "/health"),
    ("GET", "/agent"),  # the console's page: it shows the sign-in form; its data calls need a session
    ("GET", "/widget.js"),
    ("GET", "/static/<__file_uri__:path>"),
    ("GET", "/chat/ws"),
    ("POST", "/chat/messages"),  # the widget's unload beacon: what /chat/ws would have carried
    ("GET", "/agent/ws"),  # a WebSocket: refuses in its first frame (test below)
    ("GET", "/articles/<article_id:str>"),
    ("GET", "/api/articles"),
    ("GET", "/api/articles/<article_id:str>"),
    ("POST", "/api/search"),
    ("POST", "/api/tickets"),  # the handoff action opens tickets
    # the actions record each question's outcome, the article picked and the visitor's verdict
    ("POST", "/api/questions"),
    ("POST", "/api/questions/pick"),
    ("POST", "/api/questions/feedback"),
    ("POST", "/api/auth/login"),
}


def routes(app: Sanic) -> list[tuple[str, str]]:
    found = set()
    for route in app.router.routes:
        path = "/" + route.path.strip("/")
        for method in route.methods:
            if method not in ("HEAD", "OPTIONS"):
                found.add((method, path.rstrip("/") or "/"))
    return sorted(found)


def concrete(path: str) -> str:
    """A path with every parameter filled in with something that exists or looks plausible."""
    return re.sub(r"<[^>]+>", lambda m: "1" if ":int" in m.group(0) else "x", path)


async def test_every_agent_route_refuses_anonymous_callers(app: Sanic, store: SQLiteStore) -> None:
    store.create_ticket("conv-00001", "visitor_request")
    agent_routes = [r for r in routes(app) if r not in PUBLIC]
    assert len(agent_routes) >= 10  # the walk found the agent API, not an empty router
    for method, path in agent_routes:
        for headers in ({}, {"Authorization": "Bearer not-a-session"}, {"Cookie": "supportbot_session=forged"}):
            _, response = await app.asgi_client.request(method.lower(), concrete(path), json={}, headers=headers)
            assert response.status == 401, (method, path, headers, response.status)
            assert response.json["error"]["code"] == "unauthorized"
    assert store.get_ticket(1).status == "new"  # type: ignore[union-attr]


async def test_the_public_list_names_only_routes_that_exist(app: Sanic) -> None:
    assert set(routes(app)) >= PUBLIC


async def test_sign_in_sets_an_http_only_strict_cookie_that_opens_the_api(app: Sanic, store: SQLiteStore) -> None:
    sign_in_as(store, "Ayse@Example.com")
    _, response = await app.asgi_client.post(
        "/api/auth/login", json={"email": "ayse@example.com", "password": PASSWORD}
    )
    assert response.status == 200 and response.json["agent"]["email"] == "ayse@example.com"
    assert "password" not in str(response.json) and "hash" not in str(response.json)
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    token = re.search(r"supportbot_session=([^;]+)", cookie).group(1)  # type: ignore[union-attr]
    _, me = await app.asgi_client.get("/api/auth/me", headers={"Cookie": f"supportbot_session={token}"})
    assert me.status == 200 and me.json["agent"]["name"] == "Ayşe"
    _, out = await app.asgi_client.post("/api/auth/logout", headers={"Cookie": f"supportbot_session={token}"})
    assert out.status == 200
    _, me = await app.asgi_client.get("/api/auth/me", headers={"Cookie": f"supportbot_session={token}"})
    assert me.status == 401  # the session is gone on the server, not only in the browser


@pytest.mark.parametrize(
    "body",
    [
        {"email": "agent@example.com", "password": "wrong password!"},
        {"email": "nobody@example.com", "password": PASSWORD},
    ],
)
async def test_a_wrong_address_or_password_gets_the_same_answer(
    app: Sanic, store: SQLiteStore, body: dict[str, str]
) -> None:
    sign_in_as(store, "agent@example.com")
    _, response = await app.asgi_client.post("/api/auth/login", json=body)
    assert response.status == 401
    assert response.json["error"]["message"] == "wrong e-mail address or password"
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "a@example.com"}, {"email": "a@example.com", "password": ""}, {"email": 5, "password": "x"}],
)
async def test_a_malformed_sign_in_is_a_clear_400(app: Sanic, body: dict[str, object]) -> None:
    _, response = await app.asgi_client.post("/api/auth/login", json=body)
    assert response.status == 400 and response.json["error"]["code"] == "invalid_field"


async def test_repeated_failures_are_throttled(app: Sanic, store: SQLiteStore) -> None:
    sign_in_as(store, "agent@example.com")
    for _ in range(5):
        _, response = await app.asgi_client.post(
            "/api/auth/login", json={"email": "agent@example.com", "password": "guess guess guess"}
        )
        assert response.status == 401
    _, response = await app.asgi_client.post(
        "/api/auth/login", json={"email": "agent@example.com", "password": PASSWORD}
    )
    assert response.status == 429 and response.json["error"]["code"] == "too_many_attempts"


async def test_only_an_admin_adds_agents(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    new = {"email": "mert@example.com", "name": "Mert", "password": "long enough secret", "role": "agent"}
    _, response = await app.asgi_client.post("/api/agents/", json=new, headers=agent_headers)
    assert response.status == 403 and response.json["error"]["code"] == "forbidden"
    _, response = await app.asgi_client.post("/api/agents/", json=new, headers=admin_headers)
    assert response.status == 201 and response.json["agent"]["role"] == "agent"
    _, again = await app.asgi_client.post("/api/agents/", json=new, headers=admin_headers)
    assert again.status == 409 and again.json["error"]["code"] == "duplicate_agent"
    weak = {**new, "email": "kisa@example.com", "password": "short"}
    _, response = await app.asgi_client.post("/api/agents/", json=weak, headers=admin_headers)
    assert response.status == 400 and response.json["error"]["code"] == "weak_password"
    _, listing = await app.asgi_client.get("/api/agents/", headers=agent_headers)
    assert [a["email"] for a in listing.json["agents"]] == [
        "agent@example.com",
        "admin@example.com",
        "mert@example.com",
    ]
    _, signed = await app.asgi_client.post(
        "/api/auth/login", json={"email": "mert@example.com", "password": "long enough secret"}
    )
    assert signed.status == 200
