"""Tickets: created by the handoff action, read by the agent page."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot.blueprints._validate import json_body, optional_str, required_str
from bot.errors import ApiError, NotFound
from bot.storage import ConversationStore, Ticket, TicketStore

bp = Blueprint("tickets", url_prefix="/tickets")

STATUSES = ("new", "open", "pending", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")


def ticket_view(ticket: Ticket, conversations: ConversationStore, transcript: bool) -> dict[str, Any]:
    data = ticket.to_dict()
    messages = conversations.transcript(ticket.conversation_id)
    data["message_count"] = len(messages)
    if transcript:
        data["transcript"] = [m.to_dict() for m in messages]
    return data


def _candidates(body: dict[str, Any]) -> list[dict[str, Any]]:
    value = body.get("candidates", [])
    if not isinstance(value, list) or not all(isinstance(c, dict) for c in value) or len(value) > 20:
        raise ApiError("'candidates' must be a list of at most 20 objects", code="invalid_field")
    return value


@bp.post("/")
async def create_ticket(request: Request) -> HTTPResponse:
    body = json_body(request)
    store: TicketStore = request.app.ctx.store
    ticket, created = store.create_ticket(
        conversation_id=required_str(body, "conversation_id", max_len=128),
        reason=required_str(body, "reason", max_len=200),
        language=optional_str(body, "language", ("tr", "en")),
        candidates=_candidates(body),
        idempotency_key=optional_str(body, "idempotency_key"),
        priority=optional_str(body, "priority", PRIORITIES) or "normal",
    )
    view = ticket_view(ticket, request.app.ctx.store, transcript=False)
    view["created"] = created
    return json(view, status=201 if created else 200)


@bp.get("/")
async def list_tickets(request: Request) -> HTTPResponse:
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise ApiError(f"status must be one of {', '.join(STATUSES)}, got {status!r}", code="invalid_field")
    store = request.app.ctx.store
    tickets = [ticket_view(t, store, transcript=False) for t in store.list_tickets(status)]
    return json({"tickets": tickets})


@bp.get("/<ticket_id:int>")
async def get_ticket(request: Request, ticket_id: int) -> HTTPResponse:
    store = request.app.ctx.store
    ticket = store.get_ticket(ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket #{ticket_id}")
    return json(ticket_view(ticket, store, transcript=True))
