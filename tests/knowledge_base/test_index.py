"""The vector index: type chosen by size, IVF add/remove/reconstruct, and its file on disk.

A small threshold lets a few thousand clustered vectors stand in for the
hundreds of thousands of entries at which the real threshold applies.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from knowledge_base.articles import Article
from knowledge_base.embedders import HashingEmbedder
from knowledge_base.index import NPROBE, REBUILD_FACTOR, IndexStamp, VectorIndex
from knowledge_base.kb import KnowledgeBase

pytestmark = pytest.mark.unit

DIM = 32
SIZE = 8_000
THRESHOLD = 5_000
STAMP = IndexStamp(generation=7, embedder="test", count=SIZE)
# IVF lists hold float16 vectors: each component of a unit vector is off by at most 2^-11 of
# itself, so a cosine of two unit vectors is off by at most that much (Cauchy-Schwarz).
HALF_PRECISION = 2.0**-11


def clustered(n: int, seed: int = 0, clusters: int = 200) -> np.ndarray:
    """Unit vectors around random cluster centres, like sentence embeddings of related texts."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIM), dtype=np.float32)
    vectors = centres[rng.integers(0, clusters, n)] + 0.5 * rng.standard_normal((n, DIM), dtype=np.float32)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def recall_at_10(index: VectorIndex, vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray) -> float:
    truth = ids[np.argsort(-(queries @ vectors.T), axis=1)[:, :10]]
    _, found = index.search(queries, 10)
    return float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)]))


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    ids = np.arange(SIZE, dtype=np.int64) * 7 + 1000  # store ids are neither dense nor from zero
    return ids, clustered(SIZE)


@pytest.fixture
def ivf(data: tuple[np.ndarray, np.ndarray]) -> VectorIndex:
    ids, vectors = data
    return VectorIndex.build(DIM, ids.tolist(), vectors, ivf_threshold=THRESHOLD)


def test_small_index_is_flat_and_large_index_is_ivf(data: tuple[np.ndarray, np.ndarray], ivf: VectorIndex) -> None:
    ids, vectors = data
    flat = VectorIndex.build(DIM, ids[: THRESHOLD - 1].tolist(), vectors[: THRESHOLD - 1], ivf_threshold=THRESHOLD)
    assert flat.kind == "IndexFlatIP"
    assert ivf.kind == f"IndexIVFScalarQuantizer fp16 nlist={round(2 * SIZE**0.5)} nprobe={NPROBE}"
    assert len(ivf) == SIZE and ivf.built_for == SIZE


def test_ivf_finds_the_exact_neighbours_with_cosines_to_half_precision(
    data: tuple[np.ndarray, np.ndarray], ivf: VectorIndex
) -> None:
    ids, vectors = data
    queries = clustered(100, seed=1)
    assert recall_at_10(ivf, vectors, ids, queries) >= 0.95
    scores, found = ivf.search(queries[:1], 5)
    position = {int(i): row for row, i in enumerate(ids)}
    expected = [float(queries[0] @ vectors[position[int(i)]]) for i in found[0]]
    assert scores[0].tolist() == pytest.approx(expected, abs=HALF_PRECISION)


def ivf_flat(ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
    """An IVF index as versions before half precision built it: float32 vectors in the lists."""
    old = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, round(2 * len(ids) ** 0.5), faiss.METRIC_INNER_PRODUCT)
    old.train(vectors)
    old.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
    old.add_with_ids(vectors, ids)
    return VectorIndex(DIM, old, built_for=len(ids))


def test_ivf_holds_its_vectors_in_half_the_bytes(
    data: tuple[np.ndarray, np.ndarray], ivf: VectorIndex, tmp_path: Path
) -> None:
    ids, vectors = data
    ivf_flat(ids, vectors).save(tmp_path / "float32.faiss", STAMP)
    ivf.save(tmp_path / "float16.faiss", STAMP)
    saved = (tmp_path / "float32.faiss").stat().st_size - (tmp_path / "float16.faiss").stat().st_size
    assert saved == pytest.approx(SIZE * DIM * 2, rel=0.01)  # two bytes of every component


def test_ivf_adds_removes_and_returns_vectors_by_entry_id(
    data: tuple[np.ndarray, np.ndarray], ivf: VectorIndex
) -> None:
    ids, vectors = data
    assert np.allclose(ivf.vector(int(ids[5])), vectors[5], rtol=0, atol=HALF_PRECISION)
    new = clustered(3, seed=2)
    ivf.add([10**9, 10**9 + 1, 10**9 + 2], new)
    assert np.allclose(ivf.vector(10**9 + 1), new[1], rtol=0, atol=HALF_PRECISION)
    assert ivf.search(new[1:2], 1)[1][0, 0] == 10**9 + 1
    ivf.remove([10**9 + 1, int(ids[5])])
    assert len(ivf) == SIZE + 1
    assert 10**9 + 1 not in ivf.search(new[1:2], 10)[1][0]
    with pytest.raises(RuntimeError):
        ivf.vector(int(ids[5]))


def test_vectors_of_several_entries_in_one_call(data: tuple[np.ndarray, np.ndarray], ivf: VectorIndex) -> None:
    ids, vectors = data
    flat = VectorIndex.build(DIM, ids[:50].tolist(), vectors[:50], ivf_threshold=THRESHOLD)
    for index in (flat, ivf):
        assert np.allclose(index.vectors([int(ids[7]), int(ids[3])]), vectors[[7, 3]], rtol=0, atol=HALF_PRECISION)
        assert index.vectors([]).shape == (0, DIM)


def test_save_and_load_keep_the_type_settings_and_results(
    data: tuple[np.ndarray, np.ndarray], ivf: VectorIndex, tmp_path: Path
) -> None:
    ids, _ = data
    ivf.save(tmp_path / "index.faiss", STAMP)
    loaded = VectorIndex.load(tmp_path / "index.faiss", ivf_threshold=THRESHOLD)
    assert loaded is not None
    index, stamp = loaded
    assert stamp == STAMP
    assert (index.kind, index.built_for) == (ivf.kind, SIZE)
    queries = clustered(50, seed=3)
    assert np.array_equal(index.search(queries, 10)[1], ivf.search(queries, 10)[1])
    assert np.array_equal(index.vector(int(ids[9])), ivf.vector(int(ids[9])))
    index.add([10**9], clustered(1, seed=4))
    assert len(index) == SIZE + 1


def test_an_index_that_outgrew_its_type_loads_as_stale(data: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    ids, vectors = data
    path = tmp_path / "index.faiss"
    flat = VectorIndex.build(DIM, ids[:100].tolist(), vectors[:100], ivf_threshold=THRESHOLD)
    flat.add(ids[100:THRESHOLD].tolist(), vectors[100:THRESHOLD])  # live adds crossed the threshold
    flat.save(path, IndexStamp(1, "test", THRESHOLD))
    assert VectorIndex.load(path, ivf_threshold=THRESHOLD) is None
    assert VectorIndex.load(path, ivf_threshold=THRESHOLD + 1) is not None

    small = SIZE // REBUILD_FACTOR
    ivf = VectorIndex.build(DIM, ids[:small].tolist(), vectors[:small], ivf_threshold=1_000)
    ivf.add(ids[small:].tolist(), vectors[small:])  # four times the size it was trained for: still fits
    ivf.save(path, IndexStamp(2, "test", SIZE))
    assert VectorIndex.load(path, ivf_threshold=1_000) is not None
    ivf.add([10**9], clustered(1, seed=5))
    ivf.save(path, IndexStamp(3, "test", SIZE + 1))
    assert VectorIndex.load(path, ivf_threshold=1_000) is None


def test_missing_broken_or_miscounted_files_load_as_none(ivf: VectorIndex, tmp_path: Path) -> None:
    path = tmp_path / "index.faiss"
    assert VectorIndex.load(path) is None
    path.write_bytes(b"not an index")
    assert VectorIndex.load(path) is None
    path.write_bytes(b'"just a string"\n')
    assert VectorIndex.load(path) is None
    ivf.save(path, IndexStamp(1, "test", SIZE - 1))
    assert VectorIndex.load(path, ivf_threshold=THRESHOLD) is None


def test_a_file_written_before_ivf_still_loads(data: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    ids, vectors = data
    flat = VectorIndex.build(DIM, ids[:50].tolist(), vectors[:50])
    path = tmp_path / "index.faiss"
    flat.save(path, IndexStamp(1, "test", 50))
    _, _, blob = path.read_bytes().partition(b"\n")
    path.write_bytes(b'{"generation": 1, "embedder": "test", "count": 50}\n' + blob)
    loaded = VectorIndex.load(path)
    assert loaded is not None and loaded[0].kind == "IndexFlatIP" and loaded[0].built_for == 50


def test_an_ivf_flat_file_from_before_half_precision_is_used_live(
    data: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    """Files written by versions that stored float32 vectors in the lists (IVF-Flat) are not rebuilt."""
    ids, vectors = data
    ivf_flat(ids, vectors).save(tmp_path / "index.faiss", STAMP)
    loaded = VectorIndex.load(tmp_path / "index.faiss", ivf_threshold=THRESHOLD)
    assert loaded is not None
    index = loaded[0]
    assert index.kind == f"IndexIVFFlat nlist={round(2 * SIZE**0.5)} nprobe={NPROBE}"
    assert np.array_equal(index.vector(int(ids[4])), vectors[4])
    new = clustered(1, seed=6)
    index.add([10**9], new)
    index.remove([int(ids[4])])
    assert index.search(new, 1)[1][0, 0] == 10**9 and len(index) == SIZE


def test_knowledge_base_keeps_an_ivf_index_live(kb: KnowledgeBase, tmp_path: Path) -> None:
    """An IVF index on disk is used as it is, and live changes go into its trained lists."""
    entries = list(kb.store.entries())
    ivf = VectorIndex.build(256, [e.id for e in entries], np.vstack([e.vector for e in entries]), ivf_threshold=1)
    ivf.save(tmp_path / "kb" / "index.faiss", IndexStamp(kb.store.generation(), kb.embedder.name, len(entries)))
    kb.close()
    reopened = KnowledgeBase.open(tmp_path / "kb", HashingEmbedder(256))
    assert reopened.search("What is the return period?").candidates[0].id == "return-window"
    reopened.put(Article(id="gift-wrap", title="Gift wrapping", language="en", body="Tick gift wrap at checkout."))
    assert reopened.search("Gift wrapping").candidates[0].id == "gift-wrap"
    loaded = VectorIndex.load(tmp_path / "kb" / "index.faiss")
    assert loaded is not None and loaded[0].kind.startswith("IndexIVFScalarQuantizer fp16")
    reopened.close()
