"""The conversation hub with a fake assistant: nothing a visitor says is ever lost."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.hub import ConversationHub
from bot.rasa_client import BotReply, RasaUnavailable
from bot.storage import Message, SQLiteStore
from knowledge_base.articles import Article
from knowledge_base.kb import KnowledgeBase
from tests.bot.conftest import FakeAssistant

pytestmark = pytest.mark.unit

CID = "conversation-1"


@pytest.fixture
def hub(store: SQLiteStore, assistant: FakeAssistant) -> ConversationHub:
    return ConversationHub(store, store, assistant, default_language="tr", max_message_chars=100)


async def test_message_and_replies_are_recorded_and_delivered(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    assistant.replies = [BotReply("Answer", custom={"type": "answer", "article": {"id": "a", "title": "A"}})]
    seen: list[Message] = []

    async def listener(message: Message) -> None:
        seen.append(message)

    hub.subscribe(CID, listener)
    await hub.handle(CID, "Where is my order?")
    assert [(m.sender, m.text) for m in seen] == [("visitor", "Where is my order?"), ("bot", "Answer")]
    assert seen[1].payload["article"]["title"] == "A"
    assert [m.text for m in store.transcript(CID)] == ["Where is my order?", "Answer"]
    assert assistant.received == [(CID, "Where is my order?", {"language": "en"})]


async def test_language_is_detected_and_remembered(hub: ConversationHub, assistant: FakeAssistant) -> None:
    await hub.handle(CID, "Kargom nerede?")
    await hub.handle(CID, "ok")
    assert [r[2]["language"] for r in assistant.received] == ["tr", "tr"]


async def test_a_name_given_when_asked_keeps_the_conversations_language(
    hub: ConversationHub, assistant: FakeAssistant
) -> None:
    for conversation, name in (("conv-kim", "Kim Lee"), ("conv-ayse", "Ayşe Yılmaz")):
        # "kim" is Turkish for "who" and ends like a Turkish word; "Ayşe Yılmaz" has Turkish letters
        assistant.replies = [BotReply("What name should our agent use?", custom={"expects": "visitor_name"})]
        await hub.handle(conversation, "talk to a human")
        assistant.replies = [BotReply("Which e-mail address?")]
        await hub.handle(conversation, name)
        await hub.handle(conversation, "aslında kargom nerede?")  # a sentence in Turkish, when not asked for a name
    assert [r[2]["language"] for r in assistant.received] == ["en", "en", "tr"] * 2


async def test_words_of_a_language_given_when_asked_for_a_name_still_switch(
    hub: ConversationHub, assistant: FakeAssistant
) -> None:
    assistant.replies = [BotReply("What name should our agent use?", custom={"expects": "visitor_name"})]
    await hub.handle(CID, "talk to a human")
    await hub.handle(CID, "vazgeç")
    assert [r[2]["language"] for r in assistant.received] == ["en", "tr"]


async def test_a_place_typed_after_the_offered_articles_goes_as_that_buttons_payload(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    offered = [
        {"title": "İade talebi nasıl oluşturulur?", "payload": '/ask_question{"article_id":"iade-talebi-olusturma"}'},
        {"title": "İade koşulları", "payload": '/ask_question{"article_id":"iade-kosullari"}'},
        {"title": "Hiçbiri", "payload": "/none_of_these"},
    ]
    assistant.replies = [BotReply("Hangisini kastediyorsunuz?", buttons=offered)]
    await hub.handle(CID, "iade")
    assistant.replies = [BotReply("İade koşulları ...")]
    await hub.handle(CID, "ikincisi")
    assert assistant.received[-1][1] == offered[1]["payload"]  # as if the button had been pressed
    visitor = [m for m in store.transcript(CID) if m.sender == "visitor"]
    assert visitor[-1].text == "ikincisi" and visitor[-1].payload["choice"] == offered[1]["payload"]
    # typed again at once: a repeat, answered once, as any typed message (it used to reach Rasa as
    # a fresh "ikincisi", read as "none of these", and offer a person)
    replies = await hub.handle(CID, "ikincisi")
    assert [r.payload.get("type") for r in replies] == ["repeat"] and len(assistant.received) == 2
    # later, the bot's last message offers no articles: a place is just text
    await hub.handle(CID, "ikincisi", received_at=time.time() + 60)
    assert assistant.received[-1][1] == "ikincisi"


async def test_rasa_down_hands_off_to_a_human_and_keeps_the_message(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    assistant.error = RasaUnavailable("ConnectError: refused")
    replies = await hub.handle(CID, "Siparişim gelmedi")
    ticket = store.open_ticket_for(CID)
    assert ticket is not None and ticket.reason == "assistant_unavailable"
    assert f"#{ticket.id}" in replies[0].text
    assert "refused" not in replies[0].text  # no internals shown to the visitor
    assert [m.sender for m in store.transcript(CID)] == ["visitor", "bot"]


async def test_an_empty_reply_counts_as_a_failure(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    assistant.replies = []
    replies = await hub.handle(CID, "Where is my refund?")
    assert replies[0].payload["type"] == "handoff"
    assert store.open_ticket_for(CID) is not None


async def test_repeated_failures_reuse_one_ticket(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    assistant.error = RasaUnavailable("timeout")
    await hub.handle(CID, "first")
    await hub.handle(CID, "second")
    assert len(store.list_tickets()) == 1


async def test_too_long_message_is_kept_whole_but_not_sent_on(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    text = "Sipariş " * 50
    replies = await hub.handle(CID, text.strip())
    assert assistant.received == []
    assert store.transcript(CID)[0].text == text.strip()
    assert "100" in replies[0].text and replies[0].payload["type"] == "too_long"


async def test_a_failing_listener_does_not_stop_delivery(hub: ConversationHub, store: SQLiteStore) -> None:
    good: list[Message] = []

    async def broken(message: Message) -> None:
        raise ConnectionError("socket closed")

    async def listener(message: Message) -> None:
        good.append(message)

    hub.subscribe(CID, broken)
    hub.subscribe(CID, listener)
    await hub.handle(CID, "merhaba")
    assert len(good) == 2
    assert len(store.transcript(CID)) == 2


async def test_submitted_work_finishes_after_the_sender_is_gone(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    gate = asyncio.Event()
    original = assistant.send

    async def slow_send(*args: object) -> list[BotReply]:
        await gate.wait()
        return await original(*args)  # type: ignore[arg-type]

    assistant.send = slow_send  # type: ignore[method-assign]

    async def socket_handler() -> None:
        await asyncio.shield(hub.submit(CID, "merhaba"))

    handler = asyncio.create_task(socket_handler())
    await asyncio.sleep(0.01)
    handler.cancel()  # the visitor closed the page mid-answer
    gate.set()
    await hub.drain()
    assert [m.sender for m in store.transcript(CID)] == ["visitor", "bot"]


async def test_messages_of_one_conversation_are_handled_in_order(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    for i in range(5):
        hub.submit(CID, f"message {i}")
    await hub.drain()
    visitor = [m.text for m in store.transcript(CID) if m.sender == "visitor"]
    assert visitor == [f"message {i}" for i in range(5)]


async def test_a_button_shows_its_label_and_sends_its_payload(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    await hub.handle(CID, "Kargo ücreti", command='/ask_question{"article_id":"kargo-ucreti"}')
    assert assistant.received[0][1] == '/ask_question{"article_id":"kargo-ucreti"}'
    first = store.transcript(CID)[0]
    assert first.text == "Kargo ücreti"
    assert first.payload["command"] == '/ask_question{"article_id":"kargo-ucreti"}'


async def test_finished_conversations_leave_no_lock_behind(hub: ConversationHub) -> None:
    await hub.handle(CID, "merhaba")
    assert hub._locks == {} and hub._pending == {}


async def test_a_resent_message_is_recorded_once(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    await hub.handle(CID, "Kargom nerede?", client_id="c-1")
    assert await hub.handle(CID, "Kargom nerede?", client_id="c-1") == []
    assert [m.sender for m in store.transcript(CID)] == ["visitor", "bot"]
    assert len(assistant.received) == 1


async def test_the_same_words_sent_after_reading_the_reply_are_a_new_message(
    store: SQLiteStore, assistant: FakeAssistant
) -> None:
    hub = ConversationHub(store, store, assistant, repeat_window=0.5)
    await hub.handle(CID, "evet", client_id="c-1")  # e.g. to "did this help?"
    await asyncio.sleep(0.7)  # the visitor reads the next question
    await hub.handle(CID, "evet", client_id="c-2")  # and says yes to that one too
    assert [m.sender for m in store.transcript(CID)] == ["visitor", "bot", "visitor", "bot"]
    assert len(assistant.received) == 2


async def test_a_copy_sent_before_the_reply_could_be_read_is_a_repeat(
    store: SQLiteStore, assistant: FakeAssistant
) -> None:
    hub = ConversationHub(store, store, assistant, repeat_window=0.5)
    sent = time.time()
    await hub.handle(CID, "Kargom nerede?", received_at=sent)
    await hub.handle(CID, "kargom nerede?", received_at=sent + 0.1)  # typed again, same words
    assert len(assistant.received) == 1
    assert store.transcript(CID)[-1].payload == {"type": "repeat"}


async def test_the_same_message_ten_times_fast_is_kept_and_answered_once_with_one_note(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    for _ in range(10):
        hub.submit(CID, "Siparişim nerede?")
    await hub.drain()
    lines = store.transcript(CID)
    assert [m.text for m in lines if m.sender == "visitor"] == ["Siparişim nerede?"] * 10  # nothing lost
    assert len(assistant.received) == 1
    bot = [m for m in lines if m.sender == "bot"]
    assert len(bot) == 2 and bot[1].payload == {"type": "repeat"}
    assert "yanıtım yukarıda" in bot[1].text  # in the visitor's language
    assert [m.payload.get("repeat", 0) for m in lines if m.sender == "visitor"] == list(range(10))


async def test_a_message_in_another_language_reaches_rasa_as_other_language(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    await hub.handle(CID, "Wo ist meine Bestellung?")
    assert assistant.received == [(CID, "/other_language", {"language": "en"})]
    visitor = store.transcript(CID)[0]
    assert visitor.text == "Wo ist meine Bestellung?"
    assert visitor.payload["detected_language"] == "de" and visitor.payload["language"] == "en"
    await hub.handle(CID, "😀🎉")  # no language of its own: the conversation's, now English
    assert assistant.received[-1] == (CID, "😀🎉", {"language": "en"})


async def test_while_a_ticket_is_open_the_bot_is_silent_and_nothing_is_lost(
    hub: ConversationHub, store: SQLiteStore, assistant: FakeAssistant
) -> None:
    await hub.handle(CID, "temsilci lütfen")
    ticket, _ = store.create_ticket(CID, reason="visitor_request", language="tr")
    assert await hub.handle(CID, "Merhaba, orada mısınız?") == []
    assert len(assistant.received) == 1
    last = store.transcript(CID)[-1]
    assert (last.sender, last.text, last.payload["ticket"]) == ("visitor", "Merhaba, orada mısınız?", ticket.id)
    solved = store.set_status(ticket.id, "solved")
    assert solved is not None
    back = await hub.bot_is_back(solved)
    assert back.payload == {"type": "bot_back", "ticket": {"id": ticket.id}} and f"#{ticket.id}" in back.text
    await hub.handle(CID, "Kargo ücreti ne kadar?")
    assert assistant.received[-1][1] == "Kargo ücreti ne kadar?"  # the bot answers again


async def test_the_knowledge_base_places_a_message_the_word_lists_cannot(
    store: SQLiteStore, assistant: FakeAssistant, kb: KnowledgeBase
) -> None:
    kb.put(Article(id="size", title="Wrong size", language="en", body="A wrong size arrived? Swap it.", questions=()))
    hub = ConversationHub(store, store, assistant, default_language="tr", detect=kb.language_of)
    await hub.handle(CID, "wrong size arrived")  # no word of the detector's lists: the articles' words are English
    await hub.handle(CID, "ok")  # no clue at all: the conversation's language
    assert [r[2]["language"] for r in assistant.received] == ["en", "en"]
