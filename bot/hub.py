"""The conversation hub: every visitor message passes through here.

It writes the message to the transcript *before* anything else can fail,
forwards it to Rasa, writes the replies to the transcript and delivers them
to every socket watching the conversation. Work runs in tasks of its own, so
a visitor closing the page mid-answer loses nothing: the replies wait in the
transcript for the next visit. When Rasa or the action server fails, the hub
hands the conversation to a human itself.

Four kinds of message never reach the assistant as typed: one in neither
Turkish nor English goes to Rasa as the ``other_language`` intent; a place in
the list of articles the bot just offered ("ikincisi", "2") goes as that
button's payload (:mod:`bot.choices`); the same message sent again before the
visitor could have read the reply to it is recorded and answered once; and
while the conversation has an open ticket, messages go to the agent and the
bot stays silent until the ticket is solved.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any, TypeVar

from bot.choices import typed_choice
from bot.phrases import phrase
from bot.rasa_client import Assistant, RasaUnavailable
from bot.storage import ConversationStore, Message, Ticket, TicketStore
from knowledge_base.language import detect_language, foreign_language, language_by_words
from knowledge_base.text import fold

log = logging.getLogger(__name__)
T = TypeVar("T")

Listener = Callable[[Message], Awaitable[None]]
# An agent console: gets every transcript line and every ticket change, as JSON-ready events.
Watcher = Callable[[dict[str, Any]], Awaitable[None]]
OTHER_LANGUAGE = "/other_language"  # the intent Rasa gets for a message in another language
# Bot questions (the ``expects`` of their payload, set in domain.yml) whose answers keep the
# conversation's language: a name is no evidence of one.
KEEP_LANGUAGE_AFTER = frozenset({"visitor_name"})


class ConversationHub:
    def __init__(
        self,
        conversations: ConversationStore,
        tickets: TicketStore,
        assistant: Assistant,
        default_language: str = "tr",
        max_message_chars: int = 2000,
        repeat_window: float = 3.0,
        detect: Callable[[str], str | None] = detect_language,
    ) -> None:
        self.conversations = conversations
        self.tickets = tickets
        self.assistant = assistant
        self.default_language = default_language
        # the language of a message, or None: the knowledge base's articles help the word lists
        self.detect = detect
        self.max_message_chars = max_message_chars
        self.repeat_window = repeat_window
        self._listeners: dict[str, set[Listener]] = defaultdict(set)
        self._watchers: set[Watcher] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._pending: dict[str, int] = defaultdict(int)
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- watchers ------------------------------------------------------------------

    def subscribe(self, conversation_id: str, listener: Listener) -> None:
        self._listeners[conversation_id].add(listener)

    def unsubscribe(self, conversation_id: str, listener: Listener) -> None:
        listeners = self._listeners.get(conversation_id)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self._listeners[conversation_id]

    def is_online(self, conversation_id: str) -> bool:
        """Whether the visitor has the chat open (some socket is watching the conversation)."""
        return bool(self._listeners.get(conversation_id))

    def watch(self, watcher: Watcher) -> None:
        """Follow every conversation and ticket (the agent console's live view)."""
        self._watchers.add(watcher)

    def unwatch(self, watcher: Watcher) -> None:
        self._watchers.discard(watcher)

    async def _publish(self, message: Message) -> None:
        for listener in list(self._listeners.get(message.conversation_id, ())):
            try:
                await listener(message)
            except Exception:  # a closed socket must not stop the others
                log.info("dropping a listener that failed", extra={"conversation": message.conversation_id})
                self.unsubscribe(message.conversation_id, listener)
        await self._tell_watchers({"type": "message", "message": message.to_dict()})

    async def ticket_changed(self, ticket: Ticket) -> None:
        """Tell the agent consoles that a ticket was created or changed."""
        await self._tell_watchers({"type": "ticket", "ticket": ticket.to_dict()})

    async def _tell_watchers(self, event: dict[str, Any]) -> None:
        for watcher in list(self._watchers):
            try:
                await watcher(event)
            except Exception:
                log.info("dropping an agent console that failed")
                self.unwatch(watcher)

    async def record(
        self, conversation_id: str, sender: str, text: str, payload: dict[str, Any] | None = None
    ) -> Message:
        message = self.conversations.append(conversation_id, sender, text, payload)
        await self._publish(message)
        return message

    # -- visitor messages ----------------------------------------------------------

    def submit(
        self, conversation_id: str, text: str, command: str | None = None, client_id: str | None = None
    ) -> asyncio.Task[list[Message]]:
        """Handle a visitor message in a task that outlives the socket that sent it."""
        return self.outlive(self.handle(conversation_id, text, command, client_id, time.time()))

    def outlive(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run ``work`` in a task that outlives the socket that started it; :meth:`drain` waits for it."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> None:
        """Wait for messages still being handled or recovered (used at shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def language_of(self, conversation_id: str, text: str, last_bot: Message | None) -> str:
        """The message's language; ``last_bot`` is the bot's last message, which may have asked for a name."""
        known = self.conversations.language(conversation_id)
        if known and _answers_a_name_question(last_bot):
            # "Kim Lee" is a name, not Turkish for "who": only the word lists' words count here
            detected = language_by_words(text)
        else:
            # off the event loop: the knowledge base may be busy (a calibration holds its lock in batches)
            detected = await asyncio.to_thread(self.detect, text)
        if detected:
            self.conversations.set_language(conversation_id, detected)
            return detected
        return known or self.default_language

    async def handle(
        self,
        conversation_id: str,
        text: str,
        command: str | None = None,
        client_id: str | None = None,
        received_at: float | None = None,
    ) -> list[Message]:
        """Record the visitor's message, get the assistant's replies, record and deliver them.

        ``command`` is what a quick-reply button sends to Rasa instead of ``text``
        (the button's label, which is what the transcript shows). ``client_id`` is
        the widget's id for the message: a client that did not see its message
        acknowledged sends it again, and a repeat of a recorded id is ignored.
        """
        self._pending[conversation_id] += 1
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        try:
            async with lock:  # one message at a time per conversation, in arrival order
                if client_id and self.conversations.has_visitor_message(conversation_id, client_id):
                    return []
                return await self._handle(conversation_id, text, command, client_id, received_at or time.time())
        finally:
            self._pending[conversation_id] -= 1
            if not self._pending[conversation_id]:
                del self._pending[conversation_id], self._locks[conversation_id]

    async def _handle(
        self, conversation_id: str, text: str, command: str | None, client_id: str | None, received_at: float
    ) -> list[Message]:
        # read once: the language, a typed choice and a repeat all look at the bot's last message
        last_bot = self.conversations.last_message(conversation_id, "bot")
        foreign = None if command else foreign_language(text)
        if foreign:  # replies go in English, and so do later messages with no language of their own
            self.conversations.set_language(conversation_id, "en")
            payload: dict[str, Any] = {"language": "en", "detected_language": foreign}
        else:
            payload = {"language": await self.language_of(conversation_id, text, last_bot)}
        language = payload["language"]
        # a place typed in the list just offered goes to Rasa as that button's payload, but stays a
        # typed message: typed twice in a row, it is a repeat like any other
        choice = None if command or foreign else _typed_choice(text, last_bot)
        if command:
            payload["command"] = command
        if choice:
            payload["choice"] = choice
        if client_id:
            payload["client_id"] = client_id
        ticket = self.tickets.open_ticket_for(conversation_id)
        if ticket is not None:  # a human has the conversation: the agent reads it, the bot is silent
            await self.record(conversation_id, "visitor", text, {**payload, "ticket": ticket.id})
            return []
        repeats = self._repeats(conversation_id, text, received_at, last_bot) if not command else 0
        if repeats:
            payload["repeat"] = repeats
        await self.record(conversation_id, "visitor", text, payload)
        if repeats:
            if repeats > 1:  # said once already; more of the same gets nothing more
                return []
            return [await self.record(conversation_id, "bot", phrase("repeat", language), {"type": "repeat"})]
        if len(text) > self.max_message_chars:
            reply = phrase("too_long", language, length=len(text), limit=self.max_message_chars)
            return [await self.record(conversation_id, "bot", reply, {"type": "too_long"})]
        try:
            replies = await self.assistant.send(
                conversation_id, OTHER_LANGUAGE if foreign else command or choice or text, {"language": language}
            )
            if not replies:
                raise RasaUnavailable("the assistant returned no reply (is the action server down?)")
        except RasaUnavailable as exc:
            log.warning("assistant failed, handing off", extra={"conversation": conversation_id, "error": str(exc)})
            return [await self._hand_off(conversation_id, language)]
        return [await self.record(conversation_id, "bot", r.text, r.payload()) for r in replies]

    def _repeats(self, conversation_id: str, text: str, received_at: float, reply: Message | None) -> int:
        """How many copies in a row of the previous message this is (0: a new message).

        A copy counts when it arrived before the visitor could have read the bot's
        reply to the previous one: within ``repeat_window`` seconds of that reply.
        The same "evet" typed later, to a new question, is a new message. ``reply`` is
        the bot's last message.
        """
        last = self.conversations.last_message(conversation_id, "visitor")
        if last is None or last.payload.get("command") or fold(last.text) != fold(text):
            return 0
        if reply is not None and reply.id > last.id:
            replied = datetime.fromisoformat(reply.created_at.replace("Z", "+00:00")).timestamp()
            if received_at > replied + self.repeat_window:
                return 0
        return int(last.payload.get("repeat", 0)) + 1

    async def bot_is_back(self, ticket: Ticket) -> Message:
        """The agent solved or closed the ticket: the bot answers again, and says so."""
        language = ticket.language or self.conversations.language(ticket.conversation_id) or self.default_language
        text = phrase("bot_back", language, ticket=ticket.id)
        return await self.record(ticket.conversation_id, "bot", text, {"type": "bot_back", "ticket": {"id": ticket.id}})

    async def _hand_off(self, conversation_id: str, language: str) -> Message:
        try:
            ticket, _ = self.tickets.create_ticket(
                conversation_id,
                reason="assistant_unavailable",
                language=language,
                candidates=[],
                idempotency_key=None,
            )
        except Exception:
            log.exception("could not create a ticket", extra={"conversation": conversation_id})
            return await self.record(conversation_id, "system", phrase("unavailable", language), {"type": "error"})
        await self.ticket_changed(ticket)
        text = phrase("handed_off_unavailable", language, ticket=ticket.id)
        return await self.record(conversation_id, "bot", text, {"type": "handoff", "ticket": {"id": ticket.id}})


def _answers_a_name_question(last_bot: Message | None) -> bool:
    """Whether the bot's last message asked for the visitor's name (``expects`` in its payload).

    A name says nothing of the language the visitor writes in: an English visitor
    called Kim Lee or Ayşe Yılmaz was answered in Turkish from there on. Words
    of the detector's lists still count ("vazgeç", "my name is").
    """
    return last_bot is not None and last_bot.payload.get("expects") in KEEP_LANGUAGE_AFTER


def _typed_choice(text: str, last_bot: Message | None) -> str | None:
    """The payload of the offered article that ``text`` picks by its place, if the bot's last message
    offered articles as buttons and ``text`` names a place among them."""
    buttons = last_bot.payload.get("buttons") if last_bot is not None else None
    return typed_choice(text, buttons) if isinstance(buttons, list) else None
