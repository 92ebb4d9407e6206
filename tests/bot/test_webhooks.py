"""Webhooks against a real local receiver that is down for a while, then refuses once, then accepts."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.storage import SQLiteStore
from bot.storage.models import stored_time
from bot.webhooks import CURSOR, LEASE, WebhookSender, signature

pytestmark = pytest.mark.unit
SECRET = "webhook-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """A real HTTP server on loopback that records deliveries; it refuses the first ``refuse`` of them."""

    def __init__(self, port: int, refuse: int = 0) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.refuse = refuse
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.refuse:
                    outer.refuse -= 1
                    self.send_response(503)
                else:
                    outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "bot.sqlite3")
    yield s
    s.close()


async def wait_for(check: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def test_changes_wait_for_a_receiver_that_is_down_and_arrive_signed_and_in_order(store: SQLiteStore) -> None:
    port = free_port()
    sender = WebhookSender(store, f"http://127.0.0.1:{port}/hook", SECRET, first_retry=0.05, max_retry=0.2, idle=0.05)
    task = asyncio.create_task(sender.run())
    try:
        ticket, _ = store.create_ticket("conv-00001", "visitor_request", language="tr")
        store.set_status(ticket.id, "solved")
        agent = store.create_agent("a@example.com", "Ayşe", "agent", "hash")
        store.add_note(ticket.id, agent.id, "called back")
        await wait_for(lambda: sender.failures >= 3)  # nobody listens yet: retried, nothing lost
        receiver = Receiver(port, refuse=1)  # up now, but the first delivery gets a 503
        try:
            await wait_for(lambda: len(receiver.received) == 3)
            # the receiver records a delivery before the sender has read the answer and saved its cursor
            await wait_for(lambda: store.get_state(CURSOR) == str(store.last_event_id()))
        finally:
            receiver.stop()
    finally:
        task.cancel()
    bodies = [json.loads(body) for _, body in receiver.received]
    assert [b["type"] for b in bodies] == ["ticket.created", "ticket.solved", "ticket.updated"]
    assert [b["id"] for b in bodies] == sorted(b["id"] for b in bodies)
    assert bodies[2]["change"] == {
        "kind": "note",
        "old": None,
        "new": None,
        "text": "called back",
        "agent_id": agent.id,
    }
    assert bodies[0]["ticket"]["id"] == ticket.id and bodies[0]["ticket"]["status"] == "solved"  # the ticket now
    for headers, body in receiver.received:
        assert headers["x-supportbot-signature"] == signature(SECRET, headers["x-supportbot-timestamp"], body)
        assert headers["x-supportbot-delivery"] == str(json.loads(body)["id"])
    assert store.get_state(CURSOR) == str(bodies[-1]["id"])


async def test_a_restarted_sender_goes_on_from_where_the_receiver_stopped_accepting(store: SQLiteStore) -> None:
    port = free_port()
    receiver = Receiver(port)
    try:
        first = WebhookSender(store, f"http://127.0.0.1:{port}/hook", SECRET, first_retry=0.05, idle=0.05)
        task = asyncio.create_task(first.run())
        ticket, _ = store.create_ticket("conv-00001", "visitor_request")
        await wait_for(lambda: len(receiver.received) == 1)
        await wait_for(lambda: store.get_state(CURSOR) == "1")  # recorded; cancelling any sooner may resend it
        task.cancel()
        store.set_status(ticket.id, "open")  # while no sender runs (the service is down)
        second = WebhookSender(store, f"http://127.0.0.1:{port}/hook", SECRET, first_retry=0.05, idle=0.05)
        task = asyncio.create_task(second.run())
        await wait_for(lambda: len(receiver.received) == 2)
        await asyncio.sleep(0.2)
        task.cancel()
    finally:
        receiver.stop()
    types = [json.loads(body)["type"] for _, body in receiver.received]
    assert types == ["ticket.created", "ticket.updated"]  # the second one once, the first not again


def test_a_new_webhook_starts_from_now_not_from_the_whole_past(store: SQLiteStore) -> None:
    store.create_ticket("conv-00001", "visitor_request")
    sender = WebhookSender(store, "http://127.0.0.1:9/hook", SECRET)
    assert sender.cursor() == store.last_event_id() == 1
    store.create_ticket("conv-00002", "visitor_request")
    assert WebhookSender(store, "http://127.0.0.1:9/hook", SECRET).cursor() == 1  # kept: event 2 is still to send


def test_the_signature_is_an_hmac_of_timestamp_and_body() -> None:
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert signature("k", "1700000000", b"{}") == f"sha256={expected}"


async def test_two_replicas_deliver_each_change_once_and_the_second_takes_over_when_the_first_stops(
    tmp_path: Path,
) -> None:
    # Two processes' stores on one database file, as two bot-service replicas would have.
    first_store, second_store = SQLiteStore(tmp_path / "bot.sqlite3"), SQLiteStore(tmp_path / "bot.sqlite3")
    port = free_port()
    receiver = Receiver(port)
    url = f"http://127.0.0.1:{port}/hook"
    first = WebhookSender(first_store, url, SECRET, first_retry=0.05, idle=0.02)
    second = WebhookSender(second_store, url, SECRET, first_retry=0.05, idle=0.02)
    tasks = [asyncio.create_task(first.run()), asyncio.create_task(second.run())]
    try:
        ticket, _ = first_store.create_ticket("conv-00001", "visitor_request")
        for status in ("pending", "open", "pending", "open"):
            second_store.set_status(ticket.id, status)
        await wait_for(lambda: len(receiver.received) == 5)
        await asyncio.sleep(0.3)  # both have had many rounds to send anything twice
        assert [json.loads(body)["id"] for _, body in receiver.received] == [1, 2, 3, 4, 5]
        assert first.leading != second.leading
        leader, follower = (0, 1) if first.leading else (1, 0)
        tasks[leader].cancel()  # a clean stop gives the lease up
        await wait_for(lambda: tasks[leader].done())
        second_store.set_status(ticket.id, "solved")
        await wait_for(lambda: len(receiver.received) == 6)
        await asyncio.sleep(0.2)
        assert [first, second][follower].leading
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        receiver.stop()
        first_store.close()
        second_store.close()
    assert [json.loads(body)["id"] for _, body in receiver.received] == [1, 2, 3, 4, 5, 6]
    assert json.loads(receiver.received[-1][1])["type"] == "ticket.solved"


async def test_a_replica_waits_out_the_lease_of_one_that_died_then_goes_on_from_its_cursor(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.webhooks.LEASE_SECONDS", 0.6)
    port = free_port()
    receiver = Receiver(port)
    sender = WebhookSender(store, f"http://127.0.0.1:{port}/hook", SECRET, first_retry=0.05, idle=0.02)
    ticket, _ = store.create_ticket("conv-00001", "visitor_request")
    store.set_state(CURSOR, "1")  # the dead replica had delivered the first change
    store.set_status(ticket.id, "solved")
    # It died holding the lease: nothing released it, it just stops being renewed.
    start = time.monotonic()
    assert store.hold_lease(
        LEASE, "dead-replica", stored_time(datetime.now(UTC)), stored_time(datetime.now(UTC) + timedelta(seconds=0.6))
    )
    task = asyncio.create_task(sender.run())
    try:
        await asyncio.sleep(0.3)
        assert receiver.received == [] and not sender.leading  # the lease is still the dead one's
        await wait_for(lambda: len(receiver.received) == 1)
        waited = time.monotonic() - start
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        receiver.stop()
    assert waited >= 0.6
    assert [json.loads(body)["type"] for _, body in receiver.received] == ["ticket.solved"]  # not the first again
