"""The labelled help-center question sets stay fair tests of the sample articles.

The held-out set gives the README's figures; the development set, written later
without seeing it, is what changes are tried on.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.quality import (
    HELPCENTER_DEV_QUESTIONS,
    HELPCENTER_PASSAGES,
    HELPCENTER_QUESTIONS,
    SAMPLE_ARTICLES,
)
from knowledge_base.articles import load_directory
from knowledge_base.training import background_texts
from tests.benchmarks import normalised

pytestmark = pytest.mark.unit


def read(path: Path) -> list[dict[str, str | None]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module", params=[HELPCENTER_QUESTIONS, HELPCENTER_DEV_QUESTIONS], ids=["held-out", "dev"])
def questions(request: pytest.FixtureRequest) -> list[dict[str, str | None]]:
    return read(request.param)


def test_the_development_set_shares_no_question_with_the_held_out_set() -> None:
    held_out = {normalised(str(q["q"])) for q in read(HELPCENTER_QUESTIONS)}
    assert [q["q"] for q in read(HELPCENTER_DEV_QUESTIONS) if normalised(str(q["q"])) in held_out] == []


def test_each_language_has_enough_answerable_and_uncovered_questions(questions: list[dict[str, str | None]]) -> None:
    counts = Counter((q["lang"], q["expect"] is not None) for q in questions)
    for language in ("tr", "en"):
        assert counts[(language, True)] >= 100
        assert counts[(language, False)] >= 40


def test_expected_articles_exist_in_the_question_language(questions: list[dict[str, str | None]]) -> None:
    articles = {a.id: a for a in load_directory(SAMPLE_ARTICLES).articles}
    for q in questions:
        if q["expect"] is not None:
            assert q["expect"] in articles, q
            assert articles[q["expect"]].language == q["lang"], q


def test_no_question_reuses_a_title_or_example_question(questions: list[dict[str, str | None]]) -> None:
    articles = load_directory(SAMPLE_ARTICLES).articles
    known = {normalised(a.title) for a in articles} | {normalised(x) for a in articles for x in a.questions}
    reused = [q["q"] for q in questions if normalised(str(q["q"])) in known]
    assert reused == []


def test_questions_are_unique(questions: list[dict[str, str | None]]) -> None:
    counts = Counter(normalised(str(q["q"])) for q in questions)
    assert [q for q, n in counts.items() if n > 1] == []


def test_no_question_is_one_of_the_background_messages_training_uses(questions: list[dict[str, str | None]]) -> None:
    background = {normalised(line) for line in background_texts({"tr", "en"})}
    assert [q["q"] for q in questions if normalised(str(q["q"])) in background] == []


def test_every_answerable_question_has_its_answering_paragraphs_labelled() -> None:
    articles = {a.id: a for a in load_directory(SAMPLE_ARTICLES).articles}
    answerable = [
        (q["q"], q["expect"], q["lang"])
        for path in (HELPCENTER_QUESTIONS, HELPCENTER_DEV_QUESTIONS)
        for q in read(path)
        if q["expect"] is not None
    ]
    labels = [json.loads(line) for line in HELPCENTER_PASSAGES.read_text(encoding="utf-8").splitlines() if line]
    assert sorted((r["q"], r["expect"], r["lang"]) for r in labels) == sorted(answerable)
    for row in labels:
        shown = articles[row["expect"]].answer_paragraphs()
        assert row["paragraphs"] and all(p - 1 in shown for p in row["paragraphs"]), row
