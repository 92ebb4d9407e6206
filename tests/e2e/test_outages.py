"""A service down mid-conversation: the visitor is handed to a human and nothing is lost.

These tests stop services, so conftest.py runs this module after every other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.stack import Stack
from tests.e2e.conftest import Chat, agent_api
from tests.e2e.test_conversations import assert_all_running, ticket

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def stored(view: dict[str, Any]) -> dict[str, Any]:
    """The ticket view without what moves with the clock: the SLA countdowns, and a paused clock's due time.

    While a ticket is pending, each business second moves its resolution due time on (so the test's
    outcome would depend on the time of day it runs); :func:`paused_clock` is checked on its own.
    """
    view = {**view, "sla": {name: dict(target) for name, target in view["sla"].items()}}
    for target in view["sla"].values():
        target.pop("seconds_left")
        if target.get("paused"):
            target.pop("due")
            target.pop("paused_seconds")
    return view


def paused_clock(view: dict[str, Any]) -> tuple[datetime, int]:
    """A paused resolution clock's due time and its business seconds paused so far."""
    resolution = view["sla"]["resolution"]
    assert resolution["paused"] is True
    return datetime.fromisoformat(resolution["due"]), resolution["paused_seconds"]


async def test_a_ticket_with_its_transcript_notes_and_history_survives_a_restart_of_every_service(
    stack: Stack,
) -> None:
    chat = await Chat.open(stack)
    await chat.say("I want to talk to a human", replies=2)
    await chat.say("Skip", payload="/deny")
    number = (await chat.say("kim@example.com"))[-1]["payload"]["ticket"]["id"]
    assert agent_api(stack, "POST", f"/api/tickets/{number}/claim").status_code == 200
    assert agent_api(stack, "POST", f"/api/tickets/{number}/notes", json={"text": "VIP customer"}).status_code == 201
    reply = agent_api(stack, "POST", f"/api/tickets/{number}/messages", json={"text": "Hi Kim, I'm on it."})
    assert reply.status_code == 201
    await chat.frame()  # the agent's line
    agent_api(stack, "PATCH", f"/api/tickets/{number}", json={"status": "pending"})
    restarted_from = datetime.now(UTC)
    before = agent_api(stack, "GET", f"/api/tickets/{number}").json()
    await chat.close()

    stack.stop()
    stack.start(timeout=420)

    after = agent_api(stack, "GET", f"/api/tickets/{number}")  # the agent's session survived too
    assert after.status_code == 200
    assert stored(after.json()) == stored(before)
    # the pause went on through the restart: at most the time it took was added to it, and the due time moved on
    elapsed = (datetime.now(UTC) - restarted_from).total_seconds()
    (due_before, paused_before), (due_after, paused_after) = paused_clock(before), paused_clock(after.json())
    assert paused_before <= paused_after <= paused_before + elapsed + 1 and due_before <= due_after
    assert [e["kind"] for e in before["history"]] == ["status", "assigned", "status", "note", "status"]
    back = await Chat.open(stack, chat.conversation_id)
    assert [m["text"] for m in back.welcome["history"]] == [m["text"] for m in before["transcript"]]
    await back.close()
    assert_all_running(stack)


async def test_action_server_down_hands_off_and_keeps_the_transcript(stack: Stack) -> None:
    stack.stop_service("actions")
    try:
        chat = await Chat.open(stack)
        lines = await chat.say("Where is my order?")
        reply = lines[-1]
        assert reply["sender"] in ("bot", "system")
        assert reply["payload"]["type"] == "handoff"
        data = ticket(stack, reply["payload"]["ticket"]["id"])
        assert data["transcript"][0]["text"] == "Where is my order?"  # type: ignore[index]
        await chat.close()
        assert_all_running(stack, "rasa", "bot")
    finally:
        stack.start_service("actions")
        stack.wait_healthy(["actions"], timeout=120)


async def test_rasa_down_hands_off_and_keeps_the_transcript(stack: Stack) -> None:
    stack.stop_service("rasa")
    chat = await Chat.open(stack)
    lines = await chat.say("Siparişimi iptal etmek istiyorum")
    reply = lines[-1]
    assert reply["payload"]["type"] == "handoff"
    assert "#" in reply["text"]
    data = ticket(stack, reply["payload"]["ticket"]["id"])
    assert data["reason"] == "assistant_unavailable"
    assert [m["sender"] for m in data["transcript"]] == ["visitor", "bot"]  # type: ignore[union-attr]
    await chat.close()
    assert_all_running(stack, "actions", "bot")
