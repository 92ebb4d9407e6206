"""Urgency and anger in the visitor's words raise a ticket's priority."""

from __future__ import annotations

import pytest

from bot.priority import raised, signals

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("messages", "priority"),
    [
        (["Kargom nerede?"], "normal"),
        (["ACİL: siparişim hâlâ gelmedi"], "high"),
        (["acilen dönüş yapın"], "high"),
        (["Bu ne rezalet, üç haftadır bekliyorum"], "high"),
        (["rezaletsiniz", "acil cevap verin"], "urgent"),
        (["This is urgent, I need it immediately"], "urgent"),
        (["Terrible service", "where is my refund"], "high"),
        (["Where is my order?", "thanks"], "normal"),
    ],
)
def test_signals_raise_the_priority(messages: list[str], priority: str) -> None:
    assert raised("normal", signals(messages)) == priority


def test_the_priority_is_never_lowered_and_the_cues_are_kept() -> None:
    found = signals(["ACİL!!", "rezalet", "acil acil"])
    assert found == {"urgency": ["acil"], "anger": ["rezalet"]}
    assert raised("low", {"urgency": [], "anger": []}) == "low"
    assert raised("urgent", {"urgency": [], "anger": []}) == "urgent"


def test_words_that_only_contain_a_cue_do_not_count() -> None:
    assert signals(["davam yok, sadece soruyorum", "I was sued"]) == {"urgency": [], "anger": []}
