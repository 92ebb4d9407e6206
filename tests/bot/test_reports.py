"""Recording what the bot did with each knowledge question (``/api/questions``) and the staff's reports."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Sanic

pytestmark = pytest.mark.unit


async def post(app: Sanic, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    _, response = await app.asgi_client.post(f"/api/questions{path}", json=body)
    return response.status, response.json


async def test_an_answer_its_feedback_and_a_pick_reach_the_article_report(
    app: Sanic, agent_headers: dict[str, str]
) -> None:
    tried = [{"id": "return-window", "score": 0.82}, {"id": "shipping-cost", "score": 0.5}]
    status, body = await post(
        app,
        "/",
        {
            "conversation_id": "c1",
            "question": "how long do I have to return?",
            "language": "en",
            "outcome": "answered",
            "reason": "confident",
            "article_id": "return-window",
            "candidates": tried,
        },
    )
    assert status == 201 and body["question"]["article_id"] == "return-window"
    assert body["question"]["candidates"] == tried
    status, body = await post(app, "/feedback", {"conversation_id": "c1", "helpful": True})
    assert status == 200 and body["question"]["helpful"] is True
    await post(app, "/", {"conversation_id": "c2", "question": "which?", "outcome": "clarified", "candidates": tried})
    status, body = await post(app, "/pick", {"conversation_id": "c2", "article_id": "return-window"})
    assert status == 200 and body["question"]["picked"] is True
    await post(app, "/feedback", {"conversation_id": "c2", "helpful": False})

    _, response = await app.asgi_client.get("/api/reports/articles", headers=agent_headers)
    assert response.status == 200
    rows = {r["article_id"]: r for r in response.json["articles"]}
    assert response.json["days"] == 30
    assert len(rows) == 6  # every article, answered or not
    used = rows["return-window"]
    assert (used["answered"], used["picked"], used["helpful"], used["not_helpful"]) == (2, 1, 1, 1)
    assert used["helpful_share"] == 0.5 and used["title"] and used["language"] == "en"
    assert response.json["articles"][0]["article_id"] == "return-window"  # most answers first
    assert rows["shipping-cost"]["answered"] == 0 and rows["shipping-cost"]["helpful_share"] is None


async def test_the_unanswered_report_lists_what_the_articles_do_not_cover(
    app: Sanic, agent_headers: dict[str, str]
) -> None:
    await post(app, "/", {"conversation_id": "c1", "question": "extended warranty?", "outcome": "handoff"})
    await post(app, "/", {"conversation_id": "c2", "question": "which one?", "outcome": "clarified"})
    await post(app, "/feedback", {"conversation_id": "c2", "helpful": False})  # none of these
    await post(app, "/", {"conversation_id": "c3", "question": "fine", "outcome": "answered", "article_id": "x"})
    _, response = await app.asgi_client.get("/api/reports/unanswered?days=7&limit=10", headers=agent_headers)
    assert response.status == 200
    assert [q["question"] for q in response.json["questions"]] == ["which one?", "extended warranty?"]
    _, response = await app.asgi_client.get("/api/reports/unanswered?limit=1", headers=agent_headers)
    assert len(response.json["questions"]) == 1


async def test_reports_need_a_signed_in_agent(app: Sanic) -> None:
    for path in ("/api/reports/articles", "/api/reports/unanswered"):
        _, response = await app.asgi_client.get(path)
        assert response.status == 401 and response.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("query", ["days=0", "days=abc", "days=3651", "limit=0", "limit=1001", "days="])
async def test_report_arguments_are_checked(app: Sanic, agent_headers: dict[str, str], query: str) -> None:
    _, response = await app.asgi_client.get(f"/api/reports/unanswered?{query}", headers=agent_headers)
    assert response.status == 400
    assert response.json["error"]["code"] == "invalid_field"
    assert "must be a whole number from 1 to" in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/", {"question": "x", "outcome": "handoff"}, "'conversation_id' is required"),
        ("/", {"conversation_id": "c", "outcome": "handoff"}, "'question' is required"),
        ("/", {"conversation_id": "c", "question": "x"}, "'outcome' is required: one of answered, clarified, handoff"),
        ("/", {"conversation_id": "c", "question": "x", "outcome": "maybe"}, "'outcome' must be one of"),
        ("/", {"conversation_id": "c", "question": "x", "outcome": "answered"}, "'article_id' is required"),
        ("/", {"conversation_id": "c", "question": "x" * 10_001, "outcome": "handoff"}, "at most 10000 characters"),
        ("/", {"conversation_id": "c", "question": "x", "outcome": "handoff", "candidates": "a"}, "'candidates' must"),
        (
            "/",
            {"conversation_id": "c", "question": "x", "outcome": "handoff", "candidates": [{"id": "a", "score": True}]},
            "'candidates' must",
        ),
        ("/", {"conversation_id": "c", "question": "x", "outcome": "handoff", "language": "de"}, "'language' must"),
        (
            "/",
            {"conversation_id": "c", "question": "x", "outcome": "handoff", "reason": "r" * 1001},
            "'reason' must be at most 1000",
        ),
        ("/", ["not", "an", "object"], "must be a JSON object"),
        ("/feedback", {"conversation_id": "c", "helpful": "yes"}, "'helpful' must be true or false, got 'yes'"),
        ("/feedback", {"conversation_id": "c"}, "'helpful' must be true or false, got None"),
        ("/pick", {"conversation_id": "c"}, "'article_id' is required"),
    ],
)
async def test_bad_records_are_refused_clearly(app: Sanic, path: str, body: Any, message: str) -> None:
    status, response = await post(app, path, body)
    assert status == 400
    assert message in response["error"]["message"]


async def test_binary_body_is_refused_and_nothing_is_recorded(app: Sanic, agent_headers: dict[str, str]) -> None:
    _, response = await app.asgi_client.post("/api/questions/", content=b"\xff\xfe\x00garbage")
    assert response.status == 400 and response.json["error"]["code"] == "invalid_json"
    _, response = await app.asgi_client.get("/api/reports/unanswered", headers=agent_headers)
    assert response.json["questions"] == []


async def test_a_verdict_or_pick_without_a_question_waiting_is_a_clear_404(app: Sanic) -> None:
    status, body = await post(app, "/feedback", {"conversation_id": "never-asked", "helpful": True})
    assert status == 404 and "has no question to give feedback on" in body["error"]["message"]
    await post(app, "/", {"conversation_id": "c1", "question": "q", "outcome": "answered", "article_id": "a"})
    status, body = await post(app, "/pick", {"conversation_id": "c1", "article_id": "b"})
    assert status == 404 and "no clarifying question waiting for a pick" in body["error"]["message"]
