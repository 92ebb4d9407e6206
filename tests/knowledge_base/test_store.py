"""The article store's guarantees that keep vectors of two models from mixing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge_base.articles import Article
from knowledge_base.errors import StoreChanged
from knowledge_base.store import Entry, SQLiteArticleStore

pytestmark = pytest.mark.unit

ARTICLE = Article(id="a", title="Title", language="en", body="Body.", questions=("Question?",))


def put(store: SQLiteArticleStore, article: Article = ARTICLE, embedder: str | None = "model-a") -> list[int]:
    entries = [Entry(article.id, "title", article.title), Entry(article.id, "question", article.questions[0])]
    return store.put(article, entries, np.ones((2, 4), np.float32), embedder=embedder).added_ids


@pytest.fixture
def store(tmp_path: Path) -> SQLiteArticleStore:
    opened = SQLiteArticleStore(tmp_path / "articles.sqlite3")
    opened.set_meta("embedder", "model-a")
    return opened


def test_put_with_vectors_of_another_model_is_refused(store: SQLiteArticleStore) -> None:
    with pytest.raises(StoreChanged):
        put(store, embedder="model-b")
    assert store.all() == []


def test_replace_vectors_swaps_every_vector_and_the_model_at_once(store: SQLiteArticleStore) -> None:
    ids = put(store)
    before = store.generation()
    new = {i: np.full(4, 2.0, np.float32) for i in ids}
    after = store.replace_vectors(before, new, {"embedder": "model-b", "trained_model": "m1"})
    assert after > before
    assert all(np.array_equal(e.vector, np.full(4, 2.0, np.float32)) for e in store.entries())
    assert store.get_meta("embedder") == "model-b" and store.get_meta("trained_model") == "m1"
    store.replace_vectors(after, new, {"embedder": "model-a", "trained_model": None})
    assert store.get_meta("trained_model") is None


def test_replace_vectors_refuses_a_store_that_moved_on(store: SQLiteArticleStore) -> None:
    ids = put(store)
    stale = store.generation()
    put(store, Article(id="b", title="Other", language="en", body="Text.", questions=("Q?",)))
    with pytest.raises(StoreChanged):
        store.replace_vectors(stale, {i: np.zeros(4, np.float32) for i in ids}, {"embedder": "model-b"})
    assert store.get_meta("embedder") == "model-a"


def test_replace_vectors_refuses_a_different_set_of_entries(store: SQLiteArticleStore) -> None:
    ids = put(store)
    with pytest.raises(StoreChanged):
        store.replace_vectors(store.generation(), {ids[0]: np.zeros(4, np.float32)}, {"embedder": "model-b"})
