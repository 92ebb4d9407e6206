import pytest

from knowledge_base.language import detect_language
from knowledge_base.text import fold, turkish_lower, without_identifiers, without_salutation, words

pytestmark = pytest.mark.unit


def test_fold_makes_turkish_with_and_without_turkish_letters_equal() -> None:
    assert fold("İADE SÜRESİ kaç gün?") == fold("iade suresi kac gun?") == "iade suresi kac gun?"
    assert fold("Şifremi unuttum, ĞÜŞİÖÇ ığüşöç") == "sifremi unuttum, gusioc igusoc"


def test_turkish_lower_handles_dotted_and_dotless_i() -> None:
    assert turkish_lower("IĞDIR İZMİR") == "ığdır izmir"


def test_words_are_ascii_tokens() -> None:
    assert words("Kargom nerede? 2 gün oldu!") == ["kargom", "nerede", "2", "gun", "oldu"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ürünü nasıl iade ederim?", "tr"),
        ("siparisim nerede kaldi", "tr"),
        ("kargo ucreti ne kadar", "tr"),
        ("yarın hava nasıl olacak?", "tr"),
        ("Where is my order?", "en"),
        ("how do I reset my password", "en"),
        ("ok", None),
        ("👍", None),
        ("12345", None),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "searched"),
    [
        ("Merhaba, iade yapmak istiyorum", "iade yapmak istiyorum"),
        ("İYİ GÜNLER kargom nerede", "kargom nerede"),
        ("merhabalar iyi çalışmalar, fatura alabilir miyim?", "fatura alabilir miyim?"),
        ("Selamün aleyküm kargo ne zaman gelir", "kargo ne zaman gelir"),
        ("hi there, do you offer installments", "do you offer installments"),
        ("Good morning! How much is shipping?", "How much is shipping?"),
    ],
)
def test_a_salutation_before_the_question_is_not_searched(text: str, searched: str) -> None:
    assert without_salutation(text) == searched


@pytest.mark.parametrize(
    "text", ["merhaba", "Hello!", "how are you", "nasıl iade ederim", "hiç kargo ücreti yok mu", "high heels"]
)
def test_a_salutation_alone_or_a_word_that_starts_like_one_is_kept(text: str) -> None:
    assert without_salutation(text) == text


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("where is my order KM-12345?", "where is my order ?"),
        ("KM-48213 numaralı siparişim nerede", "numaralı siparişim nerede"),
        ("takip no TR1234567 hala güncellenmedi", "takip no hala güncellenmedi"),
        # numbers alone and words alone are kept: prices, days, sizes
        ("49,90 TL kargo ücreti", "49,90 TL kargo ücreti"),
        ("14 gün geçti, L beden değişir mi", "14 gün geçti, L beden değişir mi"),
        ("KM-12345", "KM-12345"),  # nothing else left
    ],
)
def test_order_and_tracking_numbers_are_left_out(text: str, left: str) -> None:
    assert without_identifiers(text) == left
