"""Parsing of the visitor's WebSocket frames (the live socket is tested end to end)."""

import json

import pytest

from bot.blueprints.chat import VisitorFrame, parse_frame
from bot.rasa_client import merge_replies

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
