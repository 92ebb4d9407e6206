"""Messages in neither Turkish nor English, and links, for the offline language guesser."""

from __future__ import annotations

import pytest

from knowledge_base.language import detect_language, foreign_language

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Wo ist meine Bestellung?", "de"),
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
