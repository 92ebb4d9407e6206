"""The FAISS vector index and its crash-safe file on disk.

The file holds a one-line JSON header (store generation, embedder, count)
followed by the serialised FAISS index. It is written to a temporary file and
renamed, so a reader sees either the old or the new index, never half of one.
A header that does not match the store means the file is stale: rebuild.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np


@dataclass(frozen=True)
class IndexStamp:
    generation: int
    embedder: str
    count: int


class VectorIndex:
    """Inner-product search over unit vectors, addressed by the store's entry ids."""

    def __init__(self, dimension: int, index: faiss.Index | None = None) -> None:
        self.dimension = dimension
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))

    @property
    def kind(self) -> str:
        """A short description of the FAISS index type in use."""
        inner = faiss.downcast_index(self._index.index) if hasattr(self._index, "index") else self._index
        return type(inner).__name__

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        if not ids:
            return
        self._index.add_with_ids(np.ascontiguousarray(vectors, np.float32), np.asarray(ids, np.int64))

    def remove(self, ids: list[int]) -> None:
        if ids:
            self._index.remove_ids(np.asarray(ids, np.int64))  # type: ignore[arg-type]

    def vector(self, entry_id: int) -> np.ndarray:
        """The stored vector of one entry."""
        return np.asarray(self._index.reconstruct(int(entry_id)), dtype=np.float32)

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(scores, ids)`` of shape ``(len(vectors), k)``; missing hits have id -1."""
        k = max(1, min(k, len(self))) if len(self) else 1
        if not len(self):
            n = len(vectors)
            return np.full((n, k), -np.inf, np.float32), np.full((n, k), -1, np.int64)
        scores, ids = self._index.search(np.ascontiguousarray(vectors, np.float32), k)
        return scores, ids

    def save(self, path: Path, stamp: IndexStamp) -> None:
        """Write atomically: temporary file in the same folder, fsync, rename."""
        path.parent.mkdir(parents=True, exist_ok=True)
        header = json.dumps(stamp.__dict__).encode("utf-8") + b"\n"
        blob = faiss.serialize_index(self._index).tobytes()
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(header)
                fh.write(blob)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> tuple[VectorIndex, IndexStamp] | None:
        """Read an index file; ``None`` when it is missing or unreadable."""
        try:
            data = path.read_bytes()
            header, _, blob = data.partition(b"\n")
            stamp = IndexStamp(**json.loads(header))
            index = faiss.deserialize_index(np.frombuffer(blob, dtype=np.uint8))
        except (OSError, ValueError, TypeError, RuntimeError):
            return None
        if index.ntotal != stamp.count:
            return None
        return cls(index.d, index), stamp
