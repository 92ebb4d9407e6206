"""The handoff desk: the queue, claiming and assigning, internal notes and replies into the visitor's chat."""

from __future__ import annotations

from pathlib import Path

import pytest
from sanic import Sanic

from bot.drafts import visitor_question
from bot.hub import ConversationHub
from bot.storage import Message, SQLiteStore, Ticket
from knowledge_base.articles import read_article
from tests.bot.conftest import open_chat, sign_in_as

pytestmark = pytest.mark.unit


async def test_the_queue_puts_the_most_urgent_first_then_the_oldest_and_filters(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    normal, _ = store.create_ticket("conv-00001", "low_confidence")
    urgent, _ = store.create_ticket("conv-00002", "visitor_request", priority="urgent")
    older_high, _ = store.create_ticket("conv-00003", "visitor_request", priority="high")
    newer_high, _ = store.create_ticket("conv-00004", "visitor_request", priority="high")
    _, response = await app.asgi_client.get("/api/tickets/", headers=agent_headers)
    assert [t["id"] for t in response.json["tickets"]] == [urgent.id, older_high.id, newer_high.id, normal.id]
    await app.asgi_client.post(f"/api/tickets/{newer_high.id}/claim", headers=agent_headers)
    _, mine = await app.asgi_client.get("/api/tickets/?assignee=me", headers=agent_headers)
    assert [t["id"] for t in mine.json["tickets"]] == [newer_high.id]
    _, unassigned = await app.asgi_client.get("/api/tickets/?assignee=none", headers=agent_headers)
    assert newer_high.id not in [t["id"] for t in unassigned.json["tickets"]]
    _, opened = await app.asgi_client.get("/api/tickets/?status=open", headers=agent_headers)
    assert [t["id"] for t in opened.json["tickets"]] == [newer_high.id]
    _, bad = await app.asgi_client.get("/api/tickets/?assignee=someone", headers=agent_headers)
    assert bad.status == 400


async def test_claiming_opens_the_ticket_and_an_agent_can_hand_it_to_a_colleague(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    colleague = sign_in_as(store, "mert@example.com", name="Mert")
    ticket, _ = store.create_ticket("conv-00001", "visitor_request")
    _, claimed = await app.asgi_client.post(f"/api/tickets/{ticket.id}/claim", headers=agent_headers)
    assert claimed.status == 200
    assert (claimed.json["status"], claimed.json["assignee_name"]) == ("open", "Ayşe")
    mert = next(a for a in store.list_agents() if a.name == "Mert")
    _, moved = await app.asgi_client.patch(
        f"/api/tickets/{ticket.id}", json={"assignee_id": mert.id}, headers=agent_headers
    )
    assert moved.json["assignee_name"] == "Mert"
    _, mine = await app.asgi_client.get("/api/tickets/?assignee=me", headers=colleague)
    assert [t["id"] for t in mine.json["tickets"]] == [ticket.id]
    for bad in (999, "2", True):
        _, response = await app.asgi_client.patch(
            f"/api/tickets/{ticket.id}", json={"assignee_id": bad}, headers=agent_headers
        )
        assert response.status == 400, bad
    _, nobody = await app.asgi_client.patch(
        f"/api/tickets/{ticket.id}", json={"assignee_id": None}, headers=agent_headers
    )
    assert nobody.json["assignee_id"] is None
    kinds = [(e["kind"], e["agent_name"]) for e in nobody.json["history"] if e["kind"] == "assigned"]
    assert kinds == [("assigned", "Ayşe")] * 3


async def test_an_internal_note_stays_out_of_the_visitors_transcript(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    store.append("conv-00001", "visitor", "Siparişim nerede?")
    ticket, _ = store.create_ticket("conv-00001", "visitor_request")
    _, note = await app.asgi_client.post(
        f"/api/tickets/{ticket.id}/notes", json={"text": "Kargo firmasını aradım, yarın teslim."}, headers=agent_headers
    )
    assert note.status == 201 and note.json["agent_name"] == "Ayşe"
    _, detail = await app.asgi_client.get(f"/api/tickets/{ticket.id}", headers=agent_headers)
    assert [e["text"] for e in detail.json["history"] if e["kind"] == "note"] == [
        "Kargo firmasını aradım, yarın teslim."
    ]
    assert [m.text for m in store.transcript("conv-00001")] == ["Siparişim nerede?"]
    for body in ({}, {"text": "  "}, {"text": "x" * 5001}):
        _, response = await app.asgi_client.post(f"/api/tickets/{ticket.id}/notes", json=body, headers=agent_headers)
        assert response.status == 400
    _, response = await app.asgi_client.post("/api/tickets/999/notes", json={"text": "x"}, headers=agent_headers)
    assert response.status == 404


async def test_an_agent_reply_reaches_the_visitors_open_chat_and_the_bot_stays_silent(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    hub: ConversationHub = app.ctx.hub
    seen = open_chat(hub, "conv-00001")
    consoles: list[dict[str, object]] = []

    async def console(event: dict[str, object]) -> None:
        consoles.append(event)

    hub.watch(console)
    ticket, _ = store.create_ticket("conv-00001", "visitor_request", language="tr")
    _, response = await app.asgi_client.post(
        f"/api/tickets/{ticket.id}/messages",
        json={"text": "Merhaba, ben Ayşe. Hemen bakıyorum."},
        headers=agent_headers,
    )
    assert response.status == 201
    assert [(m.sender, m.text) for m in seen] == [("agent", "Merhaba, ben Ayşe. Hemen bakıyorum.")]
    assert seen[0].payload["agent"]["name"] == "Ayşe" and seen[0].payload["ticket"] == ticket.id
    assert response.json["ticket"]["status"] == "open" and response.json["ticket"]["assignee_id"] is not None
    assert [e["type"] for e in consoles] == ["message", "ticket"]
    replies = await hub.handle("conv-00001", "Teşekkürler, bekliyorum")  # the visitor answers
    assert replies == [] and app.ctx.hub.assistant.received == []  # the bot says nothing
    assert consoles[-1]["type"] == "message"


async def test_a_reply_on_a_solved_ticket_is_refused_and_empty_replies_are_400(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    ticket, _ = store.create_ticket("conv-00001", "visitor_request")
    _, response = await app.asgi_client.post(
        f"/api/tickets/{ticket.id}/messages", json={"text": ""}, headers=agent_headers
    )
    assert response.status == 400
    store.set_status(ticket.id, "solved")
    _, response = await app.asgi_client.post(
        f"/api/tickets/{ticket.id}/messages", json={"text": "hello?"}, headers=agent_headers
    )
    assert response.status == 409 and response.json["error"]["code"] == "ticket_not_open"
    assert store.transcript("conv-00001") == []


async def test_a_handoff_soon_after_solving_reopens_the_ticket_with_its_agent_and_history(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    body = {"conversation_id": "conv-00001", "reason": "visitor_request", "language": "tr"}
    _, first = await app.asgi_client.post("/api/tickets/", json=body)
    number = first.json["id"]
    await app.asgi_client.post(f"/api/tickets/{number}/claim", headers=agent_headers)
    await app.asgi_client.patch(f"/api/tickets/{number}", json={"status": "solved"}, headers=agent_headers)
    _, again = await app.asgi_client.post("/api/tickets/", json={**body, "reason": "failed_attempts"})
    assert again.status == 200 and again.json["id"] == number
    assert again.json["reopened"] is True and again.json["status"] == "open"
    assert again.json["assignee_id"] is not None  # the same agent has it again
    statuses = [(e.old, e.new) for e in store.history(number) if e.kind == "status"]
    assert statuses[-2:] == [("open", "solved"), ("solved", "open")]


async def test_a_closed_ticket_or_one_solved_long_ago_is_not_reopened(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    body = {"conversation_id": "conv-00001", "reason": "visitor_request"}
    _, first = await app.asgi_client.post("/api/tickets/", json=body)
    await app.asgi_client.patch(f"/api/tickets/{first.json['id']}", json={"status": "closed"}, headers=agent_headers)
    _, second = await app.asgi_client.post("/api/tickets/", json=body)
    assert second.status == 201 and second.json["id"] != first.json["id"] and second.json["reopened"] is False
    store.set_status(second.json["id"], "solved")
    assert store.reopen_recent("conv-00001", "9999-01-01T00:00:00.000Z") is None  # solved before the window
    assert store.get_ticket(second.json["id"]).status == "solved"  # type: ignore[union-attr]


async def test_a_solved_ticket_becomes_a_draft_article_an_editor_can_import(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str], tmp_path: Path
) -> None:
    store.append("conv-00001", "visitor", "Buzdolabını eski evden yeni eve taşıyor musunuz?")
    store.append("conv-00001", "visitor", "Temsilciyle görüşmek istiyorum lütfen")
    store.append("conv-00001", "visitor", "Geç", {"command": "/deny"})
    ticket, _ = store.create_ticket("conv-00001", "low_confidence", language="tr")
    _, early = await app.asgi_client.post(f"/api/tickets/{ticket.id}/article-draft", headers=agent_headers)
    assert early.status == 409 and early.json["error"]["code"] == "not_solved"
    store.set_status(ticket.id, "solved")
    _, unanswered = await app.asgi_client.post(f"/api/tickets/{ticket.id}/article-draft", headers=agent_headers)
    assert unanswered.status == 422
    store.set_status(ticket.id, "open")
    answer = "Hayır, taşıma hizmetimiz yok. Yeni adresinize yeni siparişleri gönderebiliriz."
    await app.asgi_client.post(f"/api/tickets/{ticket.id}/messages", json={"text": answer}, headers=agent_headers)
    await app.asgi_client.patch(f"/api/tickets/{ticket.id}", json={"status": "solved"}, headers=agent_headers)
    _, response = await app.asgi_client.post(f"/api/tickets/{ticket.id}/article-draft", headers=agent_headers)
    assert response.status == 201
    path = Path(response.json["file"])
    assert path.parent == tmp_path / "drafts"
    article = read_article(path)  # the documented format, ready to import
    assert article.title == "Buzdolabını eski evden yeni eve taşıyor musunuz?"
    assert article.questions == (article.title,) and article.body == answer and article.language == "tr"
    assert article.id == f"buzdolabini-eski-evden-yeni-eve-tasiyor-musunuz-{ticket.id}"
    assert article.extra == {"source_ticket": ticket.id}
    assert f"Draft article written: {path.name}" in [e.text for e in store.history(ticket.id)]


async def test_a_malformed_handoff_reopens_nothing(app: Sanic, store: SQLiteStore) -> None:
    ticket, _ = store.create_ticket("conv-00001", "visitor_request")
    store.set_status(ticket.id, "solved")
    _, response = await app.asgi_client.post("/api/tickets/", json={"conversation_id": "conv-00001", "reason": ""})
    assert response.status == 400
    assert store.get_ticket(ticket.id).status == "solved"  # type: ignore[union-attr]


def test_the_question_of_a_draft_leaves_out_the_request_for_a_person() -> None:
    ticket = Ticket(1, "conv-1", "solved", "visitor_request", "tr", "high", [], "2026-12-01T10:00:00.000Z", "")
    said = [
        Message(
            1,
            "conv-1",
            "visitor",
            "Siparişim yanlış geldi, rezalet! Temsilciyle görüşmek istiyorum",
            "2026-12-01T09:59:00.000Z",
        ),
        Message(2, "conv-1", "visitor", "Elif", "2026-12-01T09:59:30.000Z"),
        Message(3, "conv-1", "visitor", "elif@ornek.com", "2026-12-01T09:59:40.000Z"),
    ]
    assert visitor_question(ticket, said) == "Siparişim yanlış geldi, rezalet!"


async def test_a_ticket_waiting_for_the_visitor_shows_its_resolution_clock_paused(
    app: Sanic, store: SQLiteStore, agent_headers: dict[str, str]
) -> None:
    ticket, _ = store.create_ticket("conv-00001", "visitor_request")
    await app.asgi_client.post(f"/api/tickets/{ticket.id}/claim", headers=agent_headers)
    _, waiting = await app.asgi_client.patch(
        f"/api/tickets/{ticket.id}", json={"status": "pending"}, headers=agent_headers
    )
    assert waiting.json["status"] == "pending"
    assert waiting.json["sla"]["resolution"]["paused"] is True
    assert waiting.json["sla"]["first_response"].get("paused") is None
    _, back = await app.asgi_client.patch(f"/api/tickets/{ticket.id}", json={"status": "open"}, headers=agent_headers)
    assert back.json["sla"]["resolution"]["paused"] is False
