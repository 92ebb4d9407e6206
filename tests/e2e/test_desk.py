"""The handoff desk end to end: a visitor's socket and an agent's console socket at once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from bot.stack import Stack
from tests.e2e.conftest import REPLY_TIMEOUT, Chat, agent_api, agent_headers
from tests.e2e.test_dialogue import answered

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


class Console:
    """The agent console's live socket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, stack: Stack, headers: dict[str, str] | None = None) -> Console:
        url = stack.url.replace("http", "ws") + "/agent/ws"
        return cls(await websockets.connect(url, additional_headers=headers or {}))

    async def frame(self) -> dict[str, Any]:
        return dict(json.loads(await asyncio.wait_for(self.ws.recv(), REPLY_TIMEOUT)))

    async def until(self, wanted: Any) -> dict[str, Any]:
        """The first event for which ``wanted(event)`` is true."""
        while True:
            event = await self.frame()
            if wanted(event):
                return event


async def test_the_console_socket_refuses_anonymous_callers(stack: Stack) -> None:
    console = await Console.open(stack)
    event = await console.frame()
    assert event["type"] == "error" and event["error"]["code"] == "unauthorized"
    await console.ws.close()


async def test_the_console_socket_refuses_a_page_of_another_origin(stack: Stack) -> None:
    console = await Console.open(stack, {**agent_headers(stack), "Origin": "https://evil.example"})
    event = await console.frame()
    assert event["type"] == "error" and event["error"]["code"] == "unauthorized"
    await console.ws.close()


async def test_visitor_and_agent_talk_live_then_the_bot_takes_over_again(stack: Stack) -> None:
    console = await Console.open(stack, agent_headers(stack))
    assert (await console.frame())["type"] == "welcome"
    chat = await Chat.open(stack)
    await chat.say("Temsilciyle görüşmek istiyorum", replies=2)
    await chat.say("Geç", payload="/deny")
    done = (await chat.say("elif@ornek.com"))[-1]
    number = done["payload"]["ticket"]["id"]
    created = await console.until(lambda e: e["type"] == "ticket" and e["ticket"]["id"] == number)
    assert created["ticket"]["visitor_email"] == "elif@ornek.com"

    claimed = agent_api(stack, "POST", f"/api/tickets/{number}/claim")
    assert claimed.status_code == 200 and claimed.json()["status"] == "open"
    reply = agent_api(stack, "POST", f"/api/tickets/{number}/messages", json={"text": "Merhaba Elif, ben Deniz."})
    assert reply.status_code == 201
    line = (await chat.frame())["message"]
    assert (line["sender"], line["text"]) == ("agent", "Merhaba Elif, ben Deniz.")
    assert line["payload"]["agent"]["name"] == "Deniz"

    await chat.send_raw(json.dumps({"type": "message", "text": "Siparişim 3 gündür kargoda bekliyor."}))
    heard = await console.until(lambda e: e["type"] == "message" and e["message"]["sender"] == "visitor")
    assert heard["message"]["text"] == "Siparişim 3 gündür kargoda bekliyor."
    assert heard["message"]["payload"]["ticket"] == number
    assert [m["sender"] for m in await chat.quiet(3)] == ["visitor"]  # its echo only: the bot stays silent

    solved = agent_api(stack, "PATCH", f"/api/tickets/{number}", json={"status": "solved"})
    assert solved.status_code == 200
    back = (await chat.until_reply())[-1]
    assert back["payload"]["type"] == "bot_back"
    answer, _ = await answered(chat, "Kargo ücreti ne kadar?")
    assert answer["payload"]["article"]["id"] == "kargo-ucreti"

    detail = agent_api(stack, "GET", f"/api/tickets/{number}").json()
    senders = [m["sender"] for m in detail["transcript"]]
    assert "agent" in senders and senders.count("visitor") >= 4
    assert [(e["old"], e["new"]) for e in detail["history"] if e["kind"] == "status"] == [
        (None, "new"),
        ("new", "open"),
        ("open", "solved"),
    ]
    await chat.close()
    await console.ws.close()
