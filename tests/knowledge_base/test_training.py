"""Fine-tuning on the knowledge base's own articles, and switching models safely."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from knowledge_base.articles import Article, parse_article
from knowledge_base.embedders import HashingEmbedder, SentenceTransformerEmbedder
from knowledge_base.errors import StoreChanged
from knowledge_base.kb import KnowledgeBase
from knowledge_base.text import fold
from knowledge_base.training import (
    TrainingError,
    TrainingOptions,
    background_texts,
    distinct_batches,
    fingerprint,
    held_out,
    training_pairs,
)
from tests.conftest import ARTICLES

ALPHA = Article(id="alpha", title="Alpha", language="en", body="First.\n\nSecond.", questions=("q1?", "q2?"))
BETA = Article(id="beta", title="Beta", language="en", body="Only.", questions=())


@pytest.mark.unit
def test_every_question_gets_a_positive_from_its_own_article() -> None:
    pairs = training_pairs([ALPHA, BETA], random.Random(0))
    trained = [q for q in ALPHA.questions if not held_out(q)]
    assert sorted(p[0] for p in pairs if p[2] == "alpha") == sorted(trained)
    assert all(p[0] != p[1] for p in pairs)
    # an article without example questions still teaches its title
    assert [p[0] for p in pairs if p[2] == "beta"] == ["beta"]


@pytest.mark.unit
def test_held_out_questions_never_reach_training() -> None:
    questions = tuple(f"question number {i}?" for i in range(50))
    hidden = [q for q in questions if held_out(q)]
    assert 0 < len(hidden) < len(questions)  # about one in five
    article = Article(id="many", title="Many", language="en", body="Text.", questions=questions)
    pairs = training_pairs([article, ALPHA], random.Random(0))
    assert not {q for q in hidden} & {text for p in pairs for text in p[:2]}


@pytest.mark.unit
def test_a_batch_never_holds_two_pairs_of_one_article() -> None:
    pairs = [(f"q{i}", f"p{i}", f"a{i % 3}") for i in range(10)]
    batches = distinct_batches(pairs, size=4)
    for batch in batches:
        assert len({p[2] for p in batch}) == len(batch) <= 4
    # nothing is lost except a last lone pair, which has no negative to learn from
    assert sum(len(b) for b in batches) >= len(pairs) - 1


@pytest.mark.unit
def test_fingerprint_follows_the_articles_and_options() -> None:
    options = TrainingOptions()
    same = fingerprint([ALPHA, BETA], "st:base", options)
    assert same == fingerprint([BETA, ALPHA], "st:base", options)
    assert same != fingerprint([ALPHA], "st:base", options)
    assert same != fingerprint([ALPHA, BETA], "st:other", options)
    assert same != fingerprint([ALPHA, BETA], "st:base", TrainingOptions(epochs=1))


@pytest.mark.unit
def test_training_needs_a_real_model(kb: KnowledgeBase) -> None:
    with pytest.raises(TrainingError):
        kb.train()


@pytest.mark.unit
def test_a_store_of_an_unknown_model_goes_back_to_the_base_model(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.store.set_meta("embedder", "st:gone+ft:0123456789ab")
    kb.store.set_meta("trained_model", "0123456789ab")
    again = KnowledgeBase.open(tmp_path / "kb", HashingEmbedder(256))
    assert again.embedder.name == "hashing:256"
    assert again.store.get_meta("embedder") == "hashing:256"
    assert again.store.get_meta("trained_model") is None
    assert again.search("How do I reset my password?").candidates


@pytest.mark.integration
@pytest.mark.slow
def test_train_adopt_and_fall_back_with_the_real_model(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    kb = KnowledgeBase.open(folder, SentenceTransformerEmbedder())
    kb.import_directory(ARTICLES)
    other = KnowledgeBase.open(folder, SentenceTransformerEmbedder())  # e.g. the running bot service
    question = "I forgot my password, what now?"
    expected = kb.search(question).candidates[0].id

    manifest = kb.train(TrainingOptions(epochs=1, batch_size=8))
    assert manifest is not None and manifest.steps > 0
    assert kb.embedder.name.endswith(f"+ft:{manifest.id}")
    assert kb.train(TrainingOptions(epochs=1, batch_size=8), if_changed=True) is None
    # the other process adopts the trained model on its next search, without training itself
    adopted = other.search(question)
    assert adopted.candidates[0].id == expected
    assert other.embedder.name == kb.embedder.name
    # ... and scores with thresholds calibrated for the trained model, never the base model's
    assert adopted.thresholds == other.thresholds()

    # an article added after training is searchable at once, embedded by the trained model
    other.put(
        parse_article(
            "---\nid: gift-wrap\ntitle: Gift wrapping\nlanguage: en\nquestions:\n  - Do you wrap presents?\n---\n"
            "Yes, tick gift wrap at checkout.\n",
            "gift-wrap.md",
        )
    )
    assert kb.search("Can you gift wrap my order?").candidates[0].id == "gift-wrap"
    assert kb.store.get_meta("embedder") == kb.embedder.name

    # the trained model's files vanish: the base model takes over and re-embeds
    other.close()
    kb.close()
    shutil.rmtree(folder / "models" / manifest.id)
    reopened = KnowledgeBase.open(folder, SentenceTransformerEmbedder())
    assert reopened.embedder.name == SentenceTransformerEmbedder().name
    assert reopened.search(question).candidates[0].id == expected
    reopened.close()


@pytest.mark.unit
def test_background_messages_ship_for_both_languages_and_are_folded() -> None:
    turkish, english = background_texts({"tr"}), background_texts({"en"})
    assert len(turkish) >= 100 and len(english) >= 100
    assert all(text == fold(text) for text in turkish)
    assert set(background_texts({"tr", "en"})) == set(turkish) | set(english)
    assert background_texts({"xx"}) == []


@pytest.mark.unit
def test_fingerprint_follows_the_background_option() -> None:
    assert fingerprint([ALPHA, BETA], "st:base", TrainingOptions()) != fingerprint(
        [ALPHA, BETA], "st:base", TrainingOptions(background=False)
    )


@pytest.mark.unit
def test_a_write_refused_because_the_model_changed_is_redone(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_put = kb.store.put
    refused: list[str] = []

    def put_once_refused(*args: object, **kwargs: object) -> object:
        if not refused:
            refused.append("once")
            raise StoreChanged("the store's vectors are from another model")
        return real_put(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kb.store, "put", put_once_refused)
    assert kb.put(parse_article("---\nid: wrap\ntitle: Gift wrap\nlanguage: en\n---\nWe wrap gifts.\n"))
    assert refused == ["once"]
    assert kb.search("Do you wrap gifts?").candidates[0].id == "wrap"
