"""``/api/questions``: what the bot did with each knowledge question, and what the visitor said of it.

The Rasa actions record here what the visitor saw (an answer, a clarifying
question, a handoff), the article picked from a clarifying question's options,
and the verdict (👍, 👎, "still not solved", "none of these"). A pick or a
verdict goes to the conversation's latest question. The staff's reports
(``/api/reports``) read it back.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot.blueprints._validate import json_body, optional_str, required_str
from bot.errors import ApiError, NotFound
from bot.storage import OUTCOMES, AskedQuestion

bp = Blueprint("questions", url_prefix="/questions")

MAX_QUESTION_CHARS = 10_000
MAX_CANDIDATES = 10
MAX_REASON_CHARS = 1000


def _candidates(body: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{"id", "score"}]``: only what the reports need of each article tried."""
    value = body.get("candidates", [])
    valid = isinstance(value, list) and len(value) <= MAX_CANDIDATES
    valid = valid and all(
        isinstance(c, dict)
        and isinstance(c.get("id"), str)
        and isinstance(c.get("score"), int | float)
        and not isinstance(c.get("score"), bool)
        for c in value
    )
    if not valid:
        raise ApiError(
            f"'candidates' must be a list of at most {MAX_CANDIDATES} objects with a string 'id' and a numeric 'score'",
            code="invalid_field",
        )
    return [{"id": c["id"], "score": float(c["score"])} for c in value]


def _view(question: AskedQuestion | None, conversation_id: str, waiting: str) -> HTTPResponse:
    if question is None:
        raise NotFound(f"conversation {conversation_id!r} has no {waiting}")
    return json({"question": question.to_dict()})


@bp.post("/")
async def record_question(request: Request) -> HTTPResponse:
    body = json_body(request)
    conversation_id = required_str(body, "conversation_id", max_len=128)
    outcome = optional_str(body, "outcome", OUTCOMES)
    if outcome is None:
        raise ApiError(f"'outcome' is required: one of {', '.join(OUTCOMES)}", code="invalid_field")
    article_id = optional_str(body, "article_id")
    if outcome == "answered" and not article_id:
        raise ApiError("'article_id' is required for an answered question", code="invalid_field")
    reason = optional_str(body, "reason")
    if reason is not None and len(reason) > MAX_REASON_CHARS:
        message = f"'reason' must be at most {MAX_REASON_CHARS} characters, got {len(reason)}"
        raise ApiError(message, code="invalid_field")
    question = request.app.ctx.store.record_question(
        conversation_id,
        required_str(body, "question", max_len=MAX_QUESTION_CHARS),
        optional_str(body, "language", ("tr", "en")),
        outcome,
        reason,
        article_id,
        _candidates(body),
    )
    return json({"question": question.to_dict()}, status=201)


@bp.post("/pick")
async def record_pick(request: Request) -> HTTPResponse:
    body = json_body(request)
    conversation_id = required_str(body, "conversation_id", max_len=128)
    article_id = required_str(body, "article_id", max_len=128)
    picked = request.app.ctx.store.record_pick(conversation_id, article_id)
    return _view(picked, conversation_id, "clarifying question waiting for a pick")


@bp.post("/feedback")
async def record_feedback(request: Request) -> HTTPResponse:
    body = json_body(request)
    conversation_id = required_str(body, "conversation_id", max_len=128)
    helpful = body.get("helpful")
    if not isinstance(helpful, bool):
        raise ApiError(f"'helpful' must be true or false, got {helpful!r}", code="invalid_field")
    marked = request.app.ctx.store.record_feedback(conversation_id, helpful)
    return _view(marked, conversation_id, "question to give feedback on")
