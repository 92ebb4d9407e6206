"""Service-level targets of a ticket: a first response and a resolution within business hours.

Each priority has its own targets (``SUPPORTBOT_REPLY_HOURS``,
``SUPPORTBOT_RESOLVE_HOURS``), counted in the support team's business hours
and skipping holidays (:mod:`bot.business_hours`). A target is ``met`` when it
was done in time, ``breached`` when it was done late or is overdue, and
``running`` otherwise. The first response is the first agent line in the
conversation after the ticket opened; the resolution is the last time the
ticket was solved or closed.

While a ticket is ``pending`` (the team waits for the visitor), the resolution
clock stops: the business time spent pending moves its due time on. The first
response clock does not stop, because a ticket waits for its visitor only after
someone answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.business_hours import BusinessCalendar, parse_reply_hours
from bot.storage import Message, Ticket, TicketEvent

DONE = ("solved", "closed")


def parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _target(due: datetime, done: datetime | None, now: datetime) -> dict[str, Any]:
    late = (done or now) > due
    state = "breached" if late else ("met" if done else "running")
    return {
        "due": due.astimezone(UTC).isoformat(timespec="seconds"),
        "done_at": done.astimezone(UTC).isoformat(timespec="seconds") if done else None,
        "state": state,
        "seconds_left": None if done else int((due - now).total_seconds()),
    }


@dataclass(frozen=True)
class SlaPolicy:
    calendar: BusinessCalendar
    first_response_hours: dict[str, float]
    resolution_hours: dict[str, float]

    @classmethod
    def from_settings(cls, calendar: BusinessCalendar, resolve_hours: str) -> SlaPolicy:
        return cls(calendar, calendar.reply_hours, parse_reply_hours(resolve_hours))

    def of(
        self, ticket: Ticket, messages: list[Message], history: list[TicketEvent], now: datetime | None = None
    ) -> dict[str, Any]:
        """Both targets of ``ticket``, from its transcript and history."""
        now = now or datetime.now(UTC)
        opened = parse_time(ticket.created_at)
        responded = next(
            (parse_time(m.created_at) for m in messages if m.sender == "agent" and parse_time(m.created_at) >= opened),
            None,
        )
        resolved = None
        if ticket.status in DONE:
            stamps = [e.created_at for e in history if e.kind == "status" and e.new in DONE]
            resolved = parse_time(stamps[-1]) if stamps else parse_time(ticket.updated_at)
        hours = self.first_response_hours.get(ticket.priority, self.first_response_hours["normal"])
        first = _target(self.calendar.add_business_time(opened, hours), responded, now)
        hours = self.resolution_hours.get(ticket.priority, self.resolution_hours["normal"])
        paused = self._pending_time(ticket, history, resolved or now)
        due = self.calendar.add_business_time(opened, hours + paused.total_seconds() / 3600)
        resolution = _target(due, resolved, now)
        resolution["paused"] = ticket.status == "pending"
        resolution["paused_seconds"] = int(paused.total_seconds())
        return {"first_response": first, "resolution": resolution}

    def _pending_time(self, ticket: Ticket, history: list[TicketEvent], until: datetime) -> timedelta:
        """Business time the ticket spent ``pending`` since it opened, up to ``until``."""
        opened = parse_time(ticket.created_at)
        paused = timedelta()
        since: datetime | None = None
        changes = sorted((e for e in history if e.kind == "status"), key=lambda e: e.created_at)
        for event in changes:
            at = max(parse_time(event.created_at), opened)
            if event.new == "pending" and since is None:
                since = at
            elif event.new != "pending" and since is not None:
                paused += self.calendar.business_time_between(since, min(at, until))
                since = None
        if since is not None and ticket.status == "pending":
            paused += self.calendar.business_time_between(since, until)
        return paused


def next_due(sla: dict[str, Any]) -> str:
    """The due time that matters now: the first response until it is done, then the resolution."""
    for name in ("first_response", "resolution"):
        if sla[name]["done_at"] is None:
            return str(sla[name]["due"])
    return "9999"  # done: last in the queue of its priority
