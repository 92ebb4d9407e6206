"""One JSON error shape for every API response and WebSocket error frame::

{"error": {"status": 422, "code": "invalid_article", "message": "..."}}
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse, json

from knowledge_base.errors import KnowledgeBaseError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the API reports to its caller, with its HTTP status."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, status_code: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    """The single error shape."""
    return {"error": {"status": status, "code": code, "message": message}}


def error_response(status: int, code: str, message: str) -> HTTPResponse:
    return json(error_body(status, code, message), status=status)


def _handle(request: Request, exc: Exception) -> HTTPResponse:
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.code, exc.message)
    if isinstance(exc, KnowledgeBaseError):
        return error_response(exc.status_code, exc.code, str(exc))
    if isinstance(exc, SanicException):
        code = re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__.removesuffix("Error")).lower() or "error"
        status = int(exc.status_code)
        return error_response(status, code, str(exc) if exc.quiet or status < 500 else "server error")
    log.exception("unhandled error", extra={"path": request.path})
    return error_response(500, "internal_error", "Something went wrong on our side. Please try again.")


def register_error_handlers(app: Sanic) -> None:
    app.error_handler.add(Exception, _handle)
