"""A writer killed at any moment leaves a knowledge base that opens consistent.

A child process adds and deletes articles as fast as it can; the test kills it
with SIGKILL at several moments, then opens the folder and checks that the
index matches the article store and that search finds what the store holds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge_base.embedders import HashingEmbedder
from knowledge_base.index import VectorIndex
from knowledge_base.kb import KnowledgeBase
from knowledge_base.store import SQLiteArticleStore
from tests.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WRITER = """
import sys
from pathlib import Path
from knowledge_base.articles import Article
from knowledge_base.embedders import HashingEmbedder
from knowledge_base.kb import KnowledgeBase

kb = KnowledgeBase.open(Path(sys.argv[1]), HashingEmbedder(64))
i = 0
while True:
    kb.put(Article(id=f"a-{i}", title=f"Article {i}", language="en", body=f"Body number {i}.",
                   questions=(f"question about topic {i}?", f"another way to ask {i}")))
    if i % 3 == 2:
        kb.delete(f"a-{i - 1}")
    if i % 50 == 49:
        kb.put_many([Article(id=f"b-{i}-{j}", title=f"Batch {j}", language="tr", body="Gövde.",
                             questions=(f"soru {i} {j}",)) for j in range(10)])
    i += 1
"""


def generation(folder: Path) -> int:
    store = SQLiteArticleStore(folder / "articles.sqlite3")
    try:
        return store.generation()
    finally:
        store.close()


@pytest.mark.parametrize("kill_after", [0.5, 1.3, 2.1, 3.7])
def test_killed_writer_leaves_a_consistent_knowledge_base(tmp_path: Path, kill_after: float) -> None:
    folder = tmp_path / "kb"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder)], cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 60
        while not (folder / "index.faiss").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(kill_after)
        assert writer.poll() is None, "the writer stopped by itself"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait()
    committed = generation(folder)
    assert committed > 0
    on_disk = VectorIndex.load(folder / "index.faiss")
    assert on_disk is not None, "the index file is replaced whole, never left half-written"
    assert on_disk[1].generation <= committed  # at worst stale, and then rebuilt on open

    kb = KnowledgeBase.open(folder, HashingEmbedder(64))
    try:
        kb.refresh()
        entries = {e.id: e for e in kb.store.entries()}
        loaded = VectorIndex.load(folder / "index.faiss")
        assert loaded is not None, "the index file must always be readable"
        index, stamp = loaded
        assert stamp.generation == kb.store.generation()
        assert len(index) == len(entries)
        for article in kb.store.all()[-5:]:
            assert kb.search(article.questions[0]).candidates[0].id == article.id
    finally:
        kb.close()
