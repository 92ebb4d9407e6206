"""The refit benchmark's bookkeeping."""

from collections import Counter

import pytest

from benchmarks.refit import OUTCOMES, classify, shares, spread
from knowledge_base.decision import Candidate, Thresholds
from knowledge_base.kb import SearchResult

pytestmark = pytest.mark.unit


def result(decision: str, *ids: str, options: tuple[str, ...] = ()) -> SearchResult:
    candidates = [Candidate(i, i, "tr", 1.0, "question", i) for i in ids]
    chosen = [c for c in candidates if c.id in options]
    return SearchResult("q", "tr", decision, "", candidates, chosen, Thresholds(0.5, 0.1))  # type: ignore[arg-type]


def test_each_decision_is_one_outcome_for_the_expected_article() -> None:
    assert classify("a", result("answer", "a", "b")) == "answered right"
    assert classify("a", result("answer", "b", "a")) == "wrong answer"
    assert classify("a", result("clarify", "b", "a", options=("b", "a"))) == "right article among choices"
    assert classify("a", result("clarify", "b", "c", options=("b", "c"))) == "handed off or other choices"
    assert classify("a", result("handoff", "a")) == "handed off or other choices"


def test_shares_follow_the_outcomes_order() -> None:
    counts = Counter({OUTCOMES[0]: 3, OUTCOMES[3]: 1})
    assert shares(counts) == "75.0% / 0.0% / 0.0% / 25.0%"


def test_spread_takes_items_across_the_list() -> None:
    items = [str(i) for i in range(10)]
    assert spread(items, None) == items
    assert spread(items, 20) == items
    assert spread(items, 3) == ["0", "3", "6"]
