"""What the bot service needs from storage. SQLAlchemy implements it (SQLite by default).

Behaviours every implementation keeps:
- ``append`` never drops a message and returns it with its id and time.
- ``create_ticket`` with an ``idempotency_key`` seen before returns that ticket
  unchanged (``created`` is ``False``); so does a conversation that already has
  an unresolved ticket: one conversation, one open ticket.
- ``get_ticket`` of an unknown number returns ``None``.
- every status change and assignment of a ticket is kept in its ``history``,
  beside the agents' internal notes.
- ``create_agent`` with an e-mail address already taken raises
  :class:`DuplicateAgent`; addresses are compared without case.
- a pick or a verdict goes to the conversation's latest question, never to an
  older one: the visitor answers what the bot just said.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

SENDERS = ("visitor", "bot", "agent", "system")
STATUSES = ("new", "open", "pending", "solved", "closed")
OPEN_STATUSES = ("new", "open", "pending")
ROLES = ("admin", "agent")
OUTCOMES = ("answered", "clarified", "handoff")
# How far back, and how many questions, one report may ask for (the API and the command line).
REPORT_MAX_DAYS = 3650
REPORT_MAX_LIMIT = 1000


def report_bound(text: str, highest: int) -> int:
    """A report's ``days`` or ``limit`` as typed: a whole number from 1 to ``highest``, else ValueError."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= highest:
        raise ValueError(f"must be a whole number from 1 to {highest}, got {text!r}")
    return value


class DuplicateAgent(ValueError):
    """An agent with that e-mail address exists already."""


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: str
    sender: str
    text: str
    created_at: str
    payload: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Ticket:
    id: int
    conversation_id: str
    status: str
    reason: str
    language: str | None
    priority: str
    candidates: list[dict[str, Any]]
    created_at: str
    updated_at: str
    visitor_name: str | None = None
    visitor_email: str | None = None
    # the urgency and anger cues that raised the priority (bot/priority.py)
    priority_signals: dict[str, list[str]] = field(default_factory=dict)
    assignee_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TicketEvent:
    """One line of a ticket's history: a status change, an assignment or an internal note."""

    id: int
    ticket_id: int
    kind: str  # status | assigned | note
    agent_id: int | None
    old: str | None
    new: str | None
    text: str | None
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Agent:
    """A person of the support team. The password hash never leaves the store's sign-in call."""

    id: int
    email: str
    name: str
    role: str
    active: bool
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AskedQuestion:
    """A visitor's question to the knowledge base, what the bot did with it and what the visitor said of it."""

    id: int
    conversation_id: str
    question: str
    language: str | None
    outcome: str  # answered | clarified | handoff
    reason: str | None
    article_id: str | None  # answered with, or picked from the options
    picked: bool
    candidates: list[dict[str, Any]]  # [{"id", "score"}], best first
    helpful: bool | None
    created_at: str
    feedback_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ArticleUse:
    """How often one article answered, and what visitors said of it."""

    article_id: str
    answered: int
    picked: int  # of those, chosen from a clarifying question's options
    helpful: int
    not_helpful: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ConversationStore(Protocol):
    def append(
        self, conversation_id: str, sender: str, text: str, payload: dict[str, Any] | None = None
    ) -> Message: ...

    def transcript(self, conversation_id: str) -> list[Message]: ...

    def last_message(self, conversation_id: str, sender: str) -> Message | None:
        """The latest message from ``sender`` in the conversation, if any."""
        ...

    def has_visitor_message(self, conversation_id: str, client_id: str) -> bool:
        """Whether the visitor's message with this client id is already recorded."""
        ...

    def set_language(self, conversation_id: str, language: str) -> None: ...

    def language(self, conversation_id: str) -> str | None: ...


class TicketStore(Protocol):
    def create_ticket(
        self,
        conversation_id: str,
        reason: str,
        language: str | None = None,
        candidates: list[dict[str, Any]] | None = None,
        idempotency_key: str | None = None,
        priority: str = "normal",
        visitor_name: str | None = None,
        visitor_email: str | None = None,
        priority_signals: dict[str, list[str]] | None = None,
    ) -> tuple[Ticket, bool]: ...

    def set_status(self, ticket_id: int, status: str, agent_id: int | None = None) -> Ticket | None:
        """Change a ticket's status; None for an unknown ticket."""
        ...

    def reopen_recent(self, conversation_id: str, solved_since: str) -> Ticket | None:
        """Reopen the conversation's latest ticket if it was solved at or after ``solved_since``; else None."""
        ...

    def assign(self, ticket_id: int, assignee_id: int | None, agent_id: int | None = None) -> Ticket | None:
        """Give the ticket to an agent (or to nobody); None for an unknown ticket."""
        ...

    def add_note(self, ticket_id: int, agent_id: int, text: str) -> TicketEvent: ...

    def history(self, ticket_id: int) -> list[TicketEvent]: ...

    def get_ticket(self, ticket_id: int) -> Ticket | None: ...

    def list_tickets(
        self, status: str | None = None, limit: int = 100, assignee_id: int | None = None, unassigned: bool = False
    ) -> list[Ticket]:
        """Newest first; ``assignee_id`` keeps one agent's tickets, ``unassigned`` those of nobody."""
        ...

    def open_ticket_for(self, conversation_id: str) -> Ticket | None: ...


class EventLog(Protocol):
    """Every ticket's history in one sequence, and a little state of the service's own."""

    def events_after(self, event_id: int, limit: int = 100) -> list[TicketEvent]: ...

    def last_event_id(self) -> int: ...

    def get_state(self, key: str) -> str | None: ...

    def set_state(self, key: str, value: str) -> None: ...


class QuestionLog(Protocol):
    """The knowledge base's questions and their outcomes, for the staff's reports."""

    def record_question(
        self,
        conversation_id: str,
        question: str,
        language: str | None,
        outcome: str,
        reason: str | None = None,
        article_id: str | None = None,
        candidates: list[dict[str, Any]] | None = None,
    ) -> AskedQuestion: ...

    def record_pick(self, conversation_id: str, article_id: str) -> AskedQuestion | None:
        """The visitor picked ``article_id`` from the latest question's options: it is answered now.

        None when the conversation's latest question was no clarifying question.
        """
        ...

    def record_feedback(self, conversation_id: str, helpful: bool) -> AskedQuestion | None:
        """The visitor's verdict on the conversation's latest question (a later one replaces an earlier).

        None when the conversation has asked nothing yet.
        """
        ...

    def article_use(self, since: str) -> list[ArticleUse]:
        """Per article answered with since ``since``: answers, picks and verdicts; most answers first."""
        ...

    def unanswered(self, since: str, limit: int = 100) -> list[AskedQuestion]:
        """Questions since ``since`` the bot could not settle, newest first: handed off, a clarifying
        question none of whose options was picked (rejected or left), or answered and marked unhelpful."""
        ...


class Leases(Protocol):
    """Jobs that one process at a time may do, when several serve the same database."""

    def hold_lease(self, name: str, holder: str, at: str, until: str) -> bool:
        """Take or renew the lease ``name`` for ``holder`` until ``until``.

        True when ``holder`` has it now: nobody had it, ``holder`` had it already, or the
        last holder's lease ran out before ``at``. False while another process holds it.
        """
        ...

    def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up at once, if ``holder`` has it, so another process need not wait it out."""
        ...


@dataclass(frozen=True)
class Mail:
    """An e-mail waiting in the outbox."""

    id: int
    ticket_id: int | None
    recipient: str
    subject: str
    body: str
    attempts: int


class MailOutbox(Protocol):
    """E-mails are kept until the SMTP server takes them."""

    def queue_mail(self, ticket_id: int | None, recipient: str, subject: str, body: str) -> Mail: ...

    def due_mail(self, at: str, limit: int = 20) -> list[Mail]:
        """Unsent e-mails whose next attempt is due at ``at``, oldest first."""
        ...

    def claim_mail(self, at: str, until: str, limit: int = 20) -> list[Mail]:
        """The due e-mails no other sender has claimed, each kept from the others until ``until``."""
        ...

    def mail_sent(self, mail_id: int) -> None: ...

    def mail_failed(self, mail_id: int, error: str, retry_at: str) -> None: ...


class AgentStore(Protocol):
    def create_agent(self, email: str, name: str, role: str, password_hash: str) -> Agent: ...

    def get_agent(self, agent_id: int) -> Agent | None: ...

    def agent_login(self, email: str) -> tuple[Agent, str] | None:
        """The agent with this address and their password hash; None for an unknown address."""
        ...

    def set_password_hash(self, agent_id: int, password_hash: str) -> None: ...

    def list_agents(self) -> list[Agent]: ...

    def count_agents(self, role: str | None = None) -> int: ...

    def create_session(self, agent_id: int, token_hash: str, expires_at: str) -> None: ...

    def session_agent(self, token_hash: str, at: str) -> Agent | None:
        """The active agent of an unexpired session, else None."""
        ...

    def delete_session(self, token_hash: str) -> None: ...


class Store(ConversationStore, TicketStore, AgentStore, EventLog, Leases, MailOutbox, QuestionLog, Protocol):
    """Everything the bot service keeps: one object may serve every role (SQLStore does)."""
