"""Shared fixtures: small article sets and knowledge bases with the fake embedder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge_base.embedders import HashingEmbedder
from knowledge_base.kb import KnowledgeBase

DATA = Path(__file__).parent / "data"
ARTICLES = DATA / "articles"
MALFORMED = DATA / "malformed"
PROJECT_ROOT = Path(__file__).parent.parent
SAMPLE_ARTICLES = PROJECT_ROOT / "knowledge_base" / "sample_articles"


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder(256)


@pytest.fixture
def kb(tmp_path: Path, fake_embedder: HashingEmbedder) -> Iterator[KnowledgeBase]:
    """A knowledge base with the six small test articles, on disk in ``tmp_path``."""
    base = KnowledgeBase.open(tmp_path / "kb", fake_embedder)
    report = base.import_directory(ARTICLES)
    assert not report.errors
    yield base
    base.close()
