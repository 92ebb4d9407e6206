"""A service down mid-conversation: the visitor is handed to a human and nothing is lost.

These tests stop services, so conftest.py runs this module after every other.
"""

from __future__ import annotations

import pytest

from bot.stack import Stack
from tests.e2e.conftest import Chat
from tests.e2e.test_conversations import assert_all_running, ticket

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


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
