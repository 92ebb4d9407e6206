"""Parsing of the visitor's WebSocket frames (the live socket is tested end to end), and the unload beacon."""

import json

import pytest
from sanic import Sanic

from bot.blueprints.chat import VisitorFrame, parse_frame
from bot.rasa_client import merge_replies
from bot.storage import SQLiteStore

pytestmark = pytest.mark.unit


def error_code(frame: str | None) -> str:
    assert frame is not None
    return str(json.loads(frame)["error"]["code"])


def test_good_frame() -> None:
    assert parse_frame('{"type": "message", "text": "  merhaba  "}') == (VisitorFrame("merhaba"), None)
    assert parse_frame(b'{"type": "message", "text": "hi"}') == (VisitorFrame("hi"), None)


def test_frame_with_a_client_id() -> None:
    parsed, _ = parse_frame('{"type": "message", "text": "hi", "id": "m-1"}')
    assert parsed == VisitorFrame("hi", None, "m-1")


def test_button_frame_carries_its_payload() -> None:
    frame = '{"type": "message", "text": "Kargo ücreti", "payload": "/ask_question{\\"article_id\\":\\"kargo\\"}"}'
    parsed, error = parse_frame(frame)
    assert error is None and parsed is not None
    assert parsed.text == "Kargo ücreti"
    assert parsed.command == '/ask_question{"article_id":"kargo"}'


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\xff\xfe\x00bad", "invalid_encoding"),
        ("not json", "invalid_frame"),
        ('["a list"]', "invalid_frame"),
        ('{"type": "message", "text": 5}', "invalid_frame"),
        ('{"type": "message", "text": "   "}', "empty_message"),
        ('{"type": "message", "text": "\\u0000"}', "empty_message"),
        ('{"type": "message", "text": "x", "payload": 5}', "invalid_frame"),
        ('{"type": "message", "text": "x", "id": "bad id!"}', "invalid_frame"),
    ],
)
def test_bad_frames_get_a_clear_error(frame: str | bytes, code: str) -> None:
    text, error = parse_frame(frame)
    assert text is None
    assert error_code(error) == code


def test_rasa_text_and_custom_items_are_joined() -> None:
    replies = merge_replies(
        [
            {"recipient_id": "c", "text": "Answer"},
            {"recipient_id": "c", "custom": {"type": "answer", "article": {"id": "a"}}},
            {"recipient_id": "c", "text": "Which one?", "buttons": [{"title": "A", "payload": "/x"}]},
        ]
    )
    assert [r.text for r in replies] == ["Answer", "Which one?"]
    assert replies[0].custom["article"] == {"id": "a"}
    assert replies[1].payload()["buttons"] == [{"title": "A", "payload": "/x"}]


# -- POST /chat/messages: what a page sends as it unloads ------------------------------

CONVERSATION = "beacon-conversation-1"
OK = {"type": "message", "text": "ok"}


def beacon(*messages: object, conversation: str = CONVERSATION) -> str:
    return json.dumps({"conversation": conversation, "messages": list(messages)})


async def test_an_unload_beacon_records_and_answers_its_messages_in_order(app: Sanic, store: SQLiteStore) -> None:
    body = beacon(
        {"type": "message", "text": "siparişim nerede", "id": "m-1"},
        {"type": "message", "text": "bir de iade", "id": "m-2"},
    )
    # sent as text/plain, as navigator.sendBeacon sends a string: no CORS preflight
    _, response = await app.asgi_client.post("/chat/messages", content=body, headers={"content-type": "text/plain"})
    assert response.status == 202, response.text
    assert response.json == {"conversation": CONVERSATION, "received": 2}
    await app.ctx.hub.drain()
    lines = [(m.sender, m.text) for m in store.transcript(CONVERSATION)]
    hello = ("bot", "Merhaba!")
    assert lines == [("visitor", "siparişim nerede"), hello, ("visitor", "bir de iade"), hello]


async def test_a_message_the_socket_or_an_earlier_beacon_delivered_is_recorded_once(
    app: Sanic, store: SQLiteStore
) -> None:
    shipping = {"type": "message", "text": "kargo ücreti", "id": "m-1"}
    first, again = beacon(shipping), beacon(shipping, {"type": "message", "text": "ve", "id": "m-2"})
    for body in (first, again):
        _, response = await app.asgi_client.post("/chat/messages", content=body)
        assert response.status == 202
        await app.ctx.hub.drain()
    visitor = [m.payload["client_id"] for m in store.transcript(CONVERSATION) if m.sender == "visitor"]
    assert visitor == ["m-1", "m-2"]


@pytest.mark.parametrize(
    ("body", "status", "code", "names"),
    [
        ("not json", 400, "invalid_json", "JSON"),
        (b"\xff\xfe\x00", 400, "invalid_json", "JSON"),
        (json.dumps(["a list"]), 400, "invalid_json", "object"),
        (beacon({"type": "message", "text": "x"}, conversation="bad id!"), 400, "invalid_conversation", "conversation"),
        (json.dumps({"conversation": CONVERSATION}), 400, "invalid_field", "messages"),
        (json.dumps({"conversation": CONVERSATION, "messages": []}), 400, "invalid_field", "messages"),
        (beacon(*[{"type": "message", "text": "x"}] * 33), 400, "invalid_field", "messages"),
        (beacon(OK, {"type": "message", "text": "  "}), 400, "empty_message", "messages[1]"),
        (beacon({"type": "message", "text": "ok", "id": "bad id!"}), 400, "invalid_frame", "messages[0]"),
        (beacon({"type": "message", "text": "x" * 300_000}), 413, "too_large", "bytes"),
    ],
)
async def test_a_bad_beacon_gets_a_clear_error_and_records_nothing(
    app: Sanic, store: SQLiteStore, body: str | bytes, status: int, code: str, names: str
) -> None:
    _, response = await app.asgi_client.post("/chat/messages", content=body)
    assert response.status == status, response.text
    error = response.json["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert names in error["message"]
    await app.ctx.hub.drain()
    assert store.transcript(CONVERSATION) == []
