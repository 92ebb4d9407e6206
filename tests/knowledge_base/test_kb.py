"""The knowledge base with the fake embedder: changes, persistence and decisions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from knowledge_base.articles import RECOMMENDED_QUESTIONS, Article, parse_article, read_article
from knowledge_base.decision import pick_paragraphs
from knowledge_base.embedders import HashingEmbedder
from knowledge_base.errors import ArticleNotFound, InvalidQuery
from knowledge_base.index import VectorIndex
from knowledge_base.kb import KnowledgeBase
from knowledge_base.language import detect_language
from tests.conftest import ARTICLES

pytestmark = pytest.mark.unit

NEW_ARTICLE = """---
id: gift-wrap
title: Gift wrapping
language: en
questions:
  - Can you wrap my present?
  - Do you offer gift wrapping?
---
Yes, tick "gift wrap" at checkout; it costs 25 TL.
"""


def test_import_reports_added_then_unchanged(kb: KnowledgeBase) -> None:
    again = kb.import_directory(ARTICLES)
    assert again.added == [] and again.updated == []
    assert len(again.unchanged) == 6
    # unchanged articles are still named when they have few example questions
    few = again.to_dict()["few_questions"]
    assert sorted(f["id"] for f in few) == sorted(again.unchanged)
    assert all(0 < f["questions"] < RECOMMENDED_QUESTIONS for f in few)


def test_an_example_question_finds_its_article(kb: KnowledgeBase) -> None:
    result = kb.search("What is the return period?")
    assert result.candidates[0].id == "return-window"
    assert result.candidates[0].matched_kind == "question"


def test_search_stays_in_the_language_of_the_question(kb: KnowledgeBase) -> None:
    assert {c.language for c in kb.search("Kargo ücreti ne kadar?").candidates} == {"tr"}
    assert {c.language for c in kb.search("Is shipping free?").candidates} == {"en"}


def test_the_articles_place_a_message_the_word_lists_cannot(kb: KnowledgeBase) -> None:
    assert detect_language("wrong size arrived") is None  # no word of the detector's lists
    kb.put(Article(id="size", title="Wrong size", language="en", body="A wrong size arrived? Swap it.", questions=()))
    kb.put(Article(id="beden", title="Beden", language="tr", body="Yanlış beden mi geldi? Değiştirin.", questions=()))
    assert kb.guess_language("wrong size arrived") == "en"
    assert kb.language_of("yanlis beden") == "tr"  # typed without Turkish letters, placed by the articles
    assert {c.language for c in kb.search("wrong size arrived").candidates} == {"en"}
    # words no article uses, or that both languages' articles use, place nothing
    kb.put(Article(id="iphone-en", title="iPhone cases", language="en", body="Cases.", questions=()))
    kb.put(Article(id="iphone-tr", title="iPhone kılıfları", language="tr", body="Kılıflar.", questions=()))
    assert kb.guess_language("qwerty zxcv") is None
    assert kb.guess_language("iphone") is None
    # an address is no evidence, even when its words are one language's article words
    assert kb.guess_language("beden@example.com") is None and kb.language_of("https://x.example/wrong-size") is None
    # the word lists come first
    assert kb.language_of("Is shipping free?") == "en"


def test_turkish_typed_without_turkish_letters_finds_the_same_article(kb: KnowledgeBase) -> None:
    assert kb.search("sifremi unuttum").candidates[0].id == "sifre-sifirlama"


def test_empty_query_is_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidQuery, match="must not be empty"):
        kb.search("   ")
    with pytest.raises(InvalidQuery, match="got 0"):
        kb.search("x", top_k=0)


def test_result_explains_itself(kb: KnowledgeBase) -> None:
    data = kb.search("How much is delivery?").to_dict()
    assert data["decision"] in ("answer", "clarify", "handoff")
    assert data["reason"]
    assert set(data["thresholds"]) >= {"answer", "margin", "source"}
    assert data["candidates"][0]["matched"]["kind"] in ("title", "question", "chunk")


LOST_PARCEL = """---
id: lost-parcel
title: Missed and lost deliveries
language: en
questions:
  - The courier came while I was out
  - My parcel never arrived
---
## Missed deliveries

If nobody was home, the courier tries again on the next business day.

A parcel nobody collects comes back to our warehouse and is refunded in full.

If the tracking page says delivered but you have no parcel, tell us within two business days.
"""


def test_the_answer_is_the_paragraph_that_answers_the_question(kb: KnowledgeBase) -> None:
    kb.put(parse_article(LOST_PARCEL))
    passage = kb.passage("lost-parcel", "tracking says delivered but I have no parcel")
    assert passage is not None
    assert passage.scores[0] is None and 0 not in passage.shown  # the heading is never shown
    scored = {i: s for i, s in enumerate(passage.scores) if s is not None}
    assert max(scored, key=scored.__getitem__) == 3  # the paragraph about "delivered"
    assert passage.shown == pick_paragraphs(scored, first=1)
    assert passage.text == "\n".join(parse_article(LOST_PARCEL).paragraphs()[i] for i in passage.shown)
    assert passage.text.endswith("tell us within two business days.")
    assert not passage.broad and passage.title_coverage < 0.5
    refunded = kb.passage("lost-parcel", "is an uncollected parcel refunded?")
    assert refunded is not None and refunded.shown[-1] == 2
    assert kb.passage("no-such-article", "anything") is None
    with pytest.raises(InvalidQuery, match="must not be empty"):
        kb.passage("lost-parcel", "  ")


ORDER_STATUS = """---
id: order-status
title: Order status
language: en
questions:
  - Where is my order?
---
Your orders and their status are under My Account, My Orders.

Ordered as a guest? Enter your order number, which starts with KM-, on the tracking page.
"""


def test_an_order_number_does_not_choose_the_paragraph(kb: KnowledgeBase) -> None:
    """ "where is my order KM-12345?" got the paragraph on order numbers alone, for its "KM"."""
    kb.put(parse_article(ORDER_STATUS))
    numbered = kb.passage("order-status", "where is my order KM-12345?")
    plain = kb.passage("order-status", "where is my order?")
    assert numbered is not None and plain is not None
    assert numbered.shown == plain.shown and 0 in numbered.shown
    assert numbered.broad


@pytest.mark.parametrize(
    "question",
    [
        "lost deliveries?",  # short
        "are missed deliveries and lost deliveries refunded",  # seven words, most of them the title's
    ],
)
def test_a_broad_question_gets_the_first_paragraph_too(kb: KnowledgeBase, question: str) -> None:
    kb.put(parse_article(LOST_PARCEL))
    passage = kb.passage("lost-parcel", question)
    assert passage is not None and passage.broad
    assert passage.shown[0] == 1, passage.scores  # the overview, after the heading
    assert passage.to_dict()["broad"] is True


def test_the_article_answered_with_carries_its_answering_paragraph(kb: KnowledgeBase) -> None:
    kb.put(parse_article(LOST_PARCEL))
    kb.fix_thresholds({None: dataclasses.replace(kb.thresholds(), answer=0.0, margin=0.0)})  # answer whatever is best
    result = kb.search("My parcel never arrived")  # an example question of the article
    assert result.decision == "answer" and result.options[0].id == "lost-parcel", result.reason
    assert result.options[0].passage is not None
    explained = result.to_dict()["candidates"][0]
    assert explained["id"] == "lost-parcel" and set(explained["passage"]["paragraphs"]) <= {2, 3, 4}  # no heading
    assert all(c.passage is None for c in result.candidates[1:])  # only what is shown is scored
    kb.fix_thresholds({None: dataclasses.replace(kb.thresholds(), answer=2.0)})  # nothing is answered
    assert all(c.passage is None for c in kb.search("My parcel never arrived").candidates)


def test_new_article_is_searchable_at_once(kb: KnowledgeBase) -> None:
    kb.put(parse_article(NEW_ARTICLE))
    assert kb.search("Do you offer gift wrapping?").candidates[0].id == "gift-wrap"


def test_edit_replaces_the_old_text(kb: KnowledgeBase) -> None:
    old = read_article(ARTICLES / "shipping-cost.md")
    edited = dataclasses.replace(old, questions=("Do you ship to Cyprus?",))
    assert kb.put(edited) is True
    assert kb.put(edited) is False  # unchanged content is not re-embedded
    assert kb.search("Do you ship to Cyprus?").candidates[0].id == "shipping-cost"
    hits = [c for c in kb.search("What do you charge for postage?").candidates if c.matched_kind == "question"]
    assert all(c.matched_text != "What do you charge for postage?" for c in hits)


def test_delete_removes_the_article_from_results(kb: KnowledgeBase) -> None:
    kb.delete("password-reset")
    assert "password-reset" not in {c.id for c in kb.search("I forgot my password").candidates}
    with pytest.raises(ArticleNotFound):
        kb.delete("password-reset")


def test_a_change_made_by_another_process_is_seen_by_the_next_search(kb: KnowledgeBase, tmp_path: Path) -> None:
    other = KnowledgeBase.open(tmp_path / "kb", HashingEmbedder(256))
    other.put(parse_article(NEW_ARTICLE))
    other.close()
    assert kb.search("Do you offer gift wrapping?").candidates[0].id == "gift-wrap"


def test_reopening_uses_the_saved_index(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.put(parse_article(NEW_ARTICLE))
    loaded = VectorIndex.load(tmp_path / "kb" / "index.faiss")
    assert loaded is not None
    index, stamp = loaded
    assert stamp.generation == kb.store.generation()
    assert len(index) == sum(1 for _ in kb.store.entries())


def test_stale_or_broken_index_file_is_rebuilt_from_the_store(kb: KnowledgeBase, tmp_path: Path) -> None:
    index_file = tmp_path / "kb" / "index.faiss"
    index_file.write_bytes(b"not an index")
    reopened = KnowledgeBase.open(tmp_path / "kb", HashingEmbedder(256))
    assert reopened.search("What is the return period?").candidates[0].id == "return-window"
    assert VectorIndex.load(index_file) is not None


def test_changing_the_embedding_model_re_embeds_everything(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.close()
    reopened = KnowledgeBase.open(tmp_path / "kb", HashingEmbedder(128))
    assert reopened.store.get_meta("embedder") == "hashing:128"
    assert all(e.vector.shape == (128,) for e in reopened.store.entries())
    assert reopened.search("What is the return period?").candidates[0].id == "return-window"


def test_thresholds_are_recalibrated_after_a_change(kb: KnowledgeBase) -> None:
    before = kb.thresholds()
    kb.put(parse_article(NEW_ARTICLE))
    after = kb.thresholds()
    assert before.source.startswith("leave-one-out over 18 ")
    assert after.source.startswith("leave-one-out over 20 ")


def test_empty_knowledge_base_hands_off(tmp_path: Path) -> None:
    empty = KnowledgeBase.open(tmp_path / "empty", HashingEmbedder(64))
    result = empty.search("anything")
    assert result.decision == "handoff"
    assert result.candidates == []


def test_a_language_whose_entries_are_far_away_still_gets_candidates(tmp_path: Path) -> None:
    base = KnowledgeBase.open(tmp_path / "kb2", HashingEmbedder(256))
    many = [
        parse_article(NEW_ARTICLE.replace("gift-wrap", f"wrap-{i}").replace("Gift wrapping", f"Gift wrapping {i}"))
        for i in range(40)
    ]
    base.put_many([*many, read_article(ARTICLES / "kargo-ucreti.md")])
    result = base.search("Do you offer gift wrapping?", language="tr")  # every near entry is English
    assert [c.id for c in result.candidates] == ["kargo-ucreti"]


def test_calibration_samples_a_large_knowledge_base(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    import knowledge_base.kb as kb_module

    monkeypatch.setattr(kb_module, "MAX_CALIBRATION_QUESTIONS", 8)
    kb.put(parse_article(NEW_ARTICLE, "gift-wrap.md"))  # a change: calibrate again
    assert kb.thresholds().source == "leave-one-out over 8 example questions"


def test_each_language_with_enough_questions_gets_its_own_thresholds(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    import knowledge_base.kb as kb_module

    pooled = kb.thresholds()
    assert pooled.source.startswith("leave-one-out over 18 ")
    monkeypatch.setattr(kb_module, "MIN_QUESTIONS_PER_LANGUAGE", 3)
    kb.put(parse_article(NEW_ARTICLE))  # a change: calibrate again
    english, turkish = kb.thresholds("en"), kb.thresholds("tr")
    assert english.source.endswith(" in en") and turkish.source.endswith(" in tr")
    assert kb.thresholds("de") == kb.thresholds(None) == kb.thresholds()
    assert kb.search("Do you offer gift wrapping?").thresholds == english
