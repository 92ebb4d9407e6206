"""HTTP client for the bot service's search, question-log and ticket APIs."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional
from urllib.parse import quote, urlencode

import aiohttp

DEFAULT_BOT_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 10.0
SEARCH_CANDIDATES = 5  # the articles a search lists, best first


class BotServiceError(Exception):
    """The bot service could not be reached or refused the request."""


class BotServiceClient:
    def __init__(self, base_url: Optional[str] = None, timeout: Optional[float] = None) -> None:
        self.base_url = (base_url or os.environ.get("SUPPORTBOT_BOT_URL") or DEFAULT_BOT_URL).rstrip("/")
        seconds = timeout or float(os.environ.get("SUPPORTBOT_ACTION_TIMEOUT") or DEFAULT_TIMEOUT)
        self.timeout = aiohttp.ClientTimeout(total=seconds)

    async def _request(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.request(method, self.base_url + path, json=body) as response,
            ):
                data = await response.json(content_type=None)
                if response.status >= 400:
                    message = (data or {}).get("error", {}).get("message", response.reason)
                    raise BotServiceError(f"{method} {path} answered {response.status}: {message}")
                return data
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise BotServiceError(f"{method} {path} failed: {type(exc).__name__}: {exc}") from exc

    async def search(self, query: str, language: Optional[str], top_k: int = SEARCH_CANDIDATES) -> Dict[str, Any]:
        body: Dict[str, Any] = {"query": query, "top_k": top_k}
        if language:
            body["language"] = language
        return await self._request("POST", "/api/search", body)

    async def article(self, article_id: str, question: Optional[str] = None) -> Dict[str, Any]:
        """The article; with the visitor's ``question``, its ``summary`` is the paragraph that answers it."""
        query = f"?{urlencode({'question': question})}" if question and question.strip() else ""
        return await self._request("GET", f"/api/articles/{quote(article_id, safe='')}{query}")

    async def record_question(
        self,
        conversation_id: str,
        question: str,
        language: Optional[str],
        outcome: str,
        reason: Optional[str],
        article_id: Optional[str],
        candidates: List[Dict[str, Any]],
    ) -> Dict[str, Any]:
        """What the visitor was given for a question: answered, clarified or handoff (for the staff's reports)."""
        body = {
            "conversation_id": conversation_id,
            "question": question,
            "language": language,
            "outcome": outcome,
            "reason": reason,
            "article_id": article_id,
            "candidates": [{"id": c["id"], "score": c["score"]} for c in candidates[:10]],
        }
        return await self._request("POST", "/api/questions/", body)

    async def record_pick(self, conversation_id: str, article_id: str) -> Dict[str, Any]:
        body = {"conversation_id": conversation_id, "article_id": article_id}
        return await self._request("POST", "/api/questions/pick", body)

    async def record_feedback(self, conversation_id: str, helpful: bool) -> Dict[str, Any]:
        body = {"conversation_id": conversation_id, "helpful": helpful}
        return await self._request("POST", "/api/questions/feedback", body)

    async def create_ticket(
        self,
        conversation_id: str,
        reason: str,
        language: Optional[str],
        candidates: List[Dict[str, Any]],
        idempotency_key: str,
        visitor_name: Optional[str] = None,
        visitor_email: Optional[str] = None,
    ) -> Dict[str, Any]:
        body = {
            "conversation_id": conversation_id,
            "reason": reason,
            "language": language,
            "candidates": candidates,
            "idempotency_key": idempotency_key,
            "visitor_name": visitor_name,
            "visitor_email": visitor_email,
        }
        return await self._request("POST", "/api/tickets/", body)
