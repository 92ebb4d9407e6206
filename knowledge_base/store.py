"""The article store: the source of truth for articles and their vectors.

Vectors live beside the articles, in the same transaction, so the FAISS index
on disk is only a cache: it can always be rebuilt from the store without
re-embedding anything. Every change bumps ``generation``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from knowledge_base.articles import Article
from knowledge_base.errors import ArticleNotFound, StoreChanged
from knowledge_base.sqlite_db import open_database, transaction


@dataclass(frozen=True)
class Entry:
    """One searchable text of an article: its title, an example question or a paragraph."""

    article_id: str
    kind: str  # "title" | "question" | "chunk"
    text: str


@dataclass(frozen=True)
class StoredEntry:
    id: int
    article_id: str
    kind: str
    text: str
    vector: np.ndarray


@dataclass(frozen=True)
class PutResult:
    removed_ids: list[int]
    added_ids: list[int]
    generation: int


class ArticleStore(Protocol):
    """Storage for articles and their entry vectors.

    Behaviours every implementation keeps:
    - ``put`` with an existing id replaces that article and all its entries atomically.
    - ``delete`` of an unknown id raises :class:`ArticleNotFound`.
    - every successful ``put``/``delete``/``replace_vectors`` increases ``generation()`` by at least one.
    - ``put`` with ``embedder`` raises :class:`StoreChanged` when the vectors in the store were
      made by another embedder (meta ``embedder``), so vectors of two models never mix.
    - ``replace_vectors`` swaps every entry's vector and the given meta in one transaction, or
      raises :class:`StoreChanged` when the generation is not ``expected_generation``.
    """

    def get(self, article_id: str) -> Article | None: ...
    def all(self) -> list[Article]: ...
    def content_hash(self, article_id: str) -> str | None: ...
    def put(
        self, article: Article, entries: Sequence[Entry], vectors: np.ndarray, embedder: str | None = None
    ) -> PutResult: ...
    def replace_vectors(
        self, expected_generation: int, vectors: dict[int, np.ndarray], meta: dict[str, str | None]
    ) -> int: ...
    def delete(self, article_id: str) -> PutResult: ...
    def entries(self) -> Iterator[StoredEntry]: ...
    def entry(self, entry_id: int) -> StoredEntry | None: ...
    def generation(self) -> int: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    language TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_article ON entries(article_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', '0');
"""


def _article_from_json(data: str) -> Article:
    raw = json.loads(data)
    raw["questions"] = tuple(raw.get("questions", ()))
    raw["tags"] = tuple(raw.get("tags", ()))
    return Article(**raw)


class SQLiteArticleStore:
    """:class:`ArticleStore` in one SQLite file (WAL mode, safe for several processes)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._db = open_database(path, _SCHEMA)

    def close(self) -> None:
        self._db.close()

    def get(self, article_id: str) -> Article | None:
        row = self._db.execute("SELECT data FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article_from_json(row[0]) if row else None

    def all(self) -> list[Article]:
        rows = self._db.execute("SELECT data FROM articles ORDER BY id").fetchall()
        return [_article_from_json(r[0]) for r in rows]

    def content_hash(self, article_id: str) -> str | None:
        row = self._db.execute("SELECT content_hash FROM articles WHERE id = ?", (article_id,)).fetchone()
        return str(row[0]) if row else None

    def _bump(self) -> int:
        self._db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        return self.generation()

    def _entry_ids(self, article_id: str) -> list[int]:
        rows = self._db.execute("SELECT id FROM entries WHERE article_id = ? ORDER BY id", (article_id,))
        return [int(r[0]) for r in rows]

    def put(
        self, article: Article, entries: Sequence[Entry], vectors: np.ndarray, embedder: str | None = None
    ) -> PutResult:
        if len(entries) != len(vectors):
            raise ValueError(f"got {len(entries)} entries but {len(vectors)} vectors")
        data = json.dumps(article.to_dict(), ensure_ascii=False)
        with transaction(self._db, self._lock) as db:
            recorded = self.get_meta("embedder")
            if embedder is not None and recorded is not None and recorded != embedder:
                raise StoreChanged(f"the store's vectors are from {recorded!r}, not {embedder!r}")
            removed = self._entry_ids(article.id)
            db.execute("DELETE FROM entries WHERE article_id = ?", (article.id,))
            db.execute(
                "INSERT INTO articles(id, language, content_hash, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET language = excluded.language, "
                "content_hash = excluded.content_hash, data = excluded.data, "
                "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                (article.id, article.language, article.content_hash, data),
            )
            added = []
            for entry, vector in zip(entries, vectors, strict=True):
                cur = db.execute(
                    "INSERT INTO entries(article_id, kind, text, vector) VALUES (?, ?, ?, ?)",
                    (entry.article_id, entry.kind, entry.text, np.asarray(vector, np.float32).tobytes()),
                )
                added.append(int(cur.lastrowid or 0))
            generation = self._bump()
        return PutResult(removed, added, generation)

    def replace_vectors(
        self, expected_generation: int, vectors: dict[int, np.ndarray], meta: dict[str, str | None]
    ) -> int:
        with transaction(self._db, self._lock) as db:
            if self.generation() != expected_generation:
                raise StoreChanged(f"the store is at generation {self.generation()}, not {expected_generation}")
            ids = {int(r[0]) for r in db.execute("SELECT id FROM entries")}
            if ids != set(vectors):
                raise StoreChanged("the entries changed while their new vectors were computed")
            db.executemany(
                "UPDATE entries SET vector = ? WHERE id = ?",
                [(np.asarray(v, np.float32).tobytes(), entry_id) for entry_id, v in vectors.items()],
            )
            for key, value in meta.items():
                if value is None:
                    db.execute("DELETE FROM meta WHERE key = ?", (key,))
                else:
                    self.set_meta(key, value)
            return self._bump()

    def delete(self, article_id: str) -> PutResult:
        with transaction(self._db, self._lock) as db:
            if db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
                raise ArticleNotFound(f"no article with id {article_id!r}")
            removed = self._entry_ids(article_id)
            db.execute("DELETE FROM entries WHERE article_id = ?", (article_id,))
            db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            generation = self._bump()
        return PutResult(removed, [], generation)

    def _row(self, row: tuple[int, str, str, str, bytes]) -> StoredEntry:
        return StoredEntry(row[0], row[1], row[2], row[3], np.frombuffer(row[4], dtype=np.float32))

    def entries(self) -> Iterator[StoredEntry]:
        cur = self._db.execute("SELECT id, article_id, kind, text, vector FROM entries ORDER BY id")
        for row in cur:
            yield self._row(row)

    def entry(self, entry_id: int) -> StoredEntry | None:
        row = self._db.execute(
            "SELECT id, article_id, kind, text, vector FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
        return self._row(row) if row else None

    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0])

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
