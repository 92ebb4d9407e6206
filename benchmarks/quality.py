"""Answer quality of the product's real search and decision on public datasets.

    .venv/bin/python -m benchmarks.quality [--data ../shared/data] [--only NAME] [--base-only]

Builds one temporary knowledge base per dataset with the offline default model,
scores it, then fine-tunes the model on the articles (``kb train`` with its default
options) and scores it again. Prints one table. See the README for the datasets'
sources and licences.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from benchmarks.datasets import DEFAULT_DATA, Benchmark, Query, banking77, clinc150, xsid
from knowledge_base.decision import Thresholds
from knowledge_base.embedders import SentenceTransformerEmbedder
from knowledge_base.evaluate import summarise
from knowledge_base.kb import KnowledgeBase, SearchResult
from knowledge_base.training import TrainingOptions


@dataclass
class Outcome:
    expect: str | None
    top_id: str | None
    score: float
    decision: str
    options: list[str]
    # the best score reached the answer threshold: answered, or asked which of close articles
    confident: bool


def outcome(expect: str | None, result: SearchResult) -> Outcome:
    top = result.candidates[0] if result.candidates else None
    return Outcome(
        expect,
        top.id if top else None,
        top.score if top else -1.0,
        result.decision,
        [o.id for o in result.options] if result.decision == "clarify" else [],
        top is not None and top.score >= result.thresholds.answer,
    )


def run(kb: KnowledgeBase, queries: list[Query], language: str, batch: int = 256) -> list[Outcome]:
    outcomes = []
    for start in range(0, len(queries), batch):
        chunk = queries[start : start + batch]
        results = kb.search_many([text for text, _ in chunk], language=language)
        outcomes += [outcome(expect, result) for (_, expect), result in zip(chunk, results, strict=True)]
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
    kb = KnowledgeBase.open(folder, embedder)
    started = time.perf_counter()
    kb.put_many(bench.articles)
    kb.thresholds()
    return kb, time.perf_counter() - started


def offered_choices(outcomes: list[Outcome], dataset: str, thresholds: Thresholds) -> dict[str, object]:
    """Questions below the answer threshold offered the closest articles instead of a handoff."""
    in_scope = [o for o in outcomes if o.expect is not None]
    out_scope = [o for o in outcomes if o.expect is None]
    offered = [o for o in in_scope if o.decision == "clarify" and not o.confident]
    right = sum(1 for o in offered if o.expect in o.options)
    uncovered = sum(1 for o in out_scope if o.decision == "clarify" and not o.confident)
    return {
        "dataset": f"{dataset}: offered choices below the answer threshold (suggest ≥ {thresholds.suggest})",
        "measure": "answerable offered choices, right article among them / not covered offered choices",
        "value": f"{len(offered)} of {len(in_scope)}, {right} right / {uncovered} of {len(out_scope)}",
    }


def model_label(kb: KnowledgeBase) -> str:
    trained = kb.trained_model()
    if trained is None:
        return "base model"
    return f"trained ({trained.steps} steps, {trained.seconds / 60:.1f} min)"


def base_then_trained(kb: KnowledgeBase, name: str, training: TrainingOptions | None) -> Iterator[None]:
    """Yield once with the base model, then, if ``training`` is given, once more after ``kb train``."""
    yield
    if training:
        train(kb, name, training)
        yield


def train(kb: KnowledgeBase, name: str, options: TrainingOptions) -> None:
    manifest = kb.train(options)
    assert manifest is not None
    print(f"# {name}: trained {manifest.id} in {manifest.seconds:.0f} s, {manifest.steps} steps", file=sys.stderr)


def evaluate(
    bench: Benchmark, embedder: SentenceTransformerEmbedder, training: TrainingOptions | None
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        kb, seconds = build(bench, Path(tmp), embedder)
        try:
            for _ in base_then_trained(kb, bench.name, training):
                rows += score(kb, bench, seconds)
            return rows
        finally:
            kb.close()


def score(kb: KnowledgeBase, bench: Benchmark, seconds: float) -> list[dict[str, object]]:
    label = model_label(kb)
    test = run(kb, bench.test, bench.language)
    rows: list[dict[str, object]] = [
        {
            "dataset": f"{bench.name}, {label}",
            "measure": "top-1 accuracy (in-scope questions)",
            "value": f"{top1(test):.1%}",
        }
    ]
    if bench.validation:
        cut = best_validation_threshold(run(kb, bench.validation, bench.language))
        acc, rec = operating_point(test, lambda o: o.score >= cut)
        rows.append(
            {
                "dataset": f"{bench.name}, {label}, threshold from validation",
                "measure": "in-scope accuracy / out-of-scope recall",
                "value": f"{acc:.2%} / {rec:.2%} (score ≥ {cut:.3f})",  # two decimals: goals sit on whole numbers
            }
        )
        acc, rec = operating_point(test, lambda o: o.confident)
        thresholds = kb.thresholds(bench.language)
        rows.append(
            {
                "dataset": f"{bench.name}, {label}, automatic calibration",
                "measure": "in-scope accuracy / out-of-scope recall",
                "value": f"{acc:.2%} / {rec:.2%} (answer ≥ {thresholds.answer:.3f})",
            }
        )
        rows.append(offered_choices(test, f"{bench.name}, {label}, automatic calibration", thresholds))
    print(
        f"# {bench.name} ({label}): {len(bench.articles)} articles, {len(bench.test)} questions, "
        f"built in {seconds:.0f} s, thresholds {json.dumps(kb.thresholds(bench.language).to_dict())}",
        file=sys.stderr,
    )
    return rows


HELPCENTER_QUESTIONS = Path(__file__).parent / "data" / "helpcenter_questions.jsonl"
# Written later, by someone who never saw the held-out set: what changes are tried on.
HELPCENTER_DEV_QUESTIONS = Path(__file__).parent / "data" / "helpcenter_dev_questions.jsonl"
HELPCENTER_SETS = {"held-out questions": HELPCENTER_QUESTIONS, "development questions": HELPCENTER_DEV_QUESTIONS}
# For every answerable question of both sets: the paragraphs (1-based) of its article that
# answer it, labelled by people reading the articles, not by the product.
HELPCENTER_PASSAGES = Path(__file__).parent / "data" / "helpcenter_passages.jsonl"
SAMPLE_ARTICLES = Path(__file__).resolve().parent.parent / "knowledge_base" / "sample_articles"


def helpcenter_sets() -> dict[str, list[dict[str, str]]]:
    """The labelled help-center questions, by set (held-out, development)."""
    return {
        name: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        for name, path in HELPCENTER_SETS.items()
    }


def helpcenter(embedder: SentenceTransformerEmbedder, training: TrainingOptions | None) -> list[dict[str, object]]:
    """The sample help center with default settings, as a new customer would run it."""
    rows: list[dict[str, object]] = []
    sets = helpcenter_sets()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        kb = KnowledgeBase.open(Path(tmp), embedder)
        try:
            kb.import_directory(SAMPLE_ARTICLES)
            for _ in base_then_trained(kb, "sample help center", training):
                for name, questions in sets.items():
                    rows += helpcenter_rows(kb, questions, name)
        finally:
            kb.close()
    return rows


def passage_labels() -> dict[str, list[int]]:
    """Question text → the paragraphs (1-based) of its article that answer it."""
    lines = HELPCENTER_PASSAGES.read_text(encoding="utf-8").splitlines()
    return {row["q"]: row["paragraphs"] for row in map(json.loads, filter(None, lines))}


def passage_row(kb: KnowledgeBase, asked: list[dict[str, str]], dataset: str) -> dict[str, object]:
    """How often a paragraph shown answers the question, given the right article: the first
    paragraph alone (what the chat showed before) against what the knowledge base picks."""
    labels = passage_labels()
    labelled = [(q, labels[q["q"]]) for q in asked if q["expect"] is not None and q["q"] in labels]
    row: dict[str, object] = {
        "dataset": f"{dataset}: a paragraph shown answers the question ({len(labelled)} labelled)",
        "measure": "the first paragraph alone / the paragraphs the knowledge base picks (paragraphs per answer)",
    }
    if not labelled:
        return {**row, "value": "no labelled questions"}
    first = picked = shown = 0
    for q, paragraphs in labelled:
        article = kb.get(q["expect"])
        passage = kb.passage(q["expect"], q["q"])
        assert article is not None and passage is not None, q
        first += article.answer_paragraphs()[0] + 1 in paragraphs
        picked += any(i + 1 in paragraphs for i in passage.shown)
        shown += len(passage.shown)
    n = len(labelled)
    return {**row, "value": f"{first / n:.1%} / {picked / n:.1%} ({shown / n:.2f})"}


def helpcenter_rows(kb: KnowledgeBase, questions: list[dict[str, str]], name: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    label = model_label(kb)
    for language in ("tr", "en"):
        asked = [q for q in questions if q["lang"] == language]
        results = kb.search_many([q["q"] for q in asked])  # language detected, as in production
        outcomes = [outcome(q["expect"], r) for q, r in zip(asked, results, strict=True)]
        summary = summarise([asdict(o) for o in outcomes])
        counts = summary["counts"]
        rows.append(
            {
                "dataset": f"sample help center, {name}, {language}, {label} ({counts['answerable']} answerable, "
                f"{counts['not_covered']} not covered)",
                "measure": "answered correctly / not-covered handed off / wrong answers (top-1; answered or the "
                "right article among the choices offered)",
                "value": f"{summary['answered_correct']:.1%} / {summary['handoff_recall']:.1%} / "
                f"{summary['wrong_answer_rate']:.1%} ({top1(outcomes):.1%}; "
                f"{summary['answered_or_right_choice_offered']:.1%})",
            }
        )
        handed_off = [
            (q["expect"], [c.id for c in r.candidates[:3]])
            for q, r in zip(asked, results, strict=True)
            if q["expect"] is not None and r.decision == "handoff"
        ]
        first = sum(1 for expect, ids in handed_off if ids[:1] == [expect])
        within = sum(1 for expect, ids in handed_off if expect in ids)
        rows.append(
            {
                "dataset": f"sample help center, {name}, {language}, {label}: answerable questions handed off",
                "measure": "how many / right article first / right article among the first three",
                "value": f"{len(handed_off)} / {first} / {within}",
            }
        )
        best = best_threshold_in_hindsight(outcomes)
        rows.append(
            {
                "dataset": f"sample help center, {name}, {language}, {label}, best threshold chosen on these questions "
                "(reference only: shows what scoring, not calibration, allows)",
                "measure": "answered correctly, with ≥ 90% not-covered handed off and ≤ 3% wrong answers",
                "value": "no threshold meets both" if best is None else f"{best[1]:.1%} (score ≥ {best[0]:.3f})",
            }
        )
        dataset = f"sample help center, {name}, {language}, {label}"
        rows.append(offered_choices(outcomes, dataset, kb.thresholds(language)))
        rows.append(passage_row(kb, asked, dataset))
    for language in ("tr", "en"):
        thresholds = json.dumps(kb.thresholds(language).to_dict())
        print(f"# sample help center ({label}), {language}: thresholds {thresholds}", file=sys.stderr)
    return rows


def best_threshold_in_hindsight(
    outcomes: list[Outcome], min_handoff: float = 0.9, max_wrong: float = 0.03
) -> tuple[float, float] | None:
    """The score cut, chosen with the labels, that answers the most questions right within the goal.

    Clarifying is left out: every question at or above the cut is answered.
    Returns ``(cut, answered correctly)``, or None when no cut meets both limits.
    """
    best: tuple[float, float] | None = None
    answerable = [o for o in outcomes if o.expect is not None]
    uncovered = [o for o in outcomes if o.expect is None]
    if not answerable or not uncovered:
        return None
    for cut in sorted({o.score for o in outcomes}):
        wrong = sum(o.score >= cut and o.top_id != o.expect for o in outcomes) / len(outcomes)
        kept_back = sum(o.score < cut for o in uncovered) / len(uncovered)
        right = sum(o.score >= cut and o.top_id == o.expect for o in answerable) / len(answerable)
        if wrong <= max_wrong and kept_back >= min_handoff and (best is None or right > best[1]):
            best = (cut, right)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--only", choices=("banking77", "clinc150", "xsid-tr", "xsid-en", "helpcenter"), help="run one dataset"
    )
    parser.add_argument("--base-only", action="store_true", help="skip fine-tuning (kb train)")
    parser.add_argument("--epochs", type=int, default=TrainingOptions.epochs, help="training epochs (kb train default)")
    args = parser.parse_args()
    training = None if args.base_only else TrainingOptions(epochs=args.epochs)
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
            rows += evaluate(load(), embedder, training)
    if args.only in (None, "helpcenter"):
        rows += helpcenter(embedder, training)
    print("| dataset | measure | result |\n|---|---|---|")
    for row in rows:
        print(f"| {row['dataset']} | {row['measure']} | {row['value']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
