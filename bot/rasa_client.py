"""Talks to the Rasa server's REST channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx


class RasaUnavailable(Exception):
    """Rasa could not be reached, timed out or answered with an error."""


@dataclass(frozen=True)
class BotReply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.buttons:
            data["buttons"] = self.buttons
        if self.custom:
            data.update(self.custom)
        return data


class Assistant(Protocol):
    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]: ...


def merge_replies(raw: list[dict[str, Any]]) -> list[BotReply]:
    """Rasa sends a message's text and its custom JSON as two items; join them again."""
    replies: list[BotReply] = []
    for item in raw:
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
        text = str(item.get("text") or (custom or {}).get("text") or "")
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in item.get("buttons") or []
            if isinstance(b, dict)
        ]
        if not text and not buttons and custom and replies:
            last = replies[-1]
            replies[-1] = BotReply(last.text, last.buttons, {**last.custom, **custom})
        elif text or buttons:
            replies.append(BotReply(text, buttons, dict(custom or {})))
    return replies


class RasaClient:
    """The REST channel of a running Rasa server."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self._url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self._client = httpx.AsyncClient(timeout=timeout)

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            response = await self._client.post(self._url, json=body)
            response.raise_for_status()
            raw = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(raw, list):
            raise RasaUnavailable("Rasa answered with something other than a list of messages")
        return merge_replies(raw)

    async def close(self) -> None:
        await self._client.aclose()
