"""The FAISS vector index, its type chosen by size, and its crash-safe file on disk.

Below ``IVF_THRESHOLD`` entries the index is flat: exact, and one query scans
every vector (about 2.5 ms at 20,000 entries of 384 dimensions on our 2-core
machine). From there on it is IVF: k-means splits the vectors into ``2·√N``
lists and a query scans the ``NPROBE`` lists nearest to it. The lists hold
each vector in half precision (float16): half the memory of float32, and a
query reads half as many bytes, which is what a scan at a million entries
waits on (0.78 to 0.42 ms per query in ``make bench-scale``). A score differs
from the exact cosine by at most 2^-11 (about 5e-4) for unit vectors, 7e-5 at
most in practice, far below any threshold's step. Recall@10 is 0.97 to 0.998
from 20,000 to 1,000,000 entries in ``make bench-scale`` (the same with
float32 vectors); the misses are mostly queries far from every entry (best
cosine under 0.55), which the knowledge base hands off anyway. An index file
written before half precision (IVF-Flat) is still read and used as it is.

Live adds and removes work on both types; an IVF index reuses the lists it was
trained with. An index that has outgrown its type (flat at or above the
threshold, or IVF holding four times more or fewer entries than it was trained
on) is treated like a stale file by :meth:`VectorIndex.load`, so the knowledge
base rebuilds it from the store, with the right type, when it next opens.

The file holds a one-line JSON header (store generation, embedder, count, and
the size the index was built for) followed by the serialised FAISS index. It is
written to a temporary file and renamed, so a reader sees either the old or
the new index, never half of one. A header that does not match the store means
the file is stale: rebuild.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)

IVF_THRESHOLD = 20_000  # entries; a flat index answers one query in under ~3 ms below this
LISTS_PER_ROOT = 2  # nlist = 2·√N
TRAIN_PER_LIST = 40  # k-means sample size per list (FAISS asks for at least 39)
TRAIN_ITERATIONS = 10
NPROBE = 16  # lists searched per query: recall@10 0.97-0.99 on clustered data from 20k to 1M entries
REBUILD_FACTOR = 4  # an IVF index is rebuilt once it holds this many times more (or fewer) entries


@dataclass(frozen=True)
class IndexStamp:
    generation: int
    embedder: str
    count: int


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run FAISS on one OpenMP thread in this block (the setting belongs to the calling thread).

    A single query on a flat index is split across threads; on a busy 2-core
    machine they wait on each other (24 ms instead of 1.6 ms at 10,000 entries).
    """
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


class VectorIndex:
    """Inner-product search over unit vectors, addressed by the store's entry ids."""

    def __init__(self, dimension: int, index: faiss.Index | None = None, built_for: int | None = None) -> None:
        self.dimension = dimension
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        self.built_for = len(self) if built_for is None else built_for
        if self._ivf is not None:
            self._ivf.nprobe = NPROBE  # a search setting, not data: always the current one

    @classmethod
    def build(
        cls, dimension: int, ids: list[int], vectors: np.ndarray, ivf_threshold: int = IVF_THRESHOLD
    ) -> VectorIndex:
        """An index of the type that suits ``len(ids)`` entries, holding them.

        Args:
            dimension: length of the vectors.
            ids: the store's entry ids, one per row of ``vectors``.
            vectors: unit vectors, shape ``(len(ids), dimension)``.
            ivf_threshold: from this many entries on, IVF instead of flat (tests use small sizes).
        """
        if len(ids) < ivf_threshold:
            flat = cls(dimension)
            flat.add(ids, vectors)
            return flat
        vectors = np.ascontiguousarray(vectors, np.float32)
        nlist = round(LISTS_PER_ROOT * math.sqrt(len(ids)))
        # by_residual=False: each list stores the vectors themselves, not their offsets from the
        # list's centroid (float16 needs no help with the range, and a scan skips one step).
        ivf = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(dimension),
            dimension,
            nlist,
            faiss.ScalarQuantizer.QT_fp16,
            faiss.METRIC_INNER_PRODUCT,
            False,
        )
        ivf.cp.niter = TRAIN_ITERATIONS
        sample = np.random.default_rng(0).choice(len(ids), min(len(ids), TRAIN_PER_LIST * nlist), replace=False)
        ivf.train(vectors[np.sort(sample)])
        # Entry ids are arbitrary: a hash table from id to list position serves reconstruct and remove.
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        index = cls(dimension, ivf, built_for=len(ids))
        index.add(ids, vectors)
        return index

    @property
    def _ivf(self) -> faiss.IndexIVF | None:
        return self._index if isinstance(self._index, faiss.IndexIVF) else None

    @property
    def kind(self) -> str:
        """A short description of the FAISS index type in use."""
        if self._ivf is not None:
            storage = " fp16" if isinstance(self._ivf, faiss.IndexIVFScalarQuantizer) else ""
            return f"{type(self._ivf).__name__}{storage} nlist={self._ivf.nlist} nprobe={self._ivf.nprobe}"
        inner = faiss.downcast_index(self._index.index) if hasattr(self._index, "index") else self._index
        return type(inner).__name__

    def fits(self, ivf_threshold: int = IVF_THRESHOLD) -> bool:
        """Whether the index type still suits its size; if not, rebuild with :meth:`build`."""
        if self._ivf is None:
            return len(self) < ivf_threshold
        return self.built_for <= len(self) * REBUILD_FACTOR and len(self) <= self.built_for * REBUILD_FACTOR

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
        return self.vectors([entry_id])[0]

    def vectors(self, entry_ids: list[int]) -> np.ndarray:
        """The stored vectors of several entries, one row each, in one call into FAISS."""
        if not entry_ids:
            return np.zeros((0, self.dimension), np.float32)
        return np.asarray(self._index.reconstruct_batch(np.asarray(entry_ids, np.int64)), dtype=np.float32)

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(scores, ids)`` of shape ``(len(vectors), k)``; missing hits have id -1.

        On an IVF index only the ``NPROBE`` nearest lists are searched, so even a
        large ``k`` returns just the entries in those lists.
        """
        k = max(1, min(k, len(self))) if len(self) else 1
        if not len(self):
            n = len(vectors)
            return np.full((n, k), -np.inf, np.float32), np.full((n, k), -1, np.int64)
        with _one_thread() if len(vectors) == 1 else nullcontext():
            scores, ids = self._index.search(np.ascontiguousarray(vectors, np.float32), k)
        return scores, ids

    def save(self, path: Path, stamp: IndexStamp) -> None:
        """Write atomically: temporary file in the same folder, fsync, rename.

        FAISS writes straight into the file, so no serialised copy of the index
        is held in memory (0.75 GB at a million entries).
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        header = json.dumps({**stamp.__dict__, "built_for": self.built_for}).encode("utf-8") + b"\n"
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(header)
                faiss.write_index(self._index, faiss.PyCallbackIOWriter(fh.write))  # type: ignore[attr-defined]
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, ivf_threshold: int = IVF_THRESHOLD) -> tuple[VectorIndex, IndexStamp] | None:
        """Read an index file; ``None`` when it is missing, unreadable or has outgrown its type."""
        try:
            with path.open("rb") as fh:
                fields = json.loads(fh.readline())
                built_for = fields.pop("built_for", None)  # absent in files written before IVF
                stamp = IndexStamp(**fields)
                index = faiss.read_index(faiss.PyCallbackIOReader(fh.read))  # type: ignore[attr-defined]
        except (OSError, ValueError, TypeError, AttributeError, RuntimeError):
            return None
        if index.ntotal != stamp.count:
            return None
        loaded = cls(index.d, index, built_for)
        if not loaded.fits(ivf_threshold):
            log.info("index outgrew its type, rebuilding", extra={"kind": loaded.kind, "entries": len(loaded)})
            return None
        return loaded, stamp
