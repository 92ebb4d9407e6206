"""Messages in neither Turkish nor English, and links, for the offline language guesser."""

from __future__ import annotations

import pytest

from knowledge_base.language import detect_language, foreign_language, language_by_words

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Wo ist meine Bestellung?", "de"),
        ("Ich möchte mit einem Menschen sprechen", "de"),  # ö is Turkish too: the words decide
        ("Quiero hablar con una persona", "es"),
        ("Je voudrais parler à quelqu'un", "fr"),
        ("Vorrei parlare con una persona", "it"),
        ("Hola, necesito ayuda con mi pedido", "es"),
        ("Bonjour, je voudrais annuler ma commande", "fr"),
        ("Ciao, dov'è il mio ordine?", "it"),
        ("Waar is mijn bestelling?", "nl"),
        ("Olá, onde está a minha encomenda?", "pt"),
        ("Где мой заказ?", "ru"),
        ("أين طلبي؟", "ar"),
    ],
)
def test_other_languages_are_recognised(text: str, code: str) -> None:
    assert foreign_language(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order?",
        "siparişim nerede",
        "kargo ne zaman gelir",
        "ok",
        "👍",
        "José García",  # a name with accents is not a language
        "merci",  # one word is not enough evidence
        "café latte nasıl yapılır",
        "",
    ],
)
def test_turkish_english_and_thin_evidence_stay_ours(text: str) -> None:
    assert foreign_language(text) is None


def test_links_are_no_evidence_of_a_language() -> None:
    assert detect_language("https://kuzeymarket.example/siparis/iade/123") is None
    assert detect_language("where is it? https://kuzeymarket.example/siparis/123") == "en"
    assert foreign_language("https://example.de/wo/ist/meine/bestellung") is None


def test_an_email_address_is_no_evidence_of_a_language() -> None:
    # "can" is an English word and a Turkish name; in an address it is neither.
    assert detect_language("mail adresim burak.can@firma.com.tr") == "tr"
    assert detect_language("burak.can@firma.com") is None
    assert detect_language("my email is can@firma.com.tr") == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("good morning", "en"),
        ("take care", "en"),
        ("never mind", "en"),
        ("much appreciated", "en"),
        ("gunaydin", "tr"),
        ("kendine iyi bak", "tr"),
        ("elbette", "tr"),
        ("hey merhaba", "tr"),  # "hey" is said in both languages
    ],
)
def test_short_greetings_and_replies_of_a_conversation_are_placed(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Can I return something to the Kadıköy pickup point where I collected it?", "en"),
        ("What time does the Çankaya pickup point close on Sunday?", "en"),
        ("Do you deliver to Üsküdar?", "en"),
        ("Kadıköy'deki mağazanız kaçta kapanıyor?", "tr"),
        ("Şifremi unuttum", "tr"),
        ("Ödeme", "tr"),
    ],
)
def test_turkish_letters_weigh_per_word_and_a_turkish_place_name_keeps_english_english(
    text: str, language: str
) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [("Kim Lee", None), ("Ayşe Yılmaz", None), ("vazgeç", "tr"), ("adım Zeynep", "tr"), ("my name is Emma", "en")],
)
def test_by_words_alone_a_name_is_no_evidence(text: str, language: str | None) -> None:
    assert language_by_words(text) == language
