"""The conversation, ticket and agent stores on SQLAlchemy 2 (SQLite by default).

The schema comes from the migrations in ``bot/storage/migrations``, applied
when the store opens, so an older database is upgraded in place and nothing
in it is lost.
"""

from __future__ import annotations

import dataclasses
import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, case, create_engine, event, func, insert, select, text, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from bot.storage.models import (
    AgentRow,
    Base,
    ConversationRow,
    LeaseRow,
    MailRow,
    MessageRow,
    QuestionRow,
    ServiceStateRow,
    SessionRow,
    TicketEventRow,
    TicketRow,
    now,
)
from bot.storage.protocols import (
    OPEN_STATUSES,
    OUTCOMES,
    ROLES,
    SENDERS,
    Agent,
    ArticleUse,
    AskedQuestion,
    DuplicateAgent,
    Mail,
    Message,
    Ticket,
    TicketEvent,
)

MIGRATIONS = Path(__file__).parent / "migrations"
_TABLES = Base.metadata.tables
conversations, messages, tickets = (_TABLES[m.__tablename__] for m in (ConversationRow, MessageRow, TicketRow))
agents, sessions, events = (_TABLES[m.__tablename__] for m in (AgentRow, SessionRow, TicketEventRow))
state, outbox = _TABLES[ServiceStateRow.__tablename__], _TABLES[MailRow.__tablename__]
leases, questions = _TABLES[LeaseRow.__tablename__], _TABLES[QuestionRow.__tablename__]


# Any fixed number: the PostgreSQL advisory lock that serialises migrations.
_MIGRATION_LOCK = 0x5B0_7AB1E


@contextmanager
def _migrating_alone(engine: Engine) -> Iterator[None]:
    """Hold a lock that other processes migrating the same database wait for.

    Several bot services starting on one new database would otherwise each run the
    first migration, and all but one would die on a table that already exists: SQLite
    runs DDL outside the transaction SQLAlchemy opens. SQLite files get an exclusive
    lock on a file beside them (processes sharing a SQLite file share a machine);
    PostgreSQL gets a transaction-scoped advisory lock in ``migrate``.
    """
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrating", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def migrate(engine: Engine) -> None:
    """Bring the database's schema up to the newest migration, one process at a time."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migrating_alone(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers go on while one writer writes; FULL makes a commit survive a power cut."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_database_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _message(row: RowMapping) -> Message:
    return Message(row["id"], row["conversation_id"], row["sender"], row["text"], row["created_at"], row["payload"])


def _ticket(row: RowMapping) -> Ticket:
    return Ticket(
        id=row["id"],
        conversation_id=row["conversation_id"],
        status=row["status"],
        reason=row["reason"],
        language=row["language"],
        priority=row["priority"],
        candidates=row["candidates"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        visitor_name=row["visitor_name"],
        visitor_email=row["visitor_email"],
        priority_signals=row["priority_signals"] or {},
        assignee_id=row["assignee_id"],
    )


def _event(r: RowMapping) -> TicketEvent:
    return TicketEvent(
        r["id"], r["ticket_id"], r["kind"], r["agent_id"], r["old"], r["new"], r["text"], r["created_at"]
    )


def _question(r: RowMapping) -> AskedQuestion:
    return AskedQuestion(
        id=r["id"],
        conversation_id=r["conversation_id"],
        question=r["question"],
        language=r["language"],
        outcome=r["outcome"],
        reason=r["reason"],
        article_id=r["article_id"],
        picked=bool(r["picked"]),
        candidates=r["candidates"] or [],
        helpful=r["helpful"],
        created_at=r["created_at"],
        feedback_at=r["feedback_at"],
    )


def _agent(row: RowMapping) -> Agent:
    return Agent(row["id"], row["email"], row["name"], row["role"], bool(row["active"]), row["created_at"])


class SQLStore:
    """Conversations, transcripts, tickets and agents in one SQL database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = create_database_engine(url)
        self._lock = threading.RLock()  # one writer at a time in this process: read-then-write stays atomic
        migrate(self._engine)

    def close(self) -> None:
        self._engine.dispose()

    @staticmethod
    def _ensure_conversation(conn: Connection, conversation_id: str) -> None:
        exists = conn.execute(select(conversations.c.id).where(conversations.c.id == conversation_id)).first()
        if exists is None:
            stamp = now()
            conn.execute(insert(conversations).values(id=conversation_id, created_at=stamp, updated_at=stamp))

    # -- conversations -------------------------------------------------------------

    def append(self, conversation_id: str, sender: str, text: str, payload: dict[str, Any] | None = None) -> Message:
        if sender not in SENDERS:
            raise ValueError(f"sender must be one of {', '.join(SENDERS)}, got {sender!r}")
        payload = payload or {}
        client_id = payload.get("client_id") if sender == "visitor" else None
        stamp = now()
        with self._lock, self._engine.begin() as conn:
            self._ensure_conversation(conn, conversation_id)
            row = conn.execute(
                insert(messages)
                .values(
                    conversation_id=conversation_id,
                    sender=sender,
                    text=text,
                    payload=payload,
                    client_id=str(client_id) if client_id is not None else None,
                    created_at=stamp,
                )
                .returning(messages.c.id)
            ).one()
            conn.execute(update(conversations).where(conversations.c.id == conversation_id).values(updated_at=stamp))
        return Message(int(row[0]), conversation_id, sender, text, stamp, payload)

    def transcript(self, conversation_id: str) -> list[Message]:
        query = select(messages).where(messages.c.conversation_id == conversation_id).order_by(messages.c.id)
        with self._engine.connect() as conn:
            return [_message(r) for r in conn.execute(query).mappings()]

    def last_message(self, conversation_id: str, sender: str) -> Message | None:
        query = (
            select(messages)
            .where(messages.c.conversation_id == conversation_id, messages.c.sender == sender)
            .order_by(messages.c.id.desc())
            .limit(1)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _message(row) if row else None

    def has_visitor_message(self, conversation_id: str, client_id: str) -> bool:
        query = select(messages.c.id).where(
            messages.c.conversation_id == conversation_id,
            messages.c.sender == "visitor",
            messages.c.client_id == client_id,
        )
        with self._engine.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def set_language(self, conversation_id: str, language: str) -> None:
        with self._lock, self._engine.begin() as conn:
            self._ensure_conversation(conn, conversation_id)
            conn.execute(update(conversations).where(conversations.c.id == conversation_id).values(language=language))

    def language(self, conversation_id: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(select(conversations.c.language).where(conversations.c.id == conversation_id)).scalar()

    # -- tickets -------------------------------------------------------------------

    @staticmethod
    def _one(conn: Connection, *where: Any) -> Ticket | None:
        row = conn.execute(select(tickets).where(*where).order_by(tickets.c.id.desc()).limit(1)).mappings().first()
        return _ticket(row) if row else None

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
    ) -> tuple[Ticket, bool]:
        with self._lock, self._engine.begin() as conn:
            existing = self._one(conn, tickets.c.idempotency_key == idempotency_key) if idempotency_key else None
            existing = existing or self._open_ticket(conn, conversation_id)
            if existing:
                return existing, False
            self._ensure_conversation(conn, conversation_id)
            stamp = now()
            new_id = conn.execute(
                insert(tickets)
                .values(
                    conversation_id=conversation_id,
                    status="new",
                    reason=reason,
                    language=language,
                    priority=priority,
                    candidates=candidates or [],
                    idempotency_key=idempotency_key,
                    visitor_name=visitor_name,
                    visitor_email=visitor_email,
                    priority_signals=priority_signals or {},
                    created_at=stamp,
                    updated_at=stamp,
                )
                .returning(tickets.c.id)
            ).scalar_one()
            conn.execute(insert(events).values(ticket_id=new_id, kind="status", new="new", created_at=stamp))
            ticket = self._one(conn, tickets.c.id == new_id)
        assert ticket is not None
        return ticket, True

    @classmethod
    def _open_ticket(cls, conn: Connection, conversation_id: str) -> Ticket | None:
        return cls._one(conn, tickets.c.conversation_id == conversation_id, tickets.c.status.in_(OPEN_STATUSES))

    def reopen_recent(self, conversation_id: str, solved_since: str) -> Ticket | None:
        """Reopen the conversation's latest ticket if it was solved at or after ``solved_since``."""
        with self._lock, self._engine.begin() as conn:
            latest = self._one(conn, tickets.c.conversation_id == conversation_id)
        if latest is None or latest.status != "solved" or latest.updated_at < solved_since:
            return None
        return self.set_status(latest.id, "open")

    def set_status(self, ticket_id: int, status: str, agent_id: int | None = None) -> Ticket | None:
        return self._change(ticket_id, "status", "status", status, agent_id)

    def assign(self, ticket_id: int, assignee_id: int | None, agent_id: int | None = None) -> Ticket | None:
        """Give the ticket to ``assignee_id`` (None: to nobody); the change is kept in its history."""
        return self._change(ticket_id, "assignee_id", "assigned", assignee_id, agent_id)

    def _change(self, ticket_id: int, column: str, kind: str, value: Any, agent_id: int | None) -> Ticket | None:
        """Set one column of a ticket and record the change in its history; None for an unknown ticket."""
        with self._lock, self._engine.begin() as conn:
            before = conn.execute(select(tickets.c[column]).where(tickets.c.id == ticket_id)).first()
            if before is None:
                return None
            if before[0] != value:
                stamp = now()
                conn.execute(
                    update(tickets).where(tickets.c.id == ticket_id).values({column: value, "updated_at": stamp})
                )
                old, new = (None if v is None else str(v) for v in (before[0], value))
                conn.execute(
                    insert(events).values(
                        ticket_id=ticket_id, kind=kind, agent_id=agent_id, old=old, new=new, created_at=stamp
                    )
                )
            return self._one(conn, tickets.c.id == ticket_id)

    def add_note(self, ticket_id: int, agent_id: int, text: str) -> TicketEvent:
        """An internal note on the ticket: agents see it, the visitor never does."""
        stamp = now()
        with self._lock, self._engine.begin() as conn:
            new_id = conn.execute(
                insert(events)
                .values(ticket_id=ticket_id, kind="note", agent_id=agent_id, text=text, created_at=stamp)
                .returning(events.c.id)
            ).scalar_one()
            conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(updated_at=stamp))
        return TicketEvent(new_id, ticket_id, "note", agent_id, None, None, text, stamp)

    def history(self, ticket_id: int) -> list[TicketEvent]:
        query = select(events).where(events.c.ticket_id == ticket_id).order_by(events.c.id)
        with self._engine.connect() as conn:
            return [_event(r) for r in conn.execute(query).mappings()]

    def events_after(self, event_id: int, limit: int = 100) -> list[TicketEvent]:
        """Every ticket's history lines after ``event_id``, oldest first (what webhooks deliver)."""
        query = select(events).where(events.c.id > event_id).order_by(events.c.id).limit(limit)
        with self._engine.connect() as conn:
            return [_event(r) for r in conn.execute(query).mappings()]

    def last_event_id(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(events.c.id), 0))).scalar_one())

    def get_state(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(select(state.c.value).where(state.c.key == key)).scalar()

    def set_state(self, key: str, value: str) -> None:
        with self._lock, self._engine.begin() as conn:
            if conn.execute(select(state.c.key).where(state.c.key == key)).first() is None:
                conn.execute(insert(state).values(key=key, value=value))
            else:
                conn.execute(update(state).where(state.c.key == key).values(value=value))

    def hold_lease(self, name: str, holder: str, at: str, until: str) -> bool:
        """One conditional UPDATE renews or takes over the lease, so of two processes only one
        gets a lease that ran out; a lease nobody ever held is created, and of two processes
        creating it at once the primary key lets one through."""
        with self._lock:
            with self._engine.begin() as conn:
                free = (leases.c.holder == holder) | (leases.c.expires_at < at)
                taken = conn.execute(
                    update(leases).where(leases.c.name == name, free).values(holder=holder, expires_at=until)
                ).rowcount
                if taken == 1:
                    return True
                if conn.execute(select(leases.c.name).where(leases.c.name == name)).first() is not None:
                    return False
            try:
                with self._engine.begin() as conn:
                    conn.execute(insert(leases).values(name=name, holder=holder, expires_at=until))
            except IntegrityError:  # another process created it first
                return False
            return True

    def release_lease(self, name: str, holder: str) -> None:
        with self._lock, self._engine.begin() as conn:
            conn.execute(leases.delete().where(leases.c.name == name, leases.c.holder == holder))

    def open_ticket_for(self, conversation_id: str) -> Ticket | None:
        with self._engine.connect() as conn:
            return self._open_ticket(conn, conversation_id)

    def get_ticket(self, ticket_id: int) -> Ticket | None:
        with self._engine.connect() as conn:
            return self._one(conn, tickets.c.id == ticket_id)

    def list_tickets(
        self, status: str | None = None, limit: int = 100, assignee_id: int | None = None, unassigned: bool = False
    ) -> list[Ticket]:
        query = select(tickets)
        if status:
            query = query.where(tickets.c.status == status)
        if unassigned:
            query = query.where(tickets.c.assignee_id.is_(None))
        elif assignee_id is not None:
            query = query.where(tickets.c.assignee_id == assignee_id)
        with self._engine.connect() as conn:
            return [_ticket(r) for r in conn.execute(query.order_by(tickets.c.id.desc()).limit(limit)).mappings()]

    # -- e-mail outbox --------------------------------------------------------------

    def queue_mail(self, ticket_id: int | None, recipient: str, subject: str, body: str) -> Mail:
        stamp = now()
        with self._lock, self._engine.begin() as conn:
            new_id = conn.execute(
                insert(outbox)
                .values(
                    ticket_id=ticket_id,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    attempts=0,
                    next_attempt_at=stamp,
                    created_at=stamp,
                )
                .returning(outbox.c.id)
            ).scalar_one()
        return Mail(new_id, ticket_id, recipient, subject, body, 0)

    def due_mail(self, at: str, limit: int = 20) -> list[Mail]:
        query = (
            select(outbox)
            .where(outbox.c.sent_at.is_(None), outbox.c.next_attempt_at <= at)
            .order_by(outbox.c.id)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [
                Mail(r["id"], r["ticket_id"], r["recipient"], r["subject"], r["body"], r["attempts"])
                for r in conn.execute(query).mappings()
            ]

    def claim_mail(self, at: str, until: str, limit: int = 20) -> list[Mail]:
        """Due e-mails, each moved out of the due ones until ``until`` by this call alone.

        Each row is taken by an UPDATE that still requires it to be due, so of two
        senders (the background loop and a manual run, or two replicas) only one gets
        it. A sender that dies while sending leaves the mail to be tried again at ``until``.
        """
        claimed = []
        for mail in self.due_mail(at, limit):
            with self._lock, self._engine.begin() as conn:
                taken = conn.execute(
                    update(outbox)
                    .where(outbox.c.id == mail.id, outbox.c.sent_at.is_(None), outbox.c.next_attempt_at <= at)
                    .values(next_attempt_at=until)
                ).rowcount
            if taken == 1:
                claimed.append(mail)
        return claimed

    def mail_sent(self, mail_id: int) -> None:
        with self._lock, self._engine.begin() as conn:
            conn.execute(
                update(outbox).where(outbox.c.id == mail_id).values(sent_at=now(), attempts=outbox.c.attempts + 1)
            )

    def mail_failed(self, mail_id: int, error: str, retry_at: str) -> None:
        with self._lock, self._engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id == mail_id)
                .values(attempts=outbox.c.attempts + 1, last_error=error[:2000], next_attempt_at=retry_at)
            )

    # -- agents --------------------------------------------------------------------

    def create_agent(self, email: str, name: str, role: str, password_hash: str) -> Agent:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        email = email.strip().lower()
        with self._lock, self._engine.begin() as conn:
            taken = conn.execute(select(agents.c.id).where(agents.c.email == email)).first()
            if taken is not None:
                raise DuplicateAgent(f"an agent with the e-mail address {email} exists already")
            try:
                new_id = conn.execute(
                    insert(agents)
                    .values(
                        email=email, name=name, role=role, password_hash=password_hash, active=True, created_at=now()
                    )
                    .returning(agents.c.id)
                ).scalar_one()
            except IntegrityError as exc:  # another process took the address meanwhile
                raise DuplicateAgent(f"an agent with the e-mail address {email} exists already") from exc
            row = conn.execute(select(agents).where(agents.c.id == new_id)).mappings().one()
        return _agent(row)

    def get_agent(self, agent_id: int) -> Agent | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(agents).where(agents.c.id == agent_id)).mappings().first()
        return _agent(row) if row else None

    def agent_login(self, email: str) -> tuple[Agent, str] | None:
        """The agent with this e-mail address and their password hash, for signing in."""
        with self._engine.connect() as conn:
            row = conn.execute(select(agents).where(agents.c.email == email.strip().lower())).mappings().first()
        return (_agent(row), row["password_hash"]) if row else None

    def set_password_hash(self, agent_id: int, password_hash: str) -> None:
        with self._lock, self._engine.begin() as conn:
            conn.execute(update(agents).where(agents.c.id == agent_id).values(password_hash=password_hash))

    def list_agents(self) -> list[Agent]:
        with self._engine.connect() as conn:
            return [_agent(r) for r in conn.execute(select(agents).order_by(agents.c.id)).mappings()]

    def count_agents(self, role: str | None = None) -> int:
        query = select(func.count()).select_from(agents)
        if role:
            query = query.where(agents.c.role == role)
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def create_session(self, agent_id: int, token_hash: str, expires_at: str) -> None:
        with self._lock, self._engine.begin() as conn:
            conn.execute(
                insert(sessions).values(
                    token_hash=token_hash, agent_id=agent_id, created_at=now(), expires_at=expires_at
                )
            )

    def session_agent(self, token_hash: str, at: str) -> Agent | None:
        """The active agent whose session has this token hash and has not expired at ``at``."""
        query = (
            select(agents)
            .join(sessions, sessions.c.agent_id == agents.c.id)
            .where(sessions.c.token_hash == token_hash, sessions.c.expires_at > at, agents.c.active.is_(True))
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _agent(row) if row else None

    def delete_session(self, token_hash: str) -> None:
        with self._lock, self._engine.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash))

    # -- questions asked of the knowledge base ---------------------------------------

    def record_question(
        self,
        conversation_id: str,
        question: str,
        language: str | None,
        outcome: str,
        reason: str | None = None,
        article_id: str | None = None,
        candidates: list[dict[str, Any]] | None = None,
    ) -> AskedQuestion:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        article = article_id if outcome == "answered" else None
        asked = AskedQuestion(
            0, conversation_id, question, language, outcome, reason, article, False, candidates or [], None, now()
        )
        values = {k: v for k, v in asked.to_dict().items() if k != "id"}
        with self._lock, self._engine.begin() as conn:
            self._ensure_conversation(conn, conversation_id)
            new_id = conn.execute(insert(questions).values(**values).returning(questions.c.id)).scalar_one()
        return dataclasses.replace(asked, id=int(new_id))

    @staticmethod
    def _latest_question(conn: Connection, conversation_id: str) -> RowMapping | None:
        query = (
            select(questions)
            .where(questions.c.conversation_id == conversation_id)
            .order_by(questions.c.id.desc())
            .limit(1)
        )
        return conn.execute(query).mappings().first()

    def _update_latest(
        self, conversation_id: str, allowed: tuple[str, ...], values: dict[str, Any]
    ) -> AskedQuestion | None:
        with self._lock, self._engine.begin() as conn:
            latest = self._latest_question(conn, conversation_id)
            if latest is None or latest["outcome"] not in allowed:
                return None
            conn.execute(update(questions).where(questions.c.id == latest["id"]).values(**values))
            row = conn.execute(select(questions).where(questions.c.id == latest["id"])).mappings().one()
        return _question(row)

    def record_pick(self, conversation_id: str, article_id: str) -> AskedQuestion | None:
        values = {"outcome": "answered", "article_id": article_id, "picked": True}
        return self._update_latest(conversation_id, ("clarified",), values)

    def record_feedback(self, conversation_id: str, helpful: bool) -> AskedQuestion | None:
        return self._update_latest(conversation_id, OUTCOMES, {"helpful": helpful, "feedback_at": now()})

    def article_use(self, since: str) -> list[ArticleUse]:
        answers = func.count(questions.c.id)
        query = (
            select(
                questions.c.article_id,
                answers,
                func.sum(case((questions.c.picked, 1), else_=0)),
                func.sum(case((questions.c.helpful.is_(True), 1), else_=0)),
                func.sum(case((questions.c.helpful.is_(False), 1), else_=0)),
            )
            .where(questions.c.outcome == "answered", questions.c.created_at >= since)
            .group_by(questions.c.article_id)
            .order_by(answers.desc(), questions.c.article_id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [ArticleUse(str(a), int(n), int(p or 0), int(h or 0), int(u or 0)) for a, n, p, h, u in rows]

    def unanswered(self, since: str, limit: int = 100) -> list[AskedQuestion]:
        unsettled = (
            (questions.c.outcome == "handoff")
            | (questions.c.outcome == "clarified")  # still clarified: no option was picked
            | ((questions.c.outcome == "answered") & questions.c.helpful.is_(False))
        )
        query = (
            select(questions)
            .where(unsettled, questions.c.created_at >= since)
            .order_by(questions.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [_question(r) for r in conn.execute(query).mappings()]


class SQLiteStore(SQLStore):
    """The default: one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(f"sqlite:///{path}")
