"""A place in the list of offered articles, typed instead of pressed."""

from __future__ import annotations

import pytest

from bot.choices import LAST, typed_choice, typed_place

pytestmark = pytest.mark.unit

OFFERED = [
    {"title": "İade talebi nasıl oluşturulur?", "payload": '/ask_question{"article_id":"iade-talebi-olusturma"}'},
    {"title": "İade koşulları", "payload": '/ask_question{"article_id":"iade-kosullari"}'},
    {"title": "Hiçbiri", "payload": "/none_of_these"},
]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("ikincisi", 1),
        ("İkincisi lütfen", 1),
        ("ilki", 0),
        ("ilk seçenek", 0),
        ("ikinci şık", 1),  # "şık": an option in a list of choices
        ("2. madde", 1),
        ("birincisini seçiyorum", 0),
        ("üçüncüsü", 2),
        ("sonuncusu", LAST),
        ("2", 1),
        ("2.", 1),
        ("2. si", 1),
        ("2'yi", 1),
        ("#1", 0),
        ("evet, ikincisi", 1),
        ("the second one", 1),
        ("the first one please", 0),
        ("option 2", 1),
        ("number 1", 0),
        ("2nd", 1),
        ("the last one", LAST),
    ],
)
def test_a_place_in_the_list_is_read(text: str, place: int) -> None:
    assert typed_place(text) == place


@pytest.mark.parametrize(
    "text",
    [
        "ikinci el ürün iade edilebilir mi",  # "ikinci" starts a question
        "ilk siparişim ne zaman gelir",
        "2 gündür bekliyorum",
        "2 ve 3",  # two places: which one?
        "the one about refunds",
        "no",
        "",
        "👍",
    ],
)
def test_anything_more_than_a_place_is_not_a_choice(text: str) -> None:
    assert typed_place(text) is None


def test_a_place_picks_among_the_articles_offered_not_none_of_these() -> None:
    assert typed_choice("ilki", OFFERED) == OFFERED[0]["payload"]
    assert typed_choice("the last one", OFFERED) == OFFERED[1]["payload"]  # the last article
    assert typed_choice("3", OFFERED) is None  # "Hiçbiri" is third on screen, but no article
    assert typed_choice("2", [{"title": "👍 Evet", "payload": "/affirm"}, {"title": "👎", "payload": "/deny"}]) is None
