"""Tickets: created by the handoff action, read by the agent page, solved by agents.

Creating a ticket raises its priority from what the visitor wrote
(bot/priority.py) and answers with when to expect a reply (bot/business_hours.py).
Changing a ticket's status needs the agent token until agents sign in (issue 5).
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot import priority
from bot.blueprints._validate import json_body, optional_str, required_str
from bot.business_hours import BusinessCalendar
from bot.errors import ApiError, NotFound
from bot.hub import ConversationHub
from bot.storage import OPEN_STATUSES, STATUSES, ConversationStore, Message, Ticket, TicketStore

bp = Blueprint("tickets", url_prefix="/tickets")

MAX_NAME_CHARS = 100
MAX_EMAIL_CHARS = 254


def ticket_view(
    ticket: Ticket, conversations: ConversationStore, transcript: bool, messages: list[Message] | None = None
) -> dict[str, Any]:
    """The ticket as JSON; ``messages`` is its transcript when the caller has read it already."""
    data = ticket.to_dict()
    if messages is None:
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
    store = request.app.ctx.store
    conversation_id = required_str(body, "conversation_id", max_len=128)
    email = optional_str(body, "visitor_email")
    if email is not None and ("@" not in email or len(email) > MAX_EMAIL_CHARS):
        raise ApiError(f"'visitor_email' must be an e-mail address of at most {MAX_EMAIL_CHARS} characters")
    name = optional_str(body, "visitor_name")
    messages = store.transcript(conversation_id)
    found = priority.signals(m.text for m in messages if m.sender == "visitor")
    ticket, created = store.create_ticket(
        conversation_id=conversation_id,
        reason=required_str(body, "reason", max_len=200),
        language=optional_str(body, "language", ("tr", "en")),
        candidates=_candidates(body),
        idempotency_key=optional_str(body, "idempotency_key"),
        priority=priority.raised(optional_str(body, "priority", priority.PRIORITIES) or "normal", found),
        visitor_name=name[:MAX_NAME_CHARS] if name else None,
        visitor_email=email,
        priority_signals={kind: cues for kind, cues in found.items() if cues},
    )
    view = ticket_view(ticket, store, transcript=False, messages=messages)
    view["created"] = created
    calendar: BusinessCalendar = request.app.ctx.calendar
    view["reply_expected"] = calendar.reply_expected(datetime.now(UTC), ticket.priority, ticket.language)
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


def _require_agent(request: Request) -> None:
    token = request.app.ctx.settings.agent_token
    if not token:
        raise ApiError(
            "agent calls are switched off: set SUPPORTBOT_AGENT_TOKEN and send it as a bearer token",
            status_code=403,
            code="agent_api_disabled",
        )
    if not hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {token}"):
        raise ApiError("a valid agent bearer token is required", status_code=401, code="unauthorized")


@bp.patch("/<ticket_id:int>")
async def update_ticket(request: Request, ticket_id: int) -> HTTPResponse:
    """Change the status. Solving or closing hands the conversation back to the bot, which says so."""
    _require_agent(request)
    body = json_body(request)
    status = optional_str(body, "status", STATUSES)
    if status is None:
        raise ApiError(f"'status' must be one of {', '.join(STATUSES)}", code="invalid_field")
    store: TicketStore = request.app.ctx.store
    before = store.get_ticket(ticket_id)
    if before is None:
        raise NotFound(f"no ticket #{ticket_id}")
    ticket = store.set_status(ticket_id, status)
    assert ticket is not None
    if before.status in OPEN_STATUSES and status not in OPEN_STATUSES:
        hub: ConversationHub = request.app.ctx.hub
        await hub.bot_is_back(ticket)
    return json(ticket_view(ticket, request.app.ctx.store, transcript=False))
