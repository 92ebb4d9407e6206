"""Outbound webhooks: every ticket change, signed, retried, and never lost.

The events are the tickets' own history (``ticket_events``), written in the
same transaction as the change itself, so nothing is lost between a change and
its delivery. A cursor in the database records the last event the receiver
accepted (any 2xx). Until then the same event is sent again with exponential
back-off, and the events after it wait, so the receiver sees them in order.
After a restart, delivery resumes from the cursor: at-least-once, so receivers
should ignore a delivery id they have seen.

When several bot-service processes share the database (replicas), one of them
delivers: the one holding the ``webhooks`` lease. It checks the lease before every
attempt and renews it every third of ``LEASE_SECONDS``. The others try to take it
every idle round, and take over from the saved cursor when it runs out
(``LEASE_SECONDS`` after the holder stopped renewing) or is given up (a holder that
stops cleanly releases it at once). Expiry compares the processes' clocks, so they
must agree to within a few seconds (NTP).

Each delivery is a JSON POST::

    {"id": 42, "type": "ticket.created" | "ticket.updated" | "ticket.solved",
     "created_at": "...", "ticket": {...the ticket now...},
     "change": {"kind": "status" | "assigned" | "note", "old": ..., "new": ..., "text": ..., "agent_id": ...}}

with the headers ``X-Supportbot-Event``, ``X-Supportbot-Delivery`` (the id),
``X-Supportbot-Timestamp`` (Unix seconds) and ``X-Supportbot-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with SUPPORTBOT_WEBHOOK_SECRET>``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx

from bot.background import Wakeable
from bot.storage import EventLog, Leases, Ticket, TicketEvent
from bot.storage.models import stored_time

log = logging.getLogger(__name__)

CURSOR = "webhook_cursor"
TIMEOUT = 10.0
LEASE = "webhooks"
# Renewed every third of it, also while waiting to retry, so two thirds of it (longer
# than a delivery's TIMEOUT several times over) are always left when an attempt starts;
# a replica takes over at most this long after the one delivering died.
LEASE_SECONDS = 60.0


class WebhookStore(EventLog, Leases, Protocol):
    def get_ticket(self, ticket_id: int) -> Ticket | None: ...


def event_type(event: TicketEvent) -> str:
    if event.kind == "status" and event.old is None:
        return "ticket.created"
    if event.kind == "status" and event.new == "solved":
        return "ticket.solved"
    return "ticket.updated"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def delivery(event: TicketEvent, ticket: Ticket | None) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event_type(event),
        "created_at": event.created_at,
        "ticket": ticket.to_dict() if ticket else {"id": event.ticket_id},
        "change": {
            "kind": event.kind,
            "old": event.old,
            "new": event.new,
            "text": event.text,
            "agent_id": event.agent_id,
        },
    }


class WebhookSender(Wakeable):
    """Delivers the event log to one URL, in order, until it is stopped."""

    def __init__(
        self,
        store: WebhookStore,
        url: str,
        secret: str,
        first_retry: float = 1.0,
        max_retry: float = 300.0,
        idle: float = 1.0,
    ) -> None:
        super().__init__()
        self.store = store
        self.url, self.secret = url, secret
        self.first_retry, self.max_retry, self.idle = first_retry, max_retry, idle
        self.failures = 0  # in a row, for the current event
        self._cursor = self.cursor()  # a new webhook starts from now, not from the whole past
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False
        self._renew_at = 0.0  # monotonic time from which the lease is renewed again

    def cursor(self) -> int:
        """The last event the receiver accepted, as saved in the database."""
        saved = self.store.get_state(CURSOR)
        if saved is None:  # first run with this database: start from now, not from the whole past
            current = self.store.last_event_id()
            self.store.set_state(CURSOR, str(current))
            return current
        return int(saved)

    async def send(self, client: httpx.AsyncClient, event: TicketEvent) -> bool:
        body = json.dumps(delivery(event, self.store.get_ticket(event.ticket_id)), ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Supportbot-Event": event_type(event),
            "X-Supportbot-Delivery": str(event.id),
            "X-Supportbot-Timestamp": stamp,
            "X-Supportbot-Signature": signature(self.secret, stamp, body),
        }
        try:
            response = await client.post(self.url, content=body, headers=headers, timeout=TIMEOUT)
        except httpx.HTTPError as exc:
            log.warning("webhook receiver unreachable", extra={"event": event.id, "error": type(exc).__name__})
            return False
        if 200 <= response.status_code < 300:
            return True
        log.warning("webhook refused", extra={"event": event.id, "status": response.status_code})
        return False

    def lead(self) -> bool:
        """Take or renew the lease; a process that has just taken over goes on from the saved cursor.

        A holder renews once a third of the lease has passed: until the lease runs out no
        other process can take it, so the database is not written on every attempt.
        """
        if self.leading and time.monotonic() < self._renew_at:
            return True
        at = datetime.now(UTC)
        until = at + timedelta(seconds=LEASE_SECONDS)
        leading = self.store.hold_lease(LEASE, self.holder, stored_time(at), stored_time(until))
        if leading and not self.leading:
            self._cursor = self.cursor()
            log.info("delivering webhooks", extra={"holder": self.holder, "cursor": self._cursor})
        self.leading = leading
        self._renew_at = time.monotonic() + LEASE_SECONDS / 3
        return leading

    async def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds``, keeping the lease; False if it was lost meanwhile."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(left, LEASE_SECONDS / 3))
            if not self.lead():
                return False
        return True

    async def _deliver(self, client: httpx.AsyncClient, event: TicketEvent) -> bool:
        """Send ``event`` until the receiver takes it (True), or until another process leads (False)."""
        while self.lead():
            if await self.send(client, event):
                self.failures = 0
                self.store.set_state(CURSOR, str(event.id))
                self._cursor = event.id
                return True
            self.failures += 1
            if not await self._wait(min(self.max_retry, self.first_retry * 2 ** (self.failures - 1))):
                break
        self.failures = 0
        return False

    async def run(self) -> None:
        try:
            async with httpx.AsyncClient() as client:
                while True:
                    pending = self.store.events_after(self._cursor, limit=100) if self.lead() else []
                    for event in pending:
                        if not await self._deliver(client, event):
                            break
                    if not pending:
                        await self.rest()
        finally:
            if self.leading:
                self.store.release_lease(LEASE, self.holder)
                self.leading = False
