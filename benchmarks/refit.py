"""What a visitor gets right after staff add an article, before the bot has fully relearned.

    .venv/bin/python -m benchmarks.refit [--articles N]

On the sample help center, each article in turn (or ``N`` of them, spread
evenly) is deleted, the knowledge base is calibrated without it, and the
article is put back, as if staff had just published it. The labelled
help-center questions of its language (held-out and development sets) are
then asked in three phases:

- similarity alone: the search right after the change, while the article
  classifiers know nothing of the article (the first second or so);
- quick refit: the classifiers refitted with the settings last chosen, and
  the last calibration's thresholds (``KnowledgeBase._refit_quickly``);
- full calibration: what the knowledge base gives once it has calibrated
  again, taken from the complete help center calibrated once at the start.

Searches run in this process and never start a background calibration, so
each phase is measured on its own. Questions about the article put back and
questions about the other articles are counted apart. Prints one table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from benchmarks.quality import SAMPLE_ARTICLES, helpcenter_sets
from knowledge_base.articles import load_directory
from knowledge_base.embedders import SentenceTransformerEmbedder
from knowledge_base.kb import KnowledgeBase, SearchResult

PHASES = ("similarity alone", "quick refit", "full calibration")
OUTCOMES = ("answered right", "right article among choices", "handed off or other choices", "wrong answer")


def classify(expect: str, result: SearchResult) -> str:
    """One of ``OUTCOMES`` for an answerable question."""
    if result.decision == "answer":
        return OUTCOMES[0] if result.candidates[0].id == expect else OUTCOMES[3]
    if result.decision == "clarify" and expect in {c.id for c in result.options}:
        return OUTCOMES[1]
    return OUTCOMES[2]


def shares(counts: Counter[str]) -> str:
    total = sum(counts.values()) or 1
    return " / ".join(f"{counts[o] / total:.1%}" for o in OUTCOMES)


def spread(items: list[str], limit: int | None) -> list[str]:
    if not limit or limit >= len(items):
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def questions() -> list[dict[str, str]]:
    # who asks about the changed article, or about another one
    return [q for asked in helpcenter_sets().values() for q in asked if q["expect"]]


def tally(
    into: dict[tuple[str, str, str], Counter[str]],
    phase: str,
    changed: str,
    asked: Iterable[tuple[dict[str, str], SearchResult]],
) -> None:
    for question, result in asked:
        about = "the new article" if question["expect"] == changed else "the other articles"
        into.setdefault((question["lang"], phase, about), Counter())[classify(question["expect"], result)] += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=None, help="how many articles to put back (default: all)")
    args = parser.parse_args()
    articles = {a.id: a for a in load_directory(SAMPLE_ARTICLES).articles}
    asked = questions()
    counts: dict[tuple[str, str, str], Counter[str]] = {}
    seconds: dict[str, list[float]] = {"quick refit": [], "full calibration": []}
    with tempfile.TemporaryDirectory(prefix="bench-refit-") as tmp:
        kb = KnowledgeBase.open(Path(tmp), SentenceTransformerEmbedder())
        try:
            kb._calibrate_in_background = lambda: None  # type: ignore[method-assign]  # each phase on its own
            kb.import_directory(SAMPLE_ARTICLES)
            kb.thresholds()
            full = {lang: kb.search_many([q["q"] for q in asked if q["lang"] == lang]) for lang in ("tr", "en")}
            chosen = spread(sorted(articles), args.articles)
            for n, article_id in enumerate(chosen, 1):
                article = articles[article_id]
                mine = [q for q in asked if q["lang"] == article.language]
                kb.delete(article_id)
                started = time.perf_counter()
                kb.thresholds(article.language)  # calibrated without it
                seconds["full calibration"].append(time.perf_counter() - started)
                kb.put(article)
                plain = kb.search_many([q["q"] for q in mine])
                started = time.perf_counter()
                kb._refit_quickly()
                seconds["quick refit"].append(time.perf_counter() - started)
                quick = kb.search_many([q["q"] for q in mine])
                assert quick[0].calibration == "quick_refit", quick[0].thresholds.source
                for phase, results in zip(PHASES, (plain, quick, full[article.language]), strict=True):
                    tally(counts, phase, article_id, zip(mine, results, strict=True))
                print(f"# {n}/{len(chosen)} {article_id}", file=sys.stderr, flush=True)
        finally:
            kb.close()
    print(f"{len(chosen)} articles put back one at a time, {len(asked)} labelled questions")
    print(f"| phase | seconds after the change (median) | asked about | {' / '.join(OUTCOMES)} |")
    print("|---|---|---|---|")
    when = {
        PHASES[0]: "0",
        PHASES[1]: f"{statistics.median(seconds['quick refit']):.2f}",
        PHASES[2]: f"{statistics.median(seconds['quick refit']) + statistics.median(seconds['full calibration']):.1f}",
    }
    for language in ("tr", "en"):
        for phase in PHASES:
            for about in ("the new article", "the other articles"):
                found = counts.get((language, phase, about))
                if found:
                    total = sum(found.values())
                    print(f"| {phase} | {when[phase]} | {language}: {about} ({total}) | {shares(found)} |")
    print(
        f"full calibration alone: median {statistics.median(seconds['full calibration']):.1f} s; "
        f"quick refit alone: median {statistics.median(seconds['quick refit']):.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
