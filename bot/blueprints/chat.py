"""The visitor side: the demo page, the widget, its WebSocket and its unload beacon.

WebSocket protocol (``/chat/ws?conversation=<id>``), JSON text frames:

- visitor -> bot: ``{"type": "message", "text": "...", "id": "<client id>"}``; for a
  quick-reply button also ``"payload": "<button payload>"``. ``id`` is optional: a
  client that resends a message it saw no acknowledgement for uses the same id,
  and the server records it once.
- bot -> visitor: ``{"type": "welcome", "conversation_id": ..., "history": [message, ...]}`` once,
  then ``{"type": "message", "message": {...}}`` for every transcript line (the
  visitor's own lines included, as the server's acknowledgement), and
  ``{"type": "error", "error": {"status", "code", "message"}}`` for a bad frame.

A page that unloads with messages not yet acknowledged posts them to
``POST /chat/messages`` (see :func:`post_messages`), so that none is lost when the
socket closes before the server has read them.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sanic import Blueprint, Request
from sanic.exceptions import ServerError
from sanic.response import HTTPResponse, file
from sanic.response import json as json_response

from bot.blueprints._validate import json_body
from bot.errors import ApiError, error_body
from bot.hub import ConversationHub
from bot.static import STATIC_DIR
from bot.storage import Message

bp = Blueprint("chat")
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@bp.get("/")
async def index(request: Request) -> HTTPResponse:
    return await file(STATIC_DIR / "index.html", mime_type="text/html; charset=utf-8")


def _frame(kind: str, **data: Any) -> str:
    return json.dumps({"type": kind, **data}, ensure_ascii=False)


def _error(status: int, code: str, message: str) -> str:
    return _frame("error", **error_body(status, code, message))


@dataclass(frozen=True)
class VisitorFrame:
    text: str
    command: str | None = None
    client_id: str | None = None


FRAME_HELP = 'Frames must be JSON like {"type": "message", "text": "..."}.'
MAX_COMMAND_CHARS = 500


def parse_frame(frame: str | bytes) -> tuple[VisitorFrame | None, str | None]:
    """Return ``(frame, None)`` for a good message frame, or ``(None, error frame)``."""
    if isinstance(frame, bytes):
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError:
            return None, _error(400, "invalid_encoding", "Messages must be UTF-8 text.")
    try:
        data = json.loads(frame)
    except ValueError:
        return None, _error(400, "invalid_frame", FRAME_HELP)
    try:
        return visitor_message(data), None
    except ApiError as exc:
        return None, _error(exc.status_code, exc.code, exc.message)


def visitor_message(data: Any) -> VisitorFrame:
    """Check one decoded message frame; :class:`ApiError` says what is wrong with it."""
    if not isinstance(data, dict) or data.get("type") != "message" or not isinstance(data.get("text"), str):
        raise ApiError(FRAME_HELP, code="invalid_frame")
    command = data.get("payload")
    if command is not None and (not isinstance(command, str) or len(command) > MAX_COMMAND_CHARS):
        raise ApiError(f"'payload' must be a string of at most {MAX_COMMAND_CHARS} characters.", code="invalid_frame")
    text = data["text"].replace("\x00", "").strip()
    if not text:
        raise ApiError("The message is empty. Please type a question.", code="empty_message")
    client_id = data.get("id")
    if client_id is not None and (not isinstance(client_id, str) or not CLIENT_ID.match(client_id)):
        raise ApiError("'id' must be 1-64 letters, digits, - or _.", code="invalid_frame")
    command = command.strip() if command else None
    return VisitorFrame(text, command or None, client_id)


@bp.websocket("/chat/ws")
async def chat_socket(request: Request, ws: Any) -> None:
    hub: ConversationHub = request.app.ctx.hub
    conversation_id = request.args.get("conversation") or uuid.uuid4().hex
    if not CONVERSATION_ID.match(conversation_id):
        await ws.send(_error(400, "invalid_conversation", "conversation must be 8-64 letters, digits, - or _."))
        await ws.close()
        return

    async def deliver(message: Message) -> None:
        await ws.send(_frame("message", message=message.to_dict()))

    async def receive(frame: str | bytes, answer: bool = True) -> None:
        parsed, error = parse_frame(frame)
        if error is not None and answer:
            await ws.send(error)
        elif parsed is not None:
            hub.submit(conversation_id, parsed.text, parsed.command, parsed.client_id)

    try:
        history = [m.to_dict() for m in hub.conversations.transcript(conversation_id)]
        await ws.send(_frame("welcome", conversation_id=conversation_id, history=history))
        hub.subscribe(conversation_id, deliver)
        async for frame in ws:
            await receive(frame)
    finally:
        hub.unsubscribe(conversation_id, deliver)
        # A message that arrived with the close (a page sending, then unloading) is recorded
        # too, even when the close cut this handler short; the socket is gone, so no errors.
        hub.outlive(read_unread(ws, functools.partial(receive, answer=False)))


# A page that unloads before its messages were acknowledged sends them with
# navigator.sendBeacon, which browsers cap at 64 KiB; a little more is allowed.
MAX_BEACON_BYTES = 256 * 1024
MAX_BEACON_MESSAGES = 32


@bp.post("/chat/messages")
async def post_messages(request: Request) -> HTTPResponse:
    """Messages a page sends as it unloads, in the WebSocket's frame format.

    Body: ``{"conversation": "<id>", "messages": [frame, ...]}``, read as JSON
    whatever its content type: a beacon sent as plain text needs no CORS
    preflight. Every message is checked first; one bad message rejects the
    request and records nothing. Each is then handled as if it came over the
    socket, and an ``id`` already recorded (the socket got there first, or a
    later reconnect resends it) is ignored. Answers reach the conversation's
    socket and history.
    """
    if len(request.body or b"") > MAX_BEACON_BYTES:
        raise ApiError(f"the body must be at most {MAX_BEACON_BYTES} bytes", status_code=413, code="too_large")
    body = json_body(request)
    conversation_id = body.get("conversation")
    if not isinstance(conversation_id, str) or not CONVERSATION_ID.match(conversation_id):
        raise ApiError("'conversation' must be 8-64 letters, digits, - or _.", code="invalid_conversation")
    frames = body.get("messages")
    if not isinstance(frames, list) or not 1 <= len(frames) <= MAX_BEACON_MESSAGES:
        raise ApiError(f"'messages' must be a list of 1 to {MAX_BEACON_MESSAGES} message frames.", code="invalid_field")
    messages = []
    for index, frame in enumerate(frames):
        try:
            messages.append(visitor_message(frame))
        except ApiError as exc:
            raise ApiError(f"messages[{index}]: {exc.message}", code=exc.code) from exc
    hub: ConversationHub = request.app.ctx.hub
    for message in messages:  # in order: the hub handles a conversation's messages one at a time
        hub.submit(conversation_id, message.text, message.command, message.client_id)
    return json_response({"conversation": conversation_id, "received": len(messages)}, status=202)


MAX_UNREAD_FRAMES = 32
# How long to wait for Sanic to hand over a message that arrived with the close. Sanic parses
# incoming frames at once but queues them in a task of its own, which may not have run yet
# when the handler ends. Nobody waits on this: the visitor has gone.
UNREAD_WAIT_SECONDS = 0.5


async def read_unread(ws: Any, receive: Callable[[str | bytes], Awaitable[None]]) -> None:
    """Hand each message Sanic received on the closed ``ws`` but nobody read to ``receive``.

    Sanic parks each incoming message in its frame assembler until the
    handler reads it. When a message and the close frame arrive together,
    the close can end the handler first (its wait is cancelled, or the
    connection is lost while it is still sending the welcome), and the
    message stays parked, or is about to be. The handler may be cancelled
    again while it waits, so run this in a task of its own. It finds nothing
    when this server has no such assembler (another Sanic version, or an
    ASGI server).
    """
    get = getattr(getattr(ws, "assembler", None), "get", None)
    if get is None:
        return
    for _ in range(MAX_UNREAD_FRAMES):
        try:
            message = await get(timeout=UNREAD_WAIT_SECONDS)
        except ServerError:  # the handler's cancelled read has not let go of the assembler yet
            await asyncio.sleep(0.01)
            continue
        if message is None:
            return
        await receive(message)
