"""Custom actions: language, knowledge-base answers, failed attempts and the handoff form.

Every visitor-facing sentence is a response in domain.yml; the actions choose
which one and fill its values. The bot service (bot/) does the searching and
keeps the tickets: the actions reach it over HTTP through ``BotServiceClient``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from typing import Any, Awaitable, Dict, List, Optional, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bot_client import SEARCH_CANDIDATES, BotServiceClient, BotServiceError
from actions.hidden_questions import asks_about_the_last, leading_feedback, names_something_else, question_part

log = logging.getLogger(__name__)

LANGUAGES = ("tr", "en")
NONE_OF_THESE = "/none_of_these"
MAX_KEPT_CANDIDATES = 10
MAX_CONTEXT_CHARS = 300
# A follow-up searched alone lists this many articles, so that the previous question's article,
# found with the context, is usually among them with its coverage of the follow-up's words.
FOLLOW_UP_CANDIDATES = 10
FAILURES_BEFORE_HANDOFF = 2
# These intents may be questions in disguise ("kargoyu iptal et", "hayır, ben iade süresini sordum"):
# see actions/hidden_questions.py. The rules send them here only outside the form, and a yes, a no,
# "none of these" or thanks only where a question may come with it (data/feedback.yml).
PERHAPS_QUESTIONS = (
    "cancel",
    "inform",
    "greet",
    "capabilities",
    "bot_challenge",
    "affirm",
    "deny",
    "none_of_these",
    "thank",
)
# kb_outcome when such a message was not one: the rules reply as to the intent ("anything else?", a greeting)
NOT_A_QUESTION = "not_a_question"

_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
# A follow-up leans on the previous question: "peki ya kargo ücreti?", "what about returns?"
# It may come after a yes or an OK to "anything else?" ("evet, bir de kargo ücreti ne kadar").
_FOLLOW_UP = re.compile(
    r"^\s*((evet|tamam(d[ıi]r)?|ok(ay)?|yes)\b[\s,.!]*)?((and|ve)\s+)?"
    r"(peki( ya)?|ya|bir de|ayrıca|ayrica|ve|and|what about|how about|also|what if)\b",
    re.IGNORECASE,
)
# Turkish often says it last: "verilerim ne olacak peki" (and my data, then?), which a walk got
# handed off alone right after the answer on deleting an account.
_TRAILING_FOLLOW_UP = re.compile(r"[\s,]+(peki|o zaman|öyleyse|then)\s*[?!.]*\s*$", re.IGNORECASE)
# An explicit request for a person inside a longer message ("Kargom gelmedi, canlı destek istiyorum"),
# which the intent classifier may take for a question: the visitor asked, so they get a person.
# A question about the service ("canlı destek saatleri?") has no request verb and is searched.
_ASKS_FOR_A_PERSON = re.compile(
    r"(canl[ıi] destek\w*|temsilci\w*|yetkili\w*|insanla|ger[çc]ek bir ki[şs]i\w*)\s+(\w+\s+)?"
    r"(istiyorum|isterim|laz[ıi]m|ba[ğg]la|aktar|g[öo]r[üu][şs]|konu[şs])"
    r"|\b(talk|speak|chat)\s+(to|with)\s+(a\s+|an\s+)?(real\s+)?(human|person|agent|representative|someone)\b"
    r"|\b(want|need)\s+(a|an|to talk to a)\s+(real\s+)?(human|person|agent|representative)\b",
    re.IGNORECASE,
)
_NAME_PREFIX = re.compile(r"^\s*(benim adım|adım|ismim|my name is|my name's|name is|i am|i'm|call me)\s+", re.I)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_EMAIL_IN_TEXT = re.compile(r"[^@\s,;:<>()]+@[^@\s,;:<>()]+")
# Longer than this, or with a question mark, a digit, a link or an @, an answer to
# "what name should our agent use?" is something else: a question, an order number...
MAX_NAME_WORDS = 4
# A question typed at the name prompt without a question mark ("kapıda ödeme var mı", "how do I
# pay") is no name either: a Turkish question particle after the first word, a Turkish question
# word, or an English question's first word. A walk got a ticket named "kapıda ödeme var mı".
_QUESTION_NOT_NAME = re.compile(
    r"\s(m[ıiuü](y[ıiuü]m|s[ıiuü]n|s[ıiuü]n[ıiuü]z|y[ıiuü]z|d[ıiuü]r)?)\b"
    r"|\b(nas[ıi]l|nerede|nerde|neden|niye|ni[çc]in|hangi|ka[çc]|ne)\b"
    r"|^(how|what|where|when|why|which|do|does|is|are)\b",
    re.IGNORECASE,
)
# "bir sorum daha var", "I have a question": words of asking
_SPEAKS_OF_A_QUESTION = re.compile(r"\b(soru|sora|sorm|question|ask)", re.IGNORECASE)
# what may stand before an address typed after the name: "Zeynep, mailim zeynep@..."
_EMAIL_LABEL = re.compile(
    r"[\s,;:-]*\b(e-?posta(m|\s+adresim)?|e-?mail(im|\s+adresim)?|mail(im|\s+adresim)?|"
    r"(my\s+)?e-?mail(\s+address)?(\s+is)?)\s*[:=-]?\s*$",
    re.I,
)


def message_language(tracker: Tracker) -> Optional[str]:
    """The language the bot service detected for the latest message, else the slot's."""
    metadata = tracker.latest_message.get("metadata") or {}
    language = metadata.get("language")
    if language in LANGUAGES:
        return language
    slot = tracker.get_slot("language")
    return slot if slot in LANGUAGES else None


def asks_for_a_person(text: str) -> bool:
    return bool(_ASKS_FOR_A_PERSON.search(text))


def searchable_text(text: str) -> str:
    """The message without links; empty when nothing readable is left (emoji, a bare URL)."""
    text = _URL.sub(" ", text)
    return " ".join(text.split()) if any(ch.isalnum() for ch in text) else ""


def shows_something(text: str) -> bool:
    """Whether a message with no words holds emoji or a link (which the bot cannot read), not
    punctuation alone ("???", "..."), which gets a plain "sorry, I didn't catch that"."""
    return bool(_URL.search(text)) or any(unicodedata.category(ch) in ("So", "Sk") for ch in text)  # emoji, skin tones


def is_follow_up(text: str) -> bool:
    return bool(_FOLLOW_UP.match(text) or _TRAILING_FOLLOW_UP.search(text))


def without_follow_up_word(text: str) -> str:
    """The follow-up without the word that marks it ("peki ya kargo ücreti?" -> "kargo ücreti?").

    The word says only that the message leans on the one before; searched, it pulls
    the scores down ("peki ya kargoya verildiyse?" 0.61, handed off; "kargoya
    verildiyse?" 0.82) and can tip which paragraph is shown.
    """
    marked_first = _FOLLOW_UP.match(text)  # then a word said last stays: "what about by card then?"
    rest = _FOLLOW_UP.sub("", text, count=1) if marked_first else _TRAILING_FOLLOW_UP.sub("", text)
    rest = rest.strip(" ,")
    return rest if any(ch.isalnum() for ch in rest) else text


def covers_follow_up(alone: Dict[str, Any], article_id: str) -> bool:
    """Whether ``article_id`` has the follow-up's words as well as the article the follow-up finds alone.

    ``alone`` is the follow-up's own search; its candidates carry their ``coverage`` of its
    words (weighed by rarity). An article it does not list covers nothing of them. Without
    coverage (a knowledge base too small for an article classifier) there is nothing to
    compare, and the context's article is not held against.
    """
    candidates = alone.get("candidates") or []
    if not candidates or candidates[0].get("coverage") is None:
        return True
    found = {c["id"]: c.get("coverage") or 0.0 for c in candidates}
    return found.get(article_id, 0.0) >= candidates[0]["coverage"]


def best_score(result: Dict[str, Any]) -> float:
    """The score of a search's best candidate (0 when it found none)."""
    candidates = result.get("candidates") or []
    return float(candidates[0]["score"]) if candidates else 0.0


def answer_payload(candidate: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "type": "answer",
        "article": {"id": candidate["id"], "title": candidate["title"], "url": candidate.get("url", "")},
        "score": candidate.get("score"),
    }


def say_answer(dispatcher: CollectingDispatcher, result: Dict[str, Any]) -> None:
    """Show the article a search answered with (its paragraph, title and link)."""
    best = next(c for c in result.get("candidates", []) if c["id"] == result["options"][0])
    dispatcher.utter_message(text=best["summary"], json_message=answer_payload(best))


def compact_candidates(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    """What the ticket keeps of a search: ids, titles and scores, plus the decision."""
    return [
        {"id": c["id"], "title": c["title"], "score": c["score"], "decision": result.get("decision")}
        for c in result.get("candidates", [])[:5]
    ]


def merge_candidates(kept: Optional[List[Dict[str, Any]]], new: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Every article tried since the last ticket, best score first, each once."""
    best: Dict[str, Dict[str, Any]] = {}
    for c in list(kept or []) + new:
        if c["id"] not in best or c["score"] > best[c["id"]]["score"]:
            best[c["id"]] = c
    return sorted(best.values(), key=lambda c: -c["score"])[:MAX_KEPT_CANDIDATES]


def name_and_email(text: str) -> Tuple[str, Optional[str]]:
    """What a visitor typed at the name prompt: the name ("" when it is none) and an e-mail address typed there.

    "Ayşe, ayse@example.com" gives both, "ayse@example.com" the address alone,
    and a question asked instead ("kargom nerede?") neither: the form then asks
    for the address, and the question stays in the transcript for the agent.
    """
    email = None
    found = _EMAIL_IN_TEXT.search(text)
    typed = found.group(0).rstrip(".") if found else ""
    if found and email_problem(typed) is None:
        email = typed
        text = _EMAIL_LABEL.sub("", text[: found.start()]) + " " + text[found.end() :]
    name = _NAME_PREFIX.sub("", text.strip()).strip(" .!,;:-")
    words = name.split()
    looks_like_a_name = (
        0 < len(words) <= MAX_NAME_WORDS
        and any(ch.isalpha() for ch in name)  # not "👍"
        and not re.search(r"[?\d@]|://|www\.", name)
        and not _QUESTION_NOT_NAME.search(name)
    )
    return (name[:100] if looks_like_a_name else ""), email


def last_bot_action(tracker: Tracker) -> Optional[str]:
    """The bot's last action before the visitor's latest message (None at the start)."""
    seen_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_message = True
        elif seen_message and event.get("event") == "action" and event.get("name") != "action_listen":
            return str(event.get("name"))
    return None


def refuses_last_turn(tracker: Tracker, intent: str) -> bool:
    """Whether a no or "none of these" turns down the bot's last turn: an answer ("did this
    help?") or choices. A yes or thanks with a question in it is no clear verdict either way:
    "teşekkürler ama param hala yatmadı" thanks for an answer that did not help."""
    last = last_bot_action(tracker)
    choices = last == "action_answer_from_kb" and tracker.get_slot("kb_outcome") == "clarified"
    return intent in ("deny", "none_of_these") and (choices or last == "utter_ask_feedback")


async def log_for_staff(call: Awaitable[Any], what: str) -> None:
    """Record something for the staff's reports; the visitor's conversation goes on if it fails."""
    try:
        await call
    except BotServiceError as exc:
        log.warning("could not record %s: %s", what, exc)


async def record_search(
    client: BotServiceClient, conversation_id: str, query: str, language: Optional[str], result: Dict[str, Any]
) -> None:
    """Record what a search decided, for the staff's reports: the article answered with, the
    articles offered as choices, or (handed off) every candidate tried."""
    candidates = {c["id"]: c for c in result.get("candidates", [])}
    outcome = {"answer": "answered", "clarify": "clarified"}.get(str(result.get("decision")), "handoff")
    answered = result["options"][0] if outcome == "answered" else None
    tried = [candidates[i] for i in result.get("options", [])] if outcome == "clarified" else []
    record = client.record_question(
        conversation_id, query, language, outcome, result.get("reason"), answered, tried or list(candidates.values())
    )
    await log_for_staff(record, "the question's outcome")


def email_problem(value: str) -> Optional[str]:
    """None for a plausible address, else the response that says what is wrong with it."""
    if "@" not in value:
        return "utter_invalid_email_no_at"
    if " " in value.strip() or value.count("@") > 1:
        return "utter_invalid_email_format"
    if not _EMAIL.match(value.strip()):
        return "utter_invalid_email_domain"
    return None


class ActionDetectLanguage(Action):
    """Fills the ``language`` slot after every visitor message (custom slot mapping)."""

    def name(self) -> str:
        return "action_detect_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = message_language(tracker)
        return [SlotSet("language", language)] if language else []


class ActionAnswerFromKnowledgeBase(Action):
    """Search the knowledge base; set ``kb_outcome`` so that the rules know what comes next."""

    def __init__(self, client: Optional[BotServiceClient] = None) -> None:
        self.client = client or BotServiceClient()

    def name(self) -> str:
        return "action_answer_from_kb"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        chosen = next(tracker.get_latest_entity_values("article_id"), None)
        if chosen:
            question = tracker.get_slot("last_question")
            return await self.answer_article(dispatcher, tracker.sender_id, str(chosen), question)
        text = searchable_text(tracker.latest_message.get("text") or "")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in PERHAPS_QUESTIONS:
            return await self.perhaps_a_question(dispatcher, tracker, text, str(intent))
        if not text:
            raw = tracker.latest_message.get("text") or ""
            dispatcher.utter_message(response="utter_unreadable" if shows_something(raw) else "utter_no_words")
            return [SlotSet("kb_outcome", "unreadable")]
        if asks_for_a_person(text):  # the rules start the handoff form, as for the request_human intent
            dispatcher.utter_message(response="utter_handoff_requested")
            return [SlotSet("kb_outcome", "handoff"), SlotSet("handoff_reason", "visitor_request")]
        language = message_language(tracker)
        # "evet, bir de kargo ücreti" is a follow-up, not a yes; "hayır, ... peki" is a no first
        feedback = None if _FOLLOW_UP.match(text) else leading_feedback(text)
        if feedback:  # "hayır, ben iade süresini sordum" read as a question: "iade süresini" is searched
            text = question_part(text, feedback)
        try:
            query, result = await self.search(text, tracker.get_slot("last_question"), language)
        except BotServiceError as exc:
            log.warning("knowledge-base search failed: %s", exc)
            dispatcher.utter_message(response="utter_service_problem")
            return [SlotSet("kb_outcome", "failed")]
        refused = await self.refusal(tracker, feedback) if feedback else []
        return [*refused, *await self.respond(dispatcher, tracker, query, result, language)]

    async def perhaps_a_question(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str, intent: str
    ) -> List[EventType]:
        """A cancel, contact details, a greeting, "what can you do?", "are you a bot?", a yes, a no, "none of
        these" or thanks: answered when it names something the knowledge base answers or clarifies ("kargoyu
        iptal et", "hayır, ben iade süresini sordum"); otherwise the rules reply as to the intent.

        It never hands off: the visitor did not ask a question the bot failed, and
        a bare "iptal" must not start the form it would cancel.
        """
        typed = (tracker.latest_message.get("text") or "").lstrip()
        # "can I cancel it?" after an answer asks about what the answer was about: a bare cancel
        # asked, not said, is searched with the previous question (a walk got "All right. Anything
        # else?" for it after the answer on a late order)
        about_the_last = bool(text) and asks_about_the_last(text, intent)
        if typed.startswith("/") or not text or not (about_the_last or names_something_else(text, intent)):
            return [SlotSet("kb_outcome", NOT_A_QUESTION)]  # "/" is a button
        language = message_language(tracker)
        try:
            query, result = await self.search(
                question_part(text, intent), tracker.get_slot("last_question"), language, about_the_last
            )
        except BotServiceError as exc:
            log.warning("knowledge-base search failed: %s", exc)
            return [SlotSet("kb_outcome", NOT_A_QUESTION)]
        if result.get("decision") not in ("answer", "clarify"):
            return [SlotSet("kb_outcome", NOT_A_QUESTION)]
        refused = await self.refusal(tracker, intent)
        return [*refused, *await self.respond(dispatcher, tracker, query, result, language)]

    async def refusal(self, tracker: Tracker, intent: str) -> List[EventType]:
        """A no to the last answer or choices that came with a question: recorded for the staff's
        reports, before the new question is, and counted as a failed attempt (another one in a row
        hands off). The rule that counts a 👎 does not run when the question is answered."""
        if not refuses_last_turn(tracker, intent):
            return []
        await log_for_staff(self.client.record_feedback(tracker.sender_id, False), "a no to the last turn")
        return [SlotSet("failed_attempts", float(int(tracker.get_slot("failed_attempts") or 0) + 1))]

    async def respond(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        query: str,
        result: Dict[str, Any],
        language: Optional[str],
    ) -> List[EventType]:
        """Answer, ask which article is meant, or say a person will help, as the search decided."""
        events: List[EventType] = [
            SlotSet("last_question", query[-MAX_CONTEXT_CHARS:]),
            SlotSet("kb_candidates", merge_candidates(tracker.get_slot("kb_candidates"), compact_candidates(result))),
        ]
        decision = result.get("decision")
        candidates = {c["id"]: c for c in result.get("candidates", [])}
        await record_search(self.client, tracker.sender_id, query, language, result)
        if decision == "answer":
            say_answer(dispatcher, result)
            return [*events, SlotSet("kb_outcome", "answered")]
        if decision == "clarify":
            buttons = [
                {"title": candidates[i]["title"], "payload": f'/ask_question{{"article_id":"{i}"}}'}
                for i in result["options"]
            ]
            buttons.append({"title": "None of these" if language == "en" else "Hiçbiri", "payload": NONE_OF_THESE})
            dispatcher.utter_message(response="utter_clarify", buttons=buttons)
            return [*events, SlotSet("kb_outcome", "clarified")]
        dispatcher.utter_message(response="utter_cannot_answer")
        return [*events, SlotSet("kb_outcome", "handoff"), SlotSet("handoff_reason", "low_confidence")]

    async def search(
        self, text: str, previous: Optional[str], language: Optional[str], about_the_last: bool = False
    ) -> tuple:
        """Search the message; a follow-up also with the previous question, keeping the surer reading.

        A follow-up that does not name its topic ("what if it has already shipped?")
        needs the context. One that names it ("peki ya kargo ücreti?") is answered
        best alone: joined to the previous question, the old topic pulls the search
        its way. One that names half of it ("what about with a credit card then?"
        after a question about instalments with a debit card) is answered alone from
        the wrong article (payment methods, 0.90) and joined from the right one
        (instalments, 1.08). So the joined search is kept when it answers and the
        message alone is handed off, or when it answers with a higher score than the
        message alone gets and its article has the follow-up's own words as well as
        the article the message alone finds (:func:`covers_follow_up`). The previous
        question's exact words score so high that, joined, they win on score alone:
        "peki ya yurtdışına gönderiyomusunuz" after "takip numarası nerde yazıyo" got
        order tracking (0.92, which has a third of the follow-up's words) instead
        of delivery times (0.73, all of them). Either way the word that marks the
        follow-up is left out.

        A message ``about_the_last`` question names no topic of its own ("can I cancel
        it?"): its joined reading is kept whenever that answers or clarifies. Alone,
        "can I cancel it?" is answered from cancelling an order whatever came before.
        """
        if about_the_last and previous:
            with_context = f"{previous} {text}"
            result, in_context = await asyncio.gather(
                self.client.search(text, language), self.client.search(with_context, language)
            )
            if in_context.get("decision") in ("answer", "clarify"):
                return with_context, in_context
            return text, result
        if not is_follow_up(text):
            return text, await self.client.search(text, language)
        text = without_follow_up_word(text)
        if not previous:
            return text, await self.client.search(text, language)
        with_context = f"{previous} {text}"
        # both at once: a follow-up waits for one round trip, not two
        result, in_context = await asyncio.gather(
            self.client.search(text, language, FOLLOW_UP_CANDIDATES), self.client.search(with_context, language)
        )
        # the longer list is for the comparison: what is shown and recorded is as for any search
        shown = {**result, "candidates": (result.get("candidates") or [])[:SEARCH_CANDIDATES]}
        if in_context.get("decision") != "answer":
            return text, shown
        if result.get("decision") not in ("answer", "clarify") or (
            covers_follow_up(result, in_context["options"][0])
            and (result.get("decision") != "answer" or best_score(in_context) > best_score(result))
        ):
            return with_context, in_context
        return text, shown

    async def answer_article(
        self, dispatcher: CollectingDispatcher, conversation_id: str, article_id: str, question: Optional[str]
    ) -> List[EventType]:
        """Answer with the article the visitor picked from the clarifying buttons, at the paragraph
        that answers the question they had asked."""
        try:
            article = await self.client.article(article_id, question)
        except BotServiceError as exc:
            log.warning("could not load the chosen article: %s", exc)
            dispatcher.utter_message(response="utter_service_problem")
            return [SlotSet("kb_outcome", "failed")]
        candidate = {"id": article["id"], "title": article["title"], "url": article["url"]}
        dispatcher.utter_message(text=article["summary"], json_message=answer_payload(candidate))
        await log_for_staff(self.client.record_pick(conversation_id, article["id"]), "the article picked")
        return [SlotSet("kb_outcome", "answered")]


class ActionCountFailure(Action):
    """A 👎, "none of these" or "still not solved": the second one in a row hands off.

    The staff's reports count it against the latest question: an answer that did
    not help, or a clarifying question none of whose options fit.
    """

    def __init__(self, client: Optional[BotServiceClient] = None) -> None:
        self.client = client or BotServiceClient()

    def name(self) -> str:
        return "action_count_failure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        await log_for_staff(self.client.record_feedback(tracker.sender_id, False), "a 👎")
        failures = int(tracker.get_slot("failed_attempts") or 0) + 1
        escalate = failures >= FAILURES_BEFORE_HANDOFF
        events: List[EventType] = [SlotSet("failed_attempts", float(failures)), SlotSet("escalate", escalate)]
        if escalate:
            events.append(SlotSet("handoff_reason", "failed_attempts"))
        return events


class ActionResetFailures(Action):
    """The answer helped (👍, "yes", thanks): failed attempts no longer count, and the staff's reports know."""

    def __init__(self, client: Optional[BotServiceClient] = None) -> None:
        self.client = client or BotServiceClient()

    def name(self) -> str:
        return "action_reset_failures"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        await log_for_staff(self.client.record_feedback(tracker.sender_id, True), "a 👍")
        return [SlotSet("failed_attempts", 0.0)]


class ActionStartHandoff(Action):
    """Say why the conversation goes to a human; the rules start handoff_form next."""

    def name(self) -> str:
        return "action_start_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("escalate") and tracker.get_slot("handoff_reason") == "failed_attempts":
            dispatcher.utter_message(response="utter_handoff_after_failures")
            return []
        # asked for a human, or accepted the offer of one
        dispatcher.utter_message(response="utter_handoff_requested")
        return [SlotSet("handoff_reason", "visitor_request")]


def answered_are_you_a_bot(dispatcher: CollectingDispatcher, intent: Optional[str], text: str) -> bool:
    """ "bot musun?" typed where the form asks for a name or an address: answered honestly (True).
    Not a message with more words than the question has."""
    if intent != "bot_challenge" or names_something_else(text, "bot_challenge"):
        return False
    dispatcher.utter_message(response="utter_iamabot")
    return True


def announced_a_question(dispatcher: CollectingDispatcher, intent: Optional[str], text: str) -> bool:
    """ "bir sorum daha var" at a prompt: "go ahead" (True), then the prompt again. It was taken as
    the name, and at the e-mail prompt it got "not an e-mail address". Only when the message
    speaks of a question, so that no name the model misreads is lost."""
    if intent != "announce_question" or not _SPEAKS_OF_A_QUESTION.search(text):
        return False
    dispatcher.utter_message(response="utter_go_ahead")
    return True


class ValidateHandoffForm(FormValidationAction):
    """Name: anything, or skipped. E-mail: asked again, with the reason, until it looks right.

    A question asked at either prompt is answered when the knowledge base answers it,
    and the prompt comes again (:meth:`answered_in_passing`).
    """

    def __init__(self, client: Optional[BotServiceClient] = None) -> None:
        self.client = client or BotServiceClient()

    def name(self) -> str:
        return "validate_handoff_form"

    async def asked_something(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, intent: Optional[str], text: str
    ) -> bool:
        """A question announced or asked at a prompt, and replied to; the prompt then comes again."""
        return announced_a_question(dispatcher, intent, text) or await self.answered_in_passing(
            dispatcher, tracker, intent, text
        )

    async def answered_in_passing(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, intent: Optional[str], text: str
    ) -> bool:
        """Answer a question asked at a prompt ("kapıda ödeme var mı" while asked for a name).

        A walk got the name "kapıda ödeme var mı" and, at the e-mail prompt, "'yurt dışına
        gönderim var mı' is not an e-mail address". Only a message read as a question,
        with no @, that the knowledge base answers outright: no choices and no "did this
        help?" in the middle of the form. Otherwise (or with the bot service down) the
        prompt's own rules apply, and the question stays in the transcript for the agent.
        """
        if intent != "ask_question" or "@" in text or not searchable_text(text):
            return False
        language = message_language(tracker)
        try:
            result = await self.client.search(text, language)
        except BotServiceError as exc:
            log.warning("knowledge-base search at a form prompt failed: %s", exc)
            return False
        if result.get("decision") != "answer":
            return False
        say_answer(dispatcher, result)
        await record_search(self.client, tracker.sender_id, text, language, result)
        return True

    async def validate_visitor_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = str(value or "").strip()
        if text.startswith("/"):  # a button's payload: Skip, an old button, a message in another language
            return {"visitor_name": ""}
        if intent == "deny" and not names_something_else(text, "deny"):  # "no", "I'd rather not say"
            return {"visitor_name": ""}  # not "Nur" or "Hayri": names the model has read as a no (0.89, 0.99)
        if answered_are_you_a_bot(dispatcher, intent, text):  # then asked again
            return {"visitor_name": None}
        if intent == "insult" and len(text.split()) > 1:  # "salak bot"; a one-word name may read as one
            return {"visitor_name": ""}
        if await self.asked_something(dispatcher, tracker, intent, text):  # then asked again
            return {"visitor_name": None}
        name, email = name_and_email(text)
        if email:  # typed at the name prompt: the form need not ask for it
            return {"visitor_name": name, "visitor_email": email}
        return {"visitor_name": name}

    async def validate_visitor_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value or "").strip()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if text.startswith("/"):  # a button's payload or a message in another language: not shown back as typed
            return {"visitor_email": None}
        if "@" not in text and answered_are_you_a_bot(dispatcher, intent, text):  # then asked again
            return {"visitor_email": None}
        if await self.asked_something(dispatcher, tracker, intent, text):  # then asked again
            return {"visitor_email": None}
        if "@" not in text and intent == "ask_question" and ("?" in text or _QUESTION_NOT_NAME.search(text)):
            # a question the knowledge base does not answer: not "… is not an e-mail address"
            dispatcher.utter_message(response="utter_question_noted")
            return {"visitor_email": None}
        problem = email_problem(text)
        if problem:
            dispatcher.utter_message(response=problem, value=text[:80])
            return {"visitor_email": None}
        return {"visitor_email": text}


class ActionCreateTicket(Action):
    """The form is complete: open the ticket (idempotent per message) and say when to expect a reply."""

    def __init__(self, client: Optional[BotServiceClient] = None) -> None:
        self.client = client or BotServiceClient()

    def name(self) -> str:
        return "action_create_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        message_id = tracker.latest_message.get("message_id") or str(len(tracker.events))
        try:
            ticket = await self.client.create_ticket(
                conversation_id=tracker.sender_id,
                reason=tracker.get_slot("handoff_reason") or "visitor_request",
                language=message_language(tracker),
                candidates=tracker.get_slot("kb_candidates") or [],
                idempotency_key=f"{tracker.sender_id}:{message_id}",
                visitor_name=tracker.get_slot("visitor_name") or None,
                visitor_email=tracker.get_slot("visitor_email"),
            )
        except BotServiceError as exc:
            log.warning("could not create a ticket: %s", exc)
            dispatcher.utter_message(response="utter_service_problem")
            return []
        dispatcher.utter_message(
            response="utter_ticket_created",
            ticket_id=ticket["id"],
            reply_expected=(ticket.get("reply_expected") or {}).get("phrase", ""),
            json_message={"type": "handoff", "ticket": {"id": ticket["id"], "reason": ticket.get("reason")}},
        )
        return reset_handoff()


class ActionCancelHandoff(Action):
    def name(self) -> str:
        return "action_cancel_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff_cancelled")
        return [*reset_handoff(), SlotSet("visitor_name", None), SlotSet("visitor_email", None)]


class ActionFallback(Action):
    """When no rule applies: say so and forget the message, as Rasa's own fallback does.

    It is a custom action on purpose. With the action server down, it fails like
    every other one, Rasa sends no reply, and the bot service hands the
    conversation to a human instead of saying "I didn't follow" to a question.
    """

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]


def reset_handoff() -> List[EventType]:
    """After a ticket or a cancel, failures and the reason start from nothing again."""
    return [
        SlotSet("handoff_reason", None),
        SlotSet("failed_attempts", 0.0),
        SlotSet("kb_candidates", None),
    ]
