"""E-mail to visitors who have left: an agent's reply goes to the address they gave.

An agent's reply is always written to the transcript, so a visitor who comes
back sees it in the chat. When nobody has the chat open and the ticket has an
e-mail address, the reply is also queued in the outbox (in the database) and
sent through the configured SMTP server; a failed attempt is tried again
later with back-off, so nothing is lost while the server is down.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from bot.background import Wakeable
from bot.storage import Agent, Mail, MailOutbox, Ticket
from bot.storage.models import stored_time

log = logging.getLogger(__name__)

SECURITY = ("none", "starttls", "tls")
# How long a claimed e-mail stays with the sender that claimed it: many times the SMTP timeout (30 s).
CLAIM_SECONDS = 300.0
_TEXT = {
    "tr": {
        "subject": "Destek talebiniz #{ticket}: yeni yanıt",
        "hello": "Merhaba{name},",
        "footer": "Yanıtınızı sitemizdeki sohbet penceresinden yazabilirsiniz.",
        "team": "Destek ekibi",
    },
    "en": {
        "subject": "Your support request #{ticket}: a new reply",
        "hello": "Hello{name},",
        "footer": "You can answer in the chat window on our website.",
        "team": "Support team",
    },
}


def compose(ticket: Ticket, agent: Agent, text: str) -> tuple[str, str]:
    """Subject and body of the e-mail carrying an agent's reply, in the ticket's language."""
    words = _TEXT.get(ticket.language or "tr", _TEXT["tr"])
    name = f" {ticket.visitor_name}" if ticket.visitor_name else ""
    body = "\n\n".join(
        [words["hello"].format(name=name), text, f"{agent.name}\n{words['team']}", f"#{ticket.id} · {words['footer']}"]
    )
    return words["subject"].format(ticket=ticket.id), body + "\n"


class Mailer(Wakeable):
    """Sends the outbox through one SMTP server, in the background."""

    def __init__(
        self,
        outbox: MailOutbox,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        security: str = "none",
        first_retry: float = 30.0,
        max_retry: float = 3600.0,
        idle: float = 5.0,
    ) -> None:
        super().__init__()
        if security not in SECURITY:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY)}, got {security!r}")
        self.outbox = outbox
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.security = username, password, security
        self.first_retry, self.max_retry, self.idle = first_retry, max_retry, idle

    def _send_now(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, mail.recipient, mail.subject
        message.set_content(mail.body)
        smtp_class = smtplib.SMTP_SSL if self.security == "tls" else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=30) as smtp:
            if self.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    async def send_due(self) -> int:
        """Try every e-mail that was due when the call began; returns how many the server took.

        Each is claimed just before it is sent (see ``MailOutbox.claim_mail``), so two
        senders never send one e-mail twice, however slow the server.
        """
        sent = 0
        due_at = stored_time(datetime.now(UTC))  # a mail that fails now is not retried in this pass
        while True:
            lease = stored_time(datetime.now(UTC) + timedelta(seconds=CLAIM_SECONDS))
            claimed = self.outbox.claim_mail(due_at, lease, limit=1)
            if not claimed:
                return sent
            if await self._deliver(claimed[0]):
                sent += 1

    async def _deliver(self, mail: Mail) -> bool:
        """Send one claimed e-mail and record the outcome; True when the server took it.

        When the service stops meanwhile, the send (bounded by the SMTP timeout) is let
        finish and recorded before the cancellation goes on, so a mail that went out is
        not sent again and one that failed is retried after its back-off, not after the
        claim runs out.
        """
        sending = asyncio.ensure_future(asyncio.to_thread(self._send_now, mail))
        try:
            await asyncio.shield(sending)
        except asyncio.CancelledError:
            await asyncio.wait([sending])
            self._record(mail, sending.exception())
            raise
        except Exception:
            pass
        return self._record(mail, sending.exception())

    def _record(self, mail: Mail, error: BaseException | None) -> bool:
        """Mark ``mail`` sent, or failed with a retry after its back-off (any error: one bad
        e-mail must not stop the loop that sends the others)."""
        if error is None:
            self.outbox.mail_sent(mail.id)
            return True
        delay = min(self.max_retry, self.first_retry * 2**mail.attempts)
        retry_at = stored_time(datetime.now(UTC) + timedelta(seconds=delay))
        self.outbox.mail_failed(mail.id, f"{type(error).__name__}: {error}", retry_at)
        expected = isinstance(error, OSError | smtplib.SMTPException)  # the server is down or refuses
        log.log(
            logging.WARNING if expected else logging.ERROR,
            "e-mail not sent, will retry",
            extra={"mail": mail.id, "error": type(error).__name__},
        )
        return False

    async def run(self) -> None:
        while True:
            await self.send_due()
            await self.rest()
