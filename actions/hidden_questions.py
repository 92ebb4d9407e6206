"""Is a message read as cancelling, contact details, a greeting or small talk really a question?

Outside the handoff form there is nothing to cancel and no contact details to
take, so the bot used to answer such a message with "anything else?". But
visitors ask about cancelling things all the time, and the model reads many of
those questions as ``cancel``: "aboneliğimi iptal et", "kargoyu iptal et", "can
I cancel my return request?" (0.95 to 0.99). Likewise "my email is ... but I get
no emails" is read as ``inform``, "merhaba, iade yapmak istiyorum" as
``greet`` (0.97), which got a greeting and no answer, and "what can you do
about a damaged item" as ``capabilities`` (0.94).

The knowledge base cannot be asked blindly: it answers a bare "iptal" or
"cancel" from the order-cancellation article with a high score, because that is
the article's key word. So such a message goes to the knowledge base only when
it names something besides the act itself: for ``cancel``, ``greet``,
``capabilities`` and ``bot_challenge``, a word that none of the ways of saying
that uses (an order, a subscription, a return); for ``inform``, more words than
contact details carry. Every example of these intents the model is trained on
stays what it was (a test checks that against ``data/``).
"""

from __future__ import annotations

import re

from knowledge_base.text import fold

# Words of a message that cancels the request or greets, folded: the verbs and
# nouns of cancelling and of the request itself (form, ticket, agent), the ways
# of greeting and of saying there is a question, and the small words around
# them. A word matches when it begins with one of these stems, so "vazgeçtim",
# "vazgeçiyorum" and "vazgeç" all match "vazgec".
_CANCEL_STEMS = tuple(
    (
        # Turkish
        "vazgec bosve iptal gerek kalma kalsin form talep talebi kayit acma olusturma bagla temsilci iste "
        "istiyor artik simdi sonra hallede birak fikri degistir durdur bekle hayir yarim cik lutfen bunu "
        "degil ugras yok edel edin etme ediyorum tesekkur sagol "
        # English
        "cancel never mind forget change connect after need agent anymore stop ticket please about thank "
        "help open good request bother later quit actually human handoff want scrap abort drop person "
        "anyone someone support"
    ).split()
)
_GREET_STEMS = tuple(
    (
        # Turkish
        "merhaba mrb selam slm gunaydin tunaydin aleyk naber nasil kimse var herkes bot iyi calisma kolay "
        "gelsin sora soru sey yardim alabil lazim gun aksam sabah efendim millet olacak hey alo gidiyor biri "
        "orada burada yok "
        # English
        "hello hiya heya hey howdy good morning afternoon evening day anyone anybody here there greeting "
        "how what's whats question help quick again friend need some around team bot"
    ).split()
)
# "What can you do?" and "are you a bot?" in their many forms
_CAPABILITIES_STEMS = tuple(
    (
        # Turkish
        "ne neler nel neye neyi yap ise isi yara yari nasil yardim olabil hangi konu sorabil soru cevap yanit "
        "veri ver bilgi bil sohbet anlat kullan sun menu secenek asistan bot sen seni sana bana tur bak islem "
        "hakkinda konus yetenek calis edebil eder ediyor alabil soyle olur icin "
        # English
        "what can you how help know ask able topic cover kind question answer capabilit chat options should "
        "tell which use list show service offer here thing does assistant good handle bot explain sort menu "
        "work about this are with give"
    ).split()
)
_BOT_STEMS = tuple(
    (
        # Turkish
        "bot robot gercek insan kisi yapay zeka makine otomatik cevap sen kim biri karsi canli yaz konus "
        "calisan chatbot sistem yanit mesaj yoksa seninle degil var veri "
        # English
        "are you bot robot human real person talk chat speak typing machine automat artificial intelligence "
        "program computer someone reading virtual assistant agent actual live other side software chatgpt "
        "who there this reply with actually"
    ).split()
)
_STEMS = {
    "cancel": _CANCEL_STEMS,
    "greet": _GREET_STEMS,
    "capabilities": _CAPABILITIES_STEMS,
    "bot_challenge": _BOT_STEMS,
}
# Whole words that carry no topic of their own (folded, at least three letters:
# shorter words are never a topic here).
_SMALL_WORDS = frozenset(
    "ben sen biz siz bir ile ama miyim misin musun hemen sadece boş ver "
    "the and but for you your that this those these its it's i'm i've i'll let's lets dont don't not "
    "can could would will all any just now then too yes are was have has had".split()
)
_FOLDED_SMALL_WORDS = frozenset(fold(w) for w in _SMALL_WORDS)
_WORD = re.compile(r"[a-z0-9']+")
_EMAIL = re.compile(r"[^@\s,;:<>()]+@[^@\s,;:<>()]+")
# What stands around a name and an address in contact details (folded): "my name is",
# "you can reach me at", "adım", "bana ... adresinden ulaşabilirsiniz", "and", "ben".
_CONTACT_LABELS = re.compile(
    r"\b(my name is|my name's|the name is|name's|name is|my e-?mail address is|my e-?mail is|e-?mail address is|"
    r"e-?mail is|e-?mail me at|e-?mail|my address is|address is|you can reach me at|reach me at|"
    r"write to me at|you can call me|call me|this is|it's|it is|i'm|i am|use|and|"
    r"benim adim|benim ismim|adim|ismim|e-?postam|e-?posta adresim|e-?posta|mail adresim|mailim|"
    r"posta adresim|adresim|bana|adresinden|ulasabilirsiniz|yazin|yazabilirsiniz|diyebilirsiniz|de|ben|ve)\b"
)
# A name takes at most three words ("Mert Aydın", "Oliver Grant"); contact details with
# more words left say something else too ("my email is ... but I get no emails").
MAX_NAME_WORDS = 3


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text)) if len(w.strip("'")) >= 3]


def names_something_else(text: str, intent: str) -> bool:
    """True when a ``cancel``, ``inform`` or ``greet`` message may be a question for the knowledge base.

    >>> names_something_else("vazgeçtim, talep açmayın", "cancel")
    False
    >>> names_something_else("aboneliğimi iptal et", "cancel")
    True
    """
    if intent in _STEMS:
        stems = _STEMS[intent]
        return any(w not in _FOLDED_SMALL_WORDS and not w.startswith(stems) and not w.isdigit() for w in _words(text))
    if intent == "inform":
        rest = _CONTACT_LABELS.sub(" ", fold(_EMAIL.sub(" ", text)))
        return "?" in rest or len(re.findall(r"[\w']+", rest)) > MAX_NAME_WORDS
    return False
