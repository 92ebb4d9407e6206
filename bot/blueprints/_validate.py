"""Small helpers to read and check JSON request bodies."""

from __future__ import annotations

from typing import Any

from sanic import Request

from bot.errors import ApiError


def json_body(request: Request) -> dict[str, Any]:
    try:
        body = request.json
    except Exception as exc:  # Sanic raises BadRequest subclasses for bad JSON
        raise ApiError("the request body is not valid JSON", code="invalid_json") from exc
    if not isinstance(body, dict):
        raise ApiError("the request body must be a JSON object", code="invalid_json")
    return body


def required_str(body: dict[str, Any], name: str, max_len: int = 10_000) -> str:
    value = body.get(name)
    if value is None:
        raise ApiError(f"'{name}' is required: a non-empty string", code="invalid_field")
    if not isinstance(value, str):
        raise ApiError(f"'{name}' must be a non-empty string, got {type(value).__name__}", code="invalid_field")
    if not value.strip():
        raise ApiError(f"'{name}' must be a non-empty string, got an empty or blank one", code="invalid_field")
    if len(value) > max_len:
        raise ApiError(f"'{name}' must be at most {max_len} characters, got {len(value)}", code="invalid_field")
    return value.strip()


def optional_str(body: dict[str, Any], name: str, choices: tuple[str, ...] | None = None) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or (choices and value not in choices):
        allowed = f"one of {', '.join(choices)}" if choices else "a string"
        raise ApiError(f"'{name}' must be {allowed}, got {value!r}", code="invalid_field")
    return value
