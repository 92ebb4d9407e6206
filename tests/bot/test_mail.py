"""Replies to visitors who have left go by e-mail, through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import socket
import uuid
from email import message_from_bytes, policy
from email.message import Message as EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sanic import Sanic

from bot.app import create_app
from bot.hub import ConversationHub
from bot.mailer import Mailer
from bot.settings import load_settings
from bot.storage import Mail, SQLiteStore
from knowledge_base.kb import KnowledgeBase
from tests.bot.conftest import FakeAssistant, open_chat

pytestmark = pytest.mark.unit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Inbox:
        self.controller.start()
        return self.inbox

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def mail_app(tmp_path: Path, kb: KnowledgeBase, store: SQLiteStore, assistant: FakeAssistant, port: int) -> Sanic:
    settings = load_settings(
        {}, data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_from="destek@kuzey.example"
    )
    app = create_app(settings, kb, store, assistant, name=f"test_{uuid.uuid4().hex[:10]}")
    mailer: Mailer = app.ctx.mailer
    # The app's own loop may try a reply before a test starts its SMTP server: that failure is
    # retried after this, long enough for a test's first check and short for its polling.
    mailer.first_retry = 0.5
    return app


async def deliver(*mailers: Mailer) -> list[int]:
    """Each mailer's ``send_due`` at once, again and again until one of them has sent something."""
    for _ in range(100):
        sent = list(await asyncio.gather(*(m.send_due() for m in mailers)))
        if sum(sent):
            return sent
        await asyncio.sleep(0.05)
    return sent


async def test_a_reply_to_a_visitor_who_left_is_mailed_in_their_language(
    mail_app: Sanic, store: SQLiteStore, agent_headers: dict[str, str], port: int
) -> None:
    ticket, _ = store.create_ticket(
        "conv-00001", "visitor_request", language="tr", visitor_name="Elif", visitor_email="elif@ornek.com"
    )
    _, response = await mail_app.asgi_client.post(
        f"/api/tickets/{ticket.id}/messages", json={"text": "Kargonuz yarın teslim edilecek."}, headers=agent_headers
    )
    assert response.status == 201 and response.json["message"]["payload"]["delivery"] == "email"
    with SmtpServer(port) as inbox:
        assert await deliver(mail_app.ctx.mailer) == [1]
    [(to, mail)] = inbox.mails
    assert to == ["elif@ornek.com"] and mail["From"] == "destek@kuzey.example"
    assert mail["Subject"] == f"Destek talebiniz #{ticket.id}: yeni yanıt"
    body = mail.get_content()  # type: ignore[attr-defined]
    assert body.startswith("Merhaba Elif,") and "Kargonuz yarın teslim edilecek." in body and "Ayşe" in body
    assert [m.sender for m in store.transcript("conv-00001")] == ["agent"]  # also in the transcript for a return


async def test_two_senders_at_once_send_a_mail_once(
    mail_app: Sanic, store: SQLiteStore, agent_headers: dict[str, str], port: int
) -> None:
    """The background loop and another sender (or a second replica) find the same mail due."""
    ticket, _ = store.create_ticket("conv-00001", "visitor_request", language="en", visitor_email="kim@example.com")
    reply = {"text": "On it."}
    await mail_app.asgi_client.post(f"/api/tickets/{ticket.id}/messages", json=reply, headers=agent_headers)
    first = mail_app.ctx.mailer
    second = Mailer(store, "127.0.0.1", port, "destek@kuzey.example")
    with SmtpServer(port) as inbox:
        assert sorted(await deliver(first, second)) == [0, 1]
        assert await first.send_due() + await second.send_due() == 0
    assert len(inbox.mails) == 1


class SlowInbox(Inbox):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.5)
        return await super().handle_DATA(server, session, envelope)


async def test_a_service_stopping_mid_send_records_the_mail_as_sent(store: SQLiteStore, port: int) -> None:
    store.queue_mail(None, "kim@example.com", "Subject", "Body")
    mailer = Mailer(store, "127.0.0.1", port, "destek@kuzey.example")
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sending = asyncio.ensure_future(mailer.send_due())
        await asyncio.sleep(0.2)  # the server is taking the mail
        sending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sending
    finally:
        controller.stop()
    assert len(inbox.mails) == 1
    assert store.due_mail("9999") == []  # recorded as sent: never sent again


async def test_a_refused_connection_is_recorded_not_raised(store: SQLiteStore, port: int) -> None:
    """The mailer alone, no app loop beside it: nobody listens on the port."""
    store.queue_mail(None, "kim@example.com", "Subject", "Body")
    assert await Mailer(store, "127.0.0.1", port, "destek@kuzey.example").send_due() == 0
    [waiting] = store.due_mail("9999")
    assert waiting.attempts == 1


class PickyMailer(Mailer):
    def _send_now(self, mail: Mail) -> None:
        if mail.recipient.startswith("bad"):
            raise ValueError("a header the e-mail library refuses")
        super()._send_now(mail)


async def test_an_unexpected_error_with_one_mail_does_not_stop_the_others(store: SQLiteStore, port: int) -> None:
    store.queue_mail(None, "bad@example.com", "Subject", "Body")
    store.queue_mail(None, "kim@example.com", "Subject", "Body")
    with SmtpServer(port) as inbox:
        assert await PickyMailer(store, "127.0.0.1", port, "destek@kuzey.example").send_due() == 1
    assert [to for to, _ in inbox.mails] == [["kim@example.com"]]
    [waiting] = store.due_mail("9999")
    assert (waiting.recipient, waiting.attempts) == ("bad@example.com", 1)


async def test_a_mail_waits_while_the_smtp_server_is_down(
    mail_app: Sanic, store: SQLiteStore, agent_headers: dict[str, str], port: int
) -> None:
    ticket, _ = store.create_ticket("conv-00001", "visitor_request", language="en", visitor_email="kim@example.com")
    await mail_app.asgi_client.post(
        f"/api/tickets/{ticket.id}/messages", json={"text": "On it."}, headers=agent_headers
    )
    mailer: Mailer = mail_app.ctx.mailer
    assert await mailer.send_due() == 0  # nobody listens on the port
    [waiting] = store.due_mail("9999")
    assert waiting.attempts == 1  # kept, to be tried again after the back-off
    with SmtpServer(port) as inbox:
        assert await deliver(mailer) == [1]  # the retry is due 0.5 s after the failure
    assert inbox.mails[0][1]["Subject"] == f"Your support request #{ticket.id}: a new reply"
    assert await mailer.send_due() == 0  # sent once


async def test_a_visitor_with_the_chat_open_gets_the_reply_there_and_no_mail(
    mail_app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    hub: ConversationHub = mail_app.ctx.hub
    seen = open_chat(hub, "conv-00001")
    ticket, _ = store.create_ticket("conv-00001", "visitor_request", visitor_email="kim@example.com")
    _, response = await mail_app.asgi_client.post(
        f"/api/tickets/{ticket.id}/messages", json={"text": "Hi!"}, headers=agent_headers
    )
    assert response.json["message"]["payload"]["delivery"] == "chat" and len(seen) == 1
    assert store.due_mail("9999") == []


async def test_without_an_address_the_reply_waits_in_the_transcript(
    mail_app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    ticket, _ = store.create_ticket("conv-00001", "visitor_request")
    _, response = await mail_app.asgi_client.post(
        f"/api/tickets/{ticket.id}/messages", json={"text": "Hi!"}, headers=agent_headers
    )
    assert response.json["message"]["payload"]["delivery"] == "transcript"
    assert store.due_mail("9999") == []
