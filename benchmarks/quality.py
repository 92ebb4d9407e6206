"""Answer quality of the product's real search and decision on public datasets.

    .venv/bin/python -m benchmarks.quality [--data ../shared/data] [--only NAME]

Builds one temporary knowledge base per dataset with the offline default model
and prints one table. See the README for the datasets' sources and licences.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.datasets import DEFAULT_DATA, Benchmark, Query, banking77, clinc150, xsid
from knowledge_base.embedders import SentenceTransformerEmbedder
from knowledge_base.evaluate import summarise
from knowledge_base.kb import KnowledgeBase
from knowledge_base.store import SQLiteArticleStore


@dataclass
class Outcome:
    expect: str | None
    top_id: str | None
    score: float
    decision: str


def run(kb: KnowledgeBase, queries: list[Query], language: str, batch: int = 256) -> list[Outcome]:
    outcomes = []
    for start in range(0, len(queries), batch):
        chunk = queries[start : start + batch]
        results = kb.search_many([text for text, _ in chunk], language=language)
        for (_, expect), result in zip(chunk, results, strict=True):
            top = result.candidates[0] if result.candidates else None
            outcomes.append(Outcome(expect, top.id if top else None, top.score if top else -1.0, result.decision))
    return outcomes


def top1(outcomes: list[Outcome]) -> float:
    """Share of in-scope questions whose best candidate is the right article."""
    return float(np.mean([o.top_id == o.expect for o in outcomes if o.expect is not None]))


def operating_point(outcomes: list[Outcome], accept: Callable[[Outcome], bool]) -> tuple[float, float]:
    """In-scope accuracy (accepted and right) and out-of-scope recall (rejected)."""
    in_scope = [o for o in outcomes if o.expect is not None]
    out_scope = [o for o in outcomes if o.expect is None]
    accuracy = float(np.mean([accept(o) and o.top_id == o.expect for o in in_scope]))
    recall = float(np.mean([not accept(o) for o in out_scope]))
    return accuracy, recall


def best_validation_threshold(outcomes: list[Outcome]) -> float:
    """The score cut that maximises in-scope accuracy + out-of-scope recall on validation data."""
    cuts = sorted({round(o.score, 4) for o in outcomes})
    return max(cuts, key=lambda t: sum(operating_point(outcomes, lambda o: o.score >= t)))


def build(bench: Benchmark, folder: Path, embedder: SentenceTransformerEmbedder) -> tuple[KnowledgeBase, float]:
    kb = KnowledgeBase(SQLiteArticleStore(folder / "articles.sqlite3"), embedder, index_path=folder / "index.faiss")
    started = time.perf_counter()
    kb.put_many(bench.articles)
    kb.thresholds()
    return kb, time.perf_counter() - started


def evaluate(bench: Benchmark, embedder: SentenceTransformerEmbedder) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        kb, seconds = build(bench, Path(tmp), embedder)
        try:
            test = run(kb, bench.test, bench.language)
            rows: list[dict[str, object]] = [
                {"dataset": bench.name, "measure": "top-1 accuracy (in-scope questions)", "value": f"{top1(test):.1%}"}
            ]
            if bench.validation:
                cut = best_validation_threshold(run(kb, bench.validation, bench.language))
                acc, rec = operating_point(test, lambda o: o.score >= cut)
                rows.append(
                    {
                        "dataset": bench.name + ", threshold from validation",
                        "measure": "in-scope accuracy / out-of-scope recall",
                        "value": f"{acc:.1%} / {rec:.1%} (score ≥ {cut:.3f})",
                    }
                )
                acc, rec = operating_point(test, lambda o: o.decision != "handoff")
                rows.append(
                    {
                        "dataset": bench.name + ", automatic calibration",
                        "measure": "in-scope accuracy / out-of-scope recall",
                        "value": f"{acc:.1%} / {rec:.1%} (answer ≥ {kb.thresholds().answer:.3f})",
                    }
                )
            print(
                f"# {bench.name}: {len(bench.articles)} articles, {len(bench.test)} questions, "
                f"built in {seconds:.0f} s, thresholds {json.dumps(kb.thresholds().to_dict())}",
                file=sys.stderr,
            )
            return rows
        finally:
            kb.close()


HELPCENTER_QUESTIONS = Path(__file__).parent / "data" / "helpcenter_questions.jsonl"
SAMPLE_ARTICLES = Path(__file__).resolve().parent.parent / "knowledge_base" / "sample_articles"


def helpcenter(embedder: SentenceTransformerEmbedder) -> list[dict[str, object]]:
    """The sample help center with default settings, as a new customer would run it."""
    rows: list[dict[str, object]] = []
    questions = [json.loads(line) for line in HELPCENTER_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        kb = KnowledgeBase.open(Path(tmp), embedder)
        try:
            kb.import_directory(SAMPLE_ARTICLES)
            for language in ("tr", "en"):
                asked = [q for q in questions if q["lang"] == language]
                results = kb.search_many([q["q"] for q in asked])  # language detected, as in production
                summary = summarise(
                    [
                        {
                            "expect": q["expect"],
                            "decision": r.decision,
                            "top_id": r.candidates[0].id if r.candidates else None,
                        }
                        for q, r in zip(asked, results, strict=True)
                    ]
                )
                counts = summary["counts"]
                rows.append(
                    {
                        "dataset": f"sample help center, {language} ({counts['answerable']} answerable, "
                        f"{counts['not_covered']} not covered)",
                        "measure": "answered correctly / not-covered handed off / wrong answers",
                        "value": f"{summary['answered_correct']:.1%} / {summary['handoff_recall']:.1%} / "
                        f"{summary['wrong_answer_rate']:.1%}",
                    }
                )
        finally:
            kb.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", help="run one dataset: banking77, clinc150, xsid-tr, xsid-en, helpcenter")
    args = parser.parse_args()
    loaders = {
        "banking77": lambda: banking77(args.data),
        "clinc150": lambda: clinc150(args.data),
        "xsid-tr": lambda: xsid("tr", args.data),
        "xsid-en": lambda: xsid("en", args.data),
    }
    embedder = SentenceTransformerEmbedder()
    rows = []
    for name, load in loaders.items():
        if args.only in (None, name):
            rows += evaluate(load(), embedder)
    if args.only in (None, "helpcenter"):
        rows += helpcenter(embedder)
    print("| dataset | measure | result |\n|---|---|---|")
    for row in rows:
        print(f"| {row['dataset']} | {row['measure']} | {row['value']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
