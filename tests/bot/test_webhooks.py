"""Webhooks against a real local receiver that is down for a while, then refuses once, then accepts."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.storage import SQLiteStore
from bot.webhooks import CURSOR, WebhookSender, signature

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
