"""Custom actions: detect the language, answer from the knowledge base, hand off."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.bot_client import BotServiceClient, BotServiceError

log = logging.getLogger(__name__)

LANGUAGES = ("tr", "en")
NONE_OF_THESE = "/request_human"


def message_language(tracker: Tracker) -> Optional[str]:
    """The language the bot service detected for the latest message, else the slot's."""
    metadata = tracker.latest_message.get("metadata") or {}
    language = metadata.get("language")
    if language in LANGUAGES:
        return language
    slot = tracker.get_slot("language")
    return slot if slot in LANGUAGES else None


def answer_payload(candidate: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "type": "answer",
        "article": {"id": candidate["id"], "title": candidate["title"], "url": candidate.get("url", "")},
        "score": candidate.get("score"),
    }


def compact_candidates(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    """What the ticket keeps of a search: ids, titles and scores, plus the decision."""
    return [
        {"id": c["id"], "title": c["title"], "score": c["score"], "decision": result.get("decision")}
        for c in result.get("candidates", [])[:5]
    ]


class ActionDetectLanguage(Action):
    """Fills the ``language`` slot after every visitor message (custom slot mapping)."""

    def name(self) -> str:
        return "action_detect_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        language = message_language(tracker)
        return [SlotSet("language", language)] if language else []


class ActionAnswerFromKnowledgeBase(Action):
    def __init__(self, client: Optional[BotServiceClient] = None) -> None:
        self.client = client or BotServiceClient()

    def name(self) -> str:
        return "action_answer_from_kb"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        chosen = next(tracker.get_latest_entity_values("article_id"), None)
        if chosen:
            return await self.answer_article(dispatcher, str(chosen))
        text = tracker.latest_message.get("text") or ""
        try:
            result = await self.client.search(text, message_language(tracker))
        except BotServiceError as exc:
            log.warning("knowledge-base search failed: %s", exc)
            dispatcher.utter_message(response="utter_service_problem")
            return []
        decision = result.get("decision")
        candidates = {c["id"]: c for c in result.get("candidates", [])}
        if decision == "answer":
            best = candidates[result["options"][0]]
            dispatcher.utter_message(text=best["summary"], json_message=answer_payload(best))
            return [SlotSet("kb_candidates", compact_candidates(result))]
        if decision == "clarify":
            buttons = [
                {"title": candidates[i]["title"], "payload": f'/ask_question{{"article_id":"{i}"}}'}
                for i in result["options"]
            ]
            none_title = "None of these" if message_language(tracker) == "en" else "Hiçbiri"
            buttons.append({"title": none_title, "payload": NONE_OF_THESE})
            dispatcher.utter_message(response="utter_clarify", buttons=buttons)
            return [SlotSet("kb_candidates", compact_candidates(result))]
        await hand_off(self.client, dispatcher, tracker, "low_confidence", compact_candidates(result))
        return []

    async def answer_article(self, dispatcher: CollectingDispatcher, article_id: str) -> List[EventType]:
        """Answer with the article the visitor picked from the clarifying buttons."""
        try:
            article = await self.client.article(article_id)
        except BotServiceError as exc:
            log.warning("could not load the chosen article: %s", exc)
            dispatcher.utter_message(response="utter_service_problem")
            return []
        candidate = {"id": article["id"], "title": article["title"], "url": article["url"]}
        dispatcher.utter_message(text=article["summary"], json_message=answer_payload(candidate))
        return []


async def hand_off(
    client: BotServiceClient,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reason: str,
    candidates: List[Dict[str, Any]],
) -> None:
    """Create the ticket (idempotent per visitor message) and tell the visitor its number."""
    message_id = tracker.latest_message.get("message_id") or str(len(tracker.events))
    try:
        ticket = await client.create_ticket(
            conversation_id=tracker.sender_id,
            reason=reason,
            language=message_language(tracker),
            candidates=candidates,
            idempotency_key=f"{tracker.sender_id}:{message_id}",
        )
    except BotServiceError as exc:
        log.warning("could not create a ticket: %s", exc)
        dispatcher.utter_message(response="utter_service_problem")
        return
    response = "utter_ticket_requested" if reason == "visitor_request" else "utter_ticket_created"
    dispatcher.utter_message(
        response=response,
        ticket_id=ticket["id"],
        json_message={"type": "handoff", "ticket": {"id": ticket["id"], "reason": reason}},
    )


class ActionHandoff(Action):
    """The visitor asked for a human: create a ticket with what the bot last tried."""

    def __init__(self, client: Optional[BotServiceClient] = None) -> None:
        self.client = client or BotServiceClient()

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        candidates = tracker.get_slot("kb_candidates") or []
        await hand_off(self.client, dispatcher, tracker, "visitor_request", candidates)
        return [SlotSet("kb_candidates", None)]
