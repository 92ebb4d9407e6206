"""Shared fixtures: small article sets and knowledge bases with the fake embedder."""

from __future__ import annotations

import threading
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


class Gates:
    """Holds a knowledge base's background refits at two gates: the quick refit and the full calibration."""

    def __init__(self, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
        import knowledge_base.kb as kb_module

        self.quick, self.full, self.fitting = threading.Event(), threading.Event(), threading.Event()
        real_quick, real_fit = kb._refit_quickly, kb_module.fit_language

        def held_quick() -> None:
            assert self.quick.wait(30)
            real_quick()

        def held_fit(*args: object, **kwargs: object) -> object:
            self.fitting.set()
            assert self.full.wait(30)
            return real_fit(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(kb, "_refit_quickly", held_quick)
        monkeypatch.setattr(kb_module, "fit_language", held_fit)

    def until_quick_refit(self) -> None:
        self.quick.set()
        assert self.fitting.wait(30)  # the quick refit is done: the full calibration has begun


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
