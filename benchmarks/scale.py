"""Search latency at 10k, 100k and 1M entries, as a ratio to embedding the query.

    .venv/bin/python -m benchmarks.scale [--sizes 10000 100000 1000000] [--queries 200]

Beyond the real sample articles the entries are synthetic unit vectors (the
issue allows it): what is measured is the index, not the model. Prints, per
size, the median time to embed one query with the real model, the median time
of one search in the product's index, the ratio of embedding plus search to
embedding alone, and recall@10 of that
index against exact search.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import faiss
import numpy as np

from knowledge_base.embedders import SentenceTransformerEmbedder
from knowledge_base.index import VectorIndex

QUESTIONS = ["İade süresi kaç gün?", "How long do refunds take?", "kargo ucreti ne kadar", "Şifremi unuttum"]


def median_ms(fn: object, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def synthetic(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    vectors = rng.standard_normal((n, dim), dtype=np.float32)
    faiss.normalize_L2(vectors)
    return vectors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder()
    embedder.embed(QUESTIONS)  # load and warm up
    embed_ms = median_ms(lambda: embedder.embed([QUESTIONS[0]]), args.queries)
    queries = embedder.embed(QUESTIONS * (args.queries // len(QUESTIONS) + 1))[: args.queries]
    rng = np.random.default_rng(0)
    print(f"embedding one query: median {embed_ms:.2f} ms")
    print("| entries | search median (ms) | (embed + search) / embed | recall@10 vs exact | index |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        vectors = synthetic(size, embedder.dimension, rng)
        index = VectorIndex(embedder.dimension)
        index.add(list(range(size)), vectors)
        exact = faiss.IndexFlatIP(embedder.dimension)
        exact.add(vectors)
        _, truth = exact.search(queries, 10)
        _, found = index.search(queries, 10)
        recall = float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)]))
        timings = []
        for q in queries:
            started = time.perf_counter()
            index.search(q[None, :], 64)
            timings.append(time.perf_counter() - started)
        search_ms = statistics.median(timings) * 1000
        ratio = (embed_ms + search_ms) / embed_ms
        print(f"| {size:,} | {search_ms:.2f} | {ratio:.2f} | {recall:.3f} | {index.kind} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
