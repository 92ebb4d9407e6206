"""Tickets: created by the handoff action, worked by signed-in agents.

Creating a ticket raises its priority from what the visitor wrote
(bot/priority.py) and answers with when to expect a reply (bot/business_hours.py).
Everything else needs a signed-in agent: reading the queue and a ticket,
claiming and assigning, internal notes, replying into the visitor's chat, and
changing the status. Solving or closing hands the conversation back to the bot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot import priority
from bot.auth import require_agent
from bot.blueprints._validate import json_body, optional_str, required_str
from bot.business_hours import BusinessCalendar
from bot.drafts import draft_from_ticket, write_draft
from bot.errors import ApiError, NotFound
from bot.hub import ConversationHub
from bot.mailer import Mailer, compose
from bot.sla import SlaPolicy, next_due
from bot.storage import OPEN_STATUSES, STATUSES, Agent, ConversationStore, Message, Store, Ticket, TicketEvent
from bot.storage.models import stored_time

bp = Blueprint("tickets", url_prefix="/tickets")

MAX_NAME_CHARS = 100
MAX_EMAIL_CHARS = 254
MAX_REPLY_CHARS = 5000
MAX_NOTE_CHARS = 5000


def ticket_view(
    ticket: Ticket,
    conversations: ConversationStore,
    transcript: bool,
    messages: list[Message] | None = None,
    sla: tuple[SlaPolicy, list[TicketEvent]] | None = None,
) -> dict[str, Any]:
    """The ticket as JSON; ``messages`` is its transcript when the caller has read it already.

    With ``sla`` (the policy and the ticket's history), the view adds its service-level targets.
    """
    data = ticket.to_dict()
    if messages is None:
        messages = conversations.transcript(ticket.conversation_id)
    data["message_count"] = len(messages)
    if transcript:
        data["transcript"] = [m.to_dict() for m in messages]
    if sla is not None:
        data["sla"] = sla[0].of(ticket, messages, sla[1])
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
    fields: dict[str, Any] = {
        "reason": required_str(body, "reason", max_len=200),
        "language": optional_str(body, "language", ("tr", "en")),
        "candidates": _candidates(body),
        "idempotency_key": optional_str(body, "idempotency_key"),
        "priority": priority.raised(optional_str(body, "priority", priority.PRIORITIES) or "normal", found),
        "visitor_name": name[:MAX_NAME_CHARS] if name else None,
        "visitor_email": email,
        "priority_signals": {kind: cues for kind, cues in found.items() if cues},
    }  # all checked before anything changes
    reopened = _reopen(request, store, conversation_id)
    ticket, created = (reopened, False) if reopened else store.create_ticket(conversation_id, **fields)
    view = ticket_view(ticket, store, transcript=False, messages=messages)
    view["created"] = created
    view["reopened"] = reopened is not None
    calendar: BusinessCalendar = request.app.ctx.calendar
    view["reply_expected"] = calendar.reply_expected(datetime.now(UTC), ticket.priority, ticket.language)
    if created or reopened:
        await request.app.ctx.hub.ticket_changed(ticket)
    return json(view, status=201 if created else 200)


def queue_order(view: dict[str, Any]) -> tuple[int, str, str]:
    """Most urgent first; within a priority, the nearest service-level due time, then the oldest."""
    return (-priority.PRIORITIES.index(view["priority"]), next_due(view["sla"]), view["created_at"])


def _reopen(request: Request, store: Store, conversation_id: str) -> Ticket | None:
    """A new handoff soon after a ticket was solved reopens that ticket, with its history and agent."""
    if store.open_ticket_for(conversation_id) is not None:
        return None  # the open ticket is the one (create_ticket returns it)
    days = request.app.ctx.settings.reopen_days
    return store.reopen_recent(conversation_id, stored_time(datetime.now(UTC) - timedelta(days=days)))


@bp.get("/")
async def list_tickets(request: Request) -> HTTPResponse:
    """The queue. Filters: ``status``, ``assignee`` (``me``, ``none`` or an agent id)."""
    agent = require_agent(request)
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise ApiError(f"status must be one of {', '.join(STATUSES)}, got {status!r}", code="invalid_field")
    assignee = request.args.get("assignee")
    if assignee not in (None, "me", "none") and not assignee.isdigit():
        raise ApiError(f"assignee must be me, none or an agent id, got {assignee!r}", code="invalid_field")
    store: Store = request.app.ctx.store
    found = store.list_tickets(
        status,
        limit=500,
        assignee_id=agent.id if assignee == "me" else int(assignee) if assignee not in (None, "none") else None,
        unassigned=assignee == "none",
    )
    policy: SlaPolicy = request.app.ctx.sla
    views = [ticket_view(t, store, transcript=False, sla=(policy, store.history(t.id))) for t in found]
    return json({"tickets": sorted(views, key=queue_order)})


def _ticket_or_404(store: Store, ticket_id: int) -> Ticket:
    ticket = store.get_ticket(ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket #{ticket_id}")
    return ticket


def full_view(store: Store, ticket: Ticket, policy: SlaPolicy) -> dict[str, Any]:
    """The ticket with its transcript, its history and internal notes, and the agents' names."""
    history = store.history(ticket.id)
    data = ticket_view(ticket, store, transcript=True, sla=(policy, history))
    names = {a.id: a.name for a in store.list_agents()}
    data["history"] = [{**e.to_dict(), "agent_name": names.get(e.agent_id or 0)} for e in history]
    data["assignee_name"] = names.get(ticket.assignee_id or 0)
    return data


@bp.get("/<ticket_id:int>")
async def get_ticket(request: Request, ticket_id: int) -> HTTPResponse:
    require_agent(request)
    store: Store = request.app.ctx.store
    return json(full_view(store, _ticket_or_404(store, ticket_id), request.app.ctx.sla))


async def _changed(request: Request, before: Ticket, after: Ticket) -> HTTPResponse:
    """Tell the consoles; a ticket leaving the open statuses hands the conversation back to the bot."""
    hub: ConversationHub = request.app.ctx.hub
    if before.status in OPEN_STATUSES and after.status not in OPEN_STATUSES:
        await hub.bot_is_back(after)
    await hub.ticket_changed(after)
    return json(full_view(request.app.ctx.store, after, request.app.ctx.sla))


@bp.patch("/<ticket_id:int>")
async def update_ticket(request: Request, ticket_id: int) -> HTTPResponse:
    """Change the status (``{"status": ...}``) and/or the assignee (``{"assignee_id": id or null}``)."""
    agent = require_agent(request)
    body = json_body(request)
    store: Store = request.app.ctx.store
    status = optional_str(body, "status", STATUSES)
    if status is None and "assignee_id" not in body:
        raise ApiError(f"send 'status' (one of {', '.join(STATUSES)}) or 'assignee_id'", code="invalid_field")
    before = _ticket_or_404(store, ticket_id)
    after = before
    if "assignee_id" in body:
        after = _assign(store, ticket_id, body["assignee_id"], agent) or after
    if status is not None:
        after = store.set_status(ticket_id, status, agent.id) or after
    return await _changed(request, before, after)


def _assign(store: Store, ticket_id: int, assignee: object, agent: Agent) -> Ticket | None:
    if assignee is not None and (not isinstance(assignee, int) or isinstance(assignee, bool)):
        raise ApiError(f"'assignee_id' must be an agent id or null, got {assignee!r}", code="invalid_field")
    if assignee is not None:
        target = store.get_agent(assignee)
        if target is None or not target.active:
            raise ApiError(f"no active agent #{assignee}", code="invalid_field")
    return store.assign(ticket_id, assignee, agent.id)


@bp.post("/<ticket_id:int>/claim")
async def claim(request: Request, ticket_id: int) -> HTTPResponse:
    """Take the ticket: it is assigned to the caller, and a new ticket becomes open."""
    agent = require_agent(request)
    store: Store = request.app.ctx.store
    before = _ticket_or_404(store, ticket_id)
    return await _changed(request, before, _take(store, before, agent, reassign=True))


def _take(store: Store, ticket: Ticket, agent: Agent, reassign: bool) -> Ticket:
    """The agent takes the ticket (``reassign``: even from a colleague); a new ticket becomes open."""
    if reassign or ticket.assignee_id is None:
        ticket = store.assign(ticket.id, agent.id, agent.id) or ticket
    if ticket.status == "new":
        ticket = store.set_status(ticket.id, "open", agent.id) or ticket
    return ticket


@bp.post("/<ticket_id:int>/notes")
async def add_note(request: Request, ticket_id: int) -> HTTPResponse:
    """An internal note: agents see it in the ticket's history, the visitor never does."""
    agent = require_agent(request)
    store: Store = request.app.ctx.store
    ticket = _ticket_or_404(store, ticket_id)
    note = store.add_note(ticket.id, agent.id, required_str(json_body(request), "text", max_len=MAX_NOTE_CHARS))
    await request.app.ctx.hub.ticket_changed(store.get_ticket(ticket.id) or ticket)
    return json({**note.to_dict(), "agent_name": agent.name}, status=201)


@bp.post("/<ticket_id:int>/messages")
async def reply(request: Request, ticket_id: int) -> HTTPResponse:
    """The agent writes to the visitor: into the transcript and the open chat, or by e-mail if the visitor left."""
    agent = require_agent(request)
    store: Store = request.app.ctx.store
    before = _ticket_or_404(store, ticket_id)
    if before.status not in OPEN_STATUSES:
        raise ApiError(
            f"ticket #{ticket_id} is {before.status}: the conversation is back with the bot; reopen it first",
            status_code=409,
            code="ticket_not_open",
        )
    text = required_str(json_body(request), "text", max_len=MAX_REPLY_CHARS)
    hub: ConversationHub = request.app.ctx.hub
    mailer: Mailer | None = request.app.ctx.mailer
    if hub.is_online(before.conversation_id):
        delivery = "chat"
    elif before.visitor_email and mailer is not None:
        delivery = "email"  # the visitor has left: the reply also goes to the address they gave
    else:
        delivery = "transcript"  # shown when the visitor comes back to the chat
    payload = {"ticket": before.id, "agent": {"id": agent.id, "name": agent.name}, "delivery": delivery}
    message = await hub.record(before.conversation_id, "agent", text, payload)
    if delivery == "email" and before.visitor_email and mailer is not None:
        store.queue_mail(before.id, before.visitor_email, *compose(before, agent, text))
        mailer.poke()
    after = _take(store, before, agent, reassign=False)  # the first to reply takes an unassigned ticket
    await hub.ticket_changed(after)
    return json({"message": message.to_dict(), "ticket": after.to_dict()}, status=201)


@bp.post("/<ticket_id:int>/article-draft")
async def article_draft(request: Request, ticket_id: int) -> HTTPResponse:
    """Turn a solved ticket's question and the agent's answer into a draft article for an editor."""
    agent = require_agent(request)
    store: Store = request.app.ctx.store
    ticket = _ticket_or_404(store, ticket_id)
    if ticket.status in OPEN_STATUSES:
        raise ApiError(f"ticket #{ticket_id} is {ticket.status}: solve it first", status_code=409, code="not_solved")
    article = draft_from_ticket(ticket, store.transcript(ticket.conversation_id))
    path, markdown = write_draft(request.app.ctx.settings.data_dir / "drafts", article)
    store.add_note(ticket.id, agent.id, f"Draft article written: {path.name}")
    await request.app.ctx.hub.ticket_changed(ticket)
    return json({"article": article.to_dict(), "file": str(path), "markdown": markdown}, status=201)
