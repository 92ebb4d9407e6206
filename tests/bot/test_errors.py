"""One JSON error shape, pinned here for every kind of failure."""

from __future__ import annotations

import pytest
from sanic import Sanic

from bot.errors import error_body

pytestmark = pytest.mark.unit


def assert_error_shape(body: dict[str, object], status: int, code: str) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"status", "code", "message"}
    assert error["status"] == status and error["code"] == code
    assert isinstance(error["message"], str) and error["message"]


def test_error_body_shape() -> None:
    assert error_body(418, "teapot", "short and stout") == {
        "error": {"status": 418, "code": "teapot", "message": "short and stout"}
    }


async def test_unknown_route(app: Sanic) -> None:
    _, response = await app.asgi_client.get("/api/nothing-here")
    assert_error_shape(response.json, 404, "not_found")


async def test_invalid_json_body(app: Sanic) -> None:
    _, response = await app.asgi_client.post(
        "/api/search", content=b"\xff\xfe{not json", headers={"content-type": "application/json"}
    )
    assert_error_shape(response.json, 400, "invalid_json")


async def test_wrong_method(app: Sanic) -> None:
    _, response = await app.asgi_client.delete("/api/search")
    assert_error_shape(response.json, 405, "method_not_allowed")


async def test_unexpected_failure_hides_internals(app: Sanic) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    app.ctx.kb.search = explode
    _, response = await app.asgi_client.post("/api/search", json={"query": "hello"})
    assert_error_shape(response.json, 500, "internal_error")
    assert "secret" not in response.text
