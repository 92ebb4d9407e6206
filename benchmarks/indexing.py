"""Indexing throughput: ``KnowledgeBase.put_many`` against the model's own encoding speed.

    .venv/bin/python -m benchmarks.indexing [--texts 2000] [--rounds 3]

The texts are the entries (titles, example questions, paragraphs) of the
sample articles, copied under new ids until there are at least ``--texts`` of
them. Each round times, with the same warm model weights and the same texts:

- raw: ``SentenceTransformer.encode`` with the product's batch size, on the
  texts exactly as the model receives them in the product (folded);
- product: ``KnowledgeBase.put_many`` into a fresh knowledge base on disk,
  which folds and embeds the texts, writes them to the SQLite store (one
  durable transaction per article), adds them to the FAISS and lexical
  indexes and writes the index file.

Rounds alternate between the two, so that a busy machine slows both alike;
the table shows every round and the medians. Torch runs on one thread, as in
``benchmarks.scale``: on the shared 2-core machine that encodes faster (55
against 34 texts/s) and varies less than two threads that wait on each other.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from knowledge_base.articles import Article, load_directory
from knowledge_base.embedders import SentenceTransformerEmbedder, default_model_path
from knowledge_base.kb import KnowledgeBase, article_entries
from knowledge_base.text import fold

SAMPLE_ARTICLES = Path(__file__).resolve().parent.parent / "knowledge_base" / "sample_articles"
BATCH_SIZE = 64


def copies_of_sample_articles(texts: int) -> list[Article]:
    """Sample articles under new ids (``<id>-<copy>``) until they hold at least ``texts`` entries."""
    originals = load_directory(SAMPLE_ARTICLES).articles
    articles: list[Article] = []
    count = 0
    while count < texts:
        article = originals[len(articles) % len(originals)]
        articles.append(dataclasses.replace(article, id=f"{article.id}-{len(articles) // len(originals)}"))
        count += len(article_entries(articles[-1]))
    return articles


def row(label: str, raw: float, product: float) -> str:
    return f"| {label} | {raw:.0f} | {product:.0f} | {product / raw:.2f} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    from sentence_transformers import SentenceTransformer

    articles = copies_of_sample_articles(args.texts)
    texts = [fold(e.text) for a in articles for e in article_entries(a)]
    embedder = SentenceTransformerEmbedder(batch_size=BATCH_SIZE)
    embedder.embed(texts[:BATCH_SIZE])  # load and warm up
    model = SentenceTransformer(default_model_path(), device="cpu")
    model.encode(texts[:BATCH_SIZE], batch_size=BATCH_SIZE)
    print(f"{len(texts):,} texts from {len(articles)} articles, batch size {BATCH_SIZE}")
    print("| round | raw encode (texts/s) | KnowledgeBase.put_many (texts/s) | ratio |")
    print("|---|---|---|---|")
    raw_rates, product_rates = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(1, args.rounds + 1):
            started = time.perf_counter()
            model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True)
            raw_rates.append(len(texts) / (time.perf_counter() - started))
            kb = KnowledgeBase.open(Path(tmp) / f"kb-{round_}", embedder)
            started = time.perf_counter()
            kb.put_many(articles)
            product_rates.append(len(texts) / (time.perf_counter() - started))
            kb.close()
            print(row(str(round_), raw_rates[-1], product_rates[-1]))
    print(row("median", statistics.median(raw_rates), statistics.median(product_rates)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
