"""HTTP APIs of the bot service against a real app instance (in-process ASGI)."""

from __future__ import annotations

import pytest
from sanic import Sanic

from bot.storage import SQLiteStore

pytestmark = pytest.mark.unit


async def test_health(app: Sanic) -> None:
    _, response = await app.asgi_client.get("/health")
    assert response.status == 200
    assert response.json == {"status": "ok", "articles": 6}


async def test_search_returns_the_decision_with_answer_text_and_link(app: Sanic) -> None:
    _, response = await app.asgi_client.post("/api/search", json={"query": "What is the return period?"})
    assert response.status == 200
    data = response.json
    top = data["candidates"][0]
    assert top["id"] == "return-window"
    assert top["summary"] == "You can return any item within 14 days of delivery."
    assert top["url"] == "/articles/return-window"
    assert data["decision"] in ("answer", "clarify", "handoff")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "'query' is required: a non-empty string"),
        ({"query": ""}, "'query' must be a non-empty string, got an empty or blank one"),
        ({"query": "   "}, "'query' must be a non-empty string, got an empty or blank one"),
        ({"query": 5}, "'query' must be a non-empty string, got int"),
        ({"query": "x" * 10_001}, "at most 10000 characters, got 10001"),
        ({"query": "ok", "language": "de"}, "'language' must be one of tr, en"),
        ({"query": "ok", "top_k": 0}, "'top_k' must be an integer from 1 to 20, got 0"),
    ],
)
async def test_search_rejects_bad_input_clearly(app: Sanic, body: dict[str, object], message: str) -> None:
    _, response = await app.asgi_client.post("/api/search", json=body)
    assert response.status == 400
    assert message in response.json["error"]["message"]


async def test_ticket_is_created_once_per_idempotency_key(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    store.append("conv-00001", "visitor", "yarın hava nasıl olacak?")
    body = {
        "conversation_id": "conv-00001",
        "reason": "low_confidence",
        "language": "tr",
        "candidates": [{"id": "kargo-ucreti", "title": "Kargo ücreti", "score": 0.2}],
        "idempotency_key": "conv-00001:m1",
    }
    _, first = await app.asgi_client.post("/api/tickets/", json=body)
    _, again = await app.asgi_client.post("/api/tickets/", json=body)
    assert first.status == 201 and first.json["created"] is True
    assert again.status == 200 and again.json["id"] == first.json["id"]
    _, detail = await app.asgi_client.get(f"/api/tickets/{first.json['id']}", headers=agent_headers)
    assert detail.json["transcript"][0]["text"] == "yarın hava nasıl olacak?"
    assert detail.json["candidates"] == body["candidates"]
    _, listing = await app.asgi_client.get("/api/tickets/", headers=agent_headers)
    assert [t["id"] for t in listing.json["tickets"]] == [first.json["id"]]
    assert listing.json["tickets"][0]["message_count"] == 1


async def test_ticket_validation(app: Sanic, agent_headers: dict[str, str]) -> None:
    _, response = await app.asgi_client.post("/api/tickets/", json={"conversation_id": "c", "reason": ""})
    assert response.status == 400
    assert "'reason' must be a non-empty string" in response.json["error"]["message"]
    _, response = await app.asgi_client.get("/api/tickets/?status=lost", headers=agent_headers)
    assert response.status == 400


async def test_unknown_ticket_is_404(app: Sanic, agent_headers: dict[str, str]) -> None:
    _, response = await app.asgi_client.get("/api/tickets/999", headers=agent_headers)
    assert response.status == 404
    assert response.json["error"]["code"] == "not_found"


async def test_articles_list_json_and_page(app: Sanic) -> None:
    _, listing = await app.asgi_client.get("/api/articles/")
    assert len(listing.json["articles"]) == 6
    _, article = await app.asgi_client.get("/api/articles/iade-suresi")
    assert article.json["title"] == "İade süresi"
    assert article.json["url"] == "/articles/iade-suresi"
    _, page = await app.asgi_client.get("/articles/iade-suresi")
    assert page.status == 200 and "<h1>İade süresi</h1>" in page.text
    _, missing = await app.asgi_client.get("/articles/nope")
    assert missing.status == 404


async def test_an_article_asked_with_a_question_answers_with_the_paragraph_that_answers_it(app: Sanic) -> None:
    _, plain = await app.asgi_client.get("/api/articles/iade-suresi")
    assert plain.json["summary"] == "Ürünleri teslimattan itibaren 14 gün içinde iade edebilirsiniz."
    assert "passage" not in plain.json
    # six words or more: a shorter question is broad and gets the first paragraph too
    question = "iade edeceğim ürün kutusunda mı olmalı acaba"
    _, asked = await app.asgi_client.get("/api/articles/iade-suresi", params={"question": question})
    assert asked.status == 200
    assert asked.json["summary"] == "Ürün kullanılmamış ve kutusunda olmalıdır."
    assert asked.json["passage"]["paragraphs"] == [2] and len(asked.json["passage"]["scores"]) == 2


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "'question' must be a non-empty string"), ("x" * 10_001, "at most 10000 characters, got 10001")],
)
async def test_an_article_asked_with_a_bad_question_says_what_is_wrong(app: Sanic, question: str, message: str) -> None:
    _, response = await app.asgi_client.get("/api/articles/iade-suresi", params={"question": question})
    assert response.status == 400
    assert response.json["error"]["code"] == "invalid_field"
    assert message in response.json["error"]["message"]
    _, missing = await app.asgi_client.get("/api/articles/nope", params={"question": "kutusunda mı"})
    assert missing.status == 404


async def test_an_article_asked_with_undecodable_bytes_still_gets_one_of_its_paragraphs(app: Sanic) -> None:
    _, response = await app.asgi_client.get("/api/articles/iade-suresi?question=%ff%fe%00kutusunda")
    assert response.status == 200
    paragraphs = (
        "Ürünleri teslimattan itibaren 14 gün içinde iade edebilirsiniz.",
        "Ürün kullanılmamış ve kutusunda olmalıdır.",
    )
    shown = response.json["summary"].split("\n")
    assert shown and all(line in paragraphs for line in shown)  # a one-word question is broad: the first comes too


async def test_search_answers_with_the_paragraph_that_answers_the_question(app: Sanic) -> None:
    _, response = await app.asgi_client.post(
        "/api/search", json={"query": "Must the item be unused and still in its box?", "language": "en"}
    )
    data = response.json
    assert data["decision"] == "answer" and data["options"] == ["return-window"], data["reason"]
    chosen = data["candidates"][0]
    assert chosen["passage"]["paragraphs"] == [2]
    assert chosen["summary"] == "The item must be unused and in its box."


async def test_pages_are_served(app: Sanic) -> None:
    for path, marker in [("/", "widget.js"), ("/agent", "agent.js"), ("/widget.js", "WebSocket")]:
        _, response = await app.asgi_client.get(path)
        assert response.status == 200, path
        assert marker in response.text


async def test_a_ticket_keeps_the_visitor_details_raises_priority_and_says_when_to_expect_a_reply(
    app: Sanic, store: SQLiteStore
) -> None:
    store.append("conv-00002", "visitor", "ACİL! Siparişim hâlâ gelmedi, rezalet")
    body = {
        "conversation_id": "conv-00002",
        "reason": "visitor_request",
        "language": "tr",
        "visitor_name": "Zeynep",
        "visitor_email": "zeynep@ornek.com.tr",
    }
    _, response = await app.asgi_client.post("/api/tickets/", json=body)
    assert response.status == 201
    data = response.json
    assert (data["visitor_name"], data["visitor_email"]) == ("Zeynep", "zeynep@ornek.com.tr")
    assert data["priority"] == "urgent"
    assert data["priority_signals"] == {"urgency": ["acil"], "anger": ["rezalet"]}
    expected = data["reply_expected"]
    assert expected["phrase"].startswith(("Tahmini yanıt zamanı", "Şu anda mesai saatleri dışındayız"))
    assert isinstance(expected["open_now"], bool) and expected["at"]


async def test_a_ticket_with_a_bad_email_is_refused(app: Sanic) -> None:
    body = {"conversation_id": "conv-00003", "reason": "visitor_request", "visitor_email": "not-an-address"}
    _, response = await app.asgi_client.post("/api/tickets/", json=body)
    assert response.status == 400
    assert "'visitor_email' must be an e-mail address" in response.json["error"]["message"]


async def test_solving_a_ticket_hands_the_conversation_back_to_the_bot(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    auth = agent_headers
    ticket, _ = store.create_ticket("conv-00005", reason="visitor_request", language="en")
    _, response = await app.asgi_client.patch(f"/api/tickets/{ticket.id}", json={"status": "open"}, headers=auth)
    assert response.status == 200 and response.json["status"] == "open"
    assert store.transcript("conv-00005") == []  # still with the agent: nothing said
    _, response = await app.asgi_client.patch(f"/api/tickets/{ticket.id}", json={"status": "solved"}, headers=auth)
    assert response.json["status"] == "solved"
    [back] = store.transcript("conv-00005")
    assert back.sender == "bot" and back.payload["type"] == "bot_back"
    assert back.text.startswith(f"Our support team has marked ticket #{ticket.id} as solved")
    _, response = await app.asgi_client.patch(f"/api/tickets/{ticket.id}", json={"status": "closed"}, headers=auth)
    assert len(store.transcript("conv-00005")) == 1  # already back: said once
    statuses = [(e["old"], e["new"], e["agent_name"]) for e in response.json["history"] if e["kind"] == "status"]
    assert statuses == [
        (None, "new", None),
        ("new", "open", "Ayşe"),
        ("open", "solved", "Ayşe"),
        ("solved", "closed", "Ayşe"),
    ]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/tickets/999", {"status": "open"}, 404),
        ("/api/tickets/1", {"status": "lost"}, 400),
        ("/api/tickets/1", {}, 400),
    ],
)
async def test_status_changes_are_checked(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str], path: str, body: dict[str, str], status: int
) -> None:
    store.create_ticket("conv-00006", reason="visitor_request")
    _, response = await app.asgi_client.patch(path, json=body, headers=agent_headers)
    assert response.status == status
