"""The custom actions' logic with a stub bot-service client (the real one is tested end to end)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import (
    ActionAnswerFromKnowledgeBase,
    ActionDetectLanguage,
    ActionHandoff,
)
from actions.bot_client import BotServiceClient, BotServiceError

pytestmark = pytest.mark.unit


class StubClient(BotServiceClient):
    def __init__(self, search_result: dict[str, Any] | None = None, fail: bool = False) -> None:
        super().__init__("http://127.0.0.1:9")
        self.search_result = search_result or {}
        self.fail = fail
        self.tickets: list[dict[str, Any]] = []

    async def search(self, query: str, language: str | None) -> dict[str, Any]:
        if self.fail:
            raise BotServiceError("connection refused")
        return self.search_result

    async def article(self, article_id: str) -> dict[str, Any]:
        return {"id": article_id, "title": "Chosen", "summary": "Chosen answer.", "url": f"/articles/{article_id}"}

    async def create_ticket(self, **kwargs: Any) -> dict[str, Any]:
        if self.fail:
            raise BotServiceError("connection refused")
        self.tickets.append(kwargs)
        return {"id": 42}


def tracker(text: str, language: str | None = "tr", entities: list | None = None) -> Tracker:
    latest = {
        "text": text,
        "message_id": "m-1",
        "intent": {"name": "ask_question"},
        "entities": entities or [],
        "metadata": {"language": language} if language else {},
    }
    return Tracker("visitor-1", {"language": None, "kb_candidates": None}, latest, [], False, None, {}, "action_listen")


def candidate(article_id: str, score: float) -> dict[str, Any]:
    return {
        "id": article_id,
        "title": article_id.title(),
        "score": score,
        "summary": f"{article_id} text",
        "url": f"/articles/{article_id}",
    }


async def run(action: Any, t: Tracker) -> tuple[CollectingDispatcher, list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher, events


async def test_language_slot_follows_the_message_metadata() -> None:
    _, events = await run(ActionDetectLanguage(), tracker("hello", "en"))
    assert events == [{"event": "slot", "timestamp": None, "name": "language", "value": "en"}]
    _, events = await run(ActionDetectLanguage(), tracker("ok", None))
    assert events == []


async def test_answer_sends_the_summary_with_title_and_link() -> None:
    client = StubClient({"decision": "answer", "options": ["iade"], "candidates": [candidate("iade", 0.9)]})
    dispatcher, _ = await run(ActionAnswerFromKnowledgeBase(client), tracker("iade?"))
    [message] = dispatcher.messages
    assert message["text"] == "iade text"
    assert message["custom"]["article"] == {"id": "iade", "title": "Iade", "url": "/articles/iade"}


async def test_clarify_offers_buttons_and_none_of_these() -> None:
    result = {"decision": "clarify", "options": ["a", "b"], "candidates": [candidate("a", 0.8), candidate("b", 0.79)]}
    dispatcher, _ = await run(ActionAnswerFromKnowledgeBase(StubClient(result)), tracker("x", "en"))
    [message] = dispatcher.messages
    assert message["response"] == "utter_clarify"
    assert [b["title"] for b in message["buttons"]] == ["A", "B", "None of these"]
    assert message["buttons"][0]["payload"] == '/ask_question{"article_id":"a"}'


async def test_a_chosen_article_is_answered_directly() -> None:
    t = tracker("/ask_question", entities=[{"entity": "article_id", "value": "kargo"}])
    dispatcher, _ = await run(ActionAnswerFromKnowledgeBase(StubClient()), t)
    assert dispatcher.messages[0]["text"] == "Chosen answer."


async def test_handoff_decision_creates_a_ticket_with_the_candidates() -> None:
    client = StubClient({"decision": "handoff", "options": [], "candidates": [candidate("a", 0.2)]})
    dispatcher, _ = await run(ActionAnswerFromKnowledgeBase(client), tracker("yarın hava nasıl olacak?"))
    [ticket] = client.tickets
    assert ticket["reason"] == "low_confidence"
    assert ticket["idempotency_key"] == "visitor-1:m-1"
    assert ticket["candidates"][0]["id"] == "a"
    assert dispatcher.messages[0]["response"] == "utter_ticket_created"
    assert dispatcher.messages[0]["ticket_id"] == 42


async def test_visitor_request_creates_a_ticket() -> None:
    client = StubClient()
    dispatcher, _ = await run(ActionHandoff(client), tracker("talk to a human", "en"))
    assert client.tickets[0]["reason"] == "visitor_request"
    assert dispatcher.messages[0]["response"] == "utter_ticket_requested"


async def test_bot_service_down_gets_a_polite_message() -> None:
    client = StubClient(fail=True)
    dispatcher, _ = await run(ActionAnswerFromKnowledgeBase(client), tracker("kargo"))
    assert dispatcher.messages[0]["response"] == "utter_service_problem"
    dispatcher, _ = await run(ActionHandoff(client), tracker("temsilci"))
    assert dispatcher.messages[0]["response"] == "utter_service_problem"


async def test_real_client_reports_an_unreachable_service() -> None:
    with pytest.raises(BotServiceError, match="failed"):
        await BotServiceClient("http://127.0.0.1:9", timeout=2).search("x", "en")
