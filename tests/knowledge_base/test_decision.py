import numpy as np
import pytest

from knowledge_base.calibration import (
    MAX_FALSE_ANSWER_RATE,
    MAX_SUGGESTION_RATE,
    MIN_QUESTIONS,
    calibrate,
    youden_threshold,
)
from knowledge_base.decision import (
    BROAD_QUESTION_WORDS,
    PASSAGE_CLEAR_LEAD,
    TITLE_COVERAGE_FOR_OVERVIEW,
    Candidate,
    Thresholds,
    decide,
    is_broad,
    pick_paragraphs,
)

pytestmark = pytest.mark.unit

T = Thresholds(answer=0.6, margin=0.05)


def cand(article_id: str, score: float) -> Candidate:
    return Candidate(article_id, article_id.title(), "en", score, "question", "q")


def test_no_candidates_hands_off() -> None:
    assert decide([], T)[0] == "handoff"


def test_low_top_score_hands_off_and_says_why() -> None:
    decision, reason, options = decide([cand("a", 0.59), cand("b", 0.3)], T)
    assert decision == "handoff"
    assert "0.590" in reason and "0.600" in reason
    assert options == []


def test_clear_winner_is_answered() -> None:
    decision, reason, options = decide([cand("a", 0.9), cand("b", 0.7)], T)
    assert decision == "answer"
    assert [o.id for o in options] == ["a"]
    assert "0.200 ahead" in reason


def test_close_runner_up_above_threshold_asks_to_clarify() -> None:
    decision, _, options = decide([cand("a", 0.80), cand("b", 0.78), cand("c", 0.77), cand("d", 0.76)], T)
    assert decision == "clarify"
    assert [o.id for o in options] == ["a", "b", "c"]


def test_close_runner_up_below_threshold_asks_to_clarify_too() -> None:
    """A near tie is ambiguous whether or not the second article reaches the threshold itself."""
    decision, _, options = decide([cand("a", 0.62), cand("b", 0.59), cand("c", 0.50)], T)
    assert decision == "clarify"
    assert [o.id for o in options] == ["a", "b"]


BAND = Thresholds(answer=0.6, margin=0.05, suggest=0.5)


def test_a_score_just_below_the_answer_threshold_offers_the_closest_articles() -> None:
    decision, reason, options = decide([cand("a", 0.55), cand("b", 0.41), cand("c", 0.40), cand("d", 0.39)], BAND)
    assert decision == "clarify"
    assert [o.id for o in options] == ["a", "b", "c"]  # never an answer below the answer threshold
    assert "0.550" in reason and "0.600" in reason and "0.500" in reason


@pytest.mark.parametrize("thresholds", [BAND, T])
def test_below_the_suggestion_threshold_or_without_one_hands_off(thresholds: Thresholds) -> None:
    decision, _, options = decide([cand("a", 0.49 if thresholds is BAND else 0.55), cand("b", 0.3)], thresholds)
    assert decision == "handoff"
    assert options == []


def test_the_band_changes_nothing_above_the_answer_threshold() -> None:
    for candidates in ([cand("a", 0.9), cand("b", 0.7)], [cand("a", 0.80), cand("b", 0.78)]):
        assert decide(candidates, BAND)[:2] == decide(candidates, T)[:2]


def test_youden_threshold_separates_two_groups() -> None:
    cut = youden_threshold(np.array([0.8, 0.85, 0.9]), np.array([0.3, 0.4, 0.5]))
    assert 0.5 < cut <= 0.8


def test_calibration_falls_back_to_defaults_with_few_questions() -> None:
    held_out = [("a", "en")] * (MIN_QUESTIONS - 1)
    assert calibrate(held_out, lambda i: (0.9, 0.1), T) is T


def test_calibration_uses_only_the_scores_it_is_given() -> None:
    rng = np.random.default_rng(0)
    pos, neg = rng.normal(0.8, 0.05, 50), rng.normal(0.5, 0.05, 50)
    result = calibrate([("a", "en")] * 50, lambda i: (pos[i], neg[i]), T)
    assert np.mean(neg >= result.answer) <= MAX_FALSE_ANSWER_RATE  # few look-alikes answered
    assert np.mean(neg >= result.answer - 1e-9) > 0  # and the threshold is not higher than that needs
    assert result.details["answerable_answered"] == np.mean(pos >= result.answer)
    assert result.source == "leave-one-out over 50 example questions"
    assert result.details["held_out_top1_accuracy"] == 1.0


def test_the_suggestion_threshold_lets_the_next_look_alikes_have_choices() -> None:
    rng = np.random.default_rng(1)
    pos, neg = rng.normal(0.8, 0.05, 400), rng.normal(0.5, 0.05, 400)
    result = calibrate([("a", "en")] * 400, lambda i: (pos[i], neg[i]), T)
    assert result.suggest is not None and result.suggest < result.answer
    assert MAX_FALSE_ANSWER_RATE < np.mean(neg >= result.suggest) <= MAX_SUGGESTION_RATE


def test_the_best_paragraph_is_shown_alone_when_it_clearly_leads_the_first() -> None:
    assert pick_paragraphs({0: 0.40, 1: 0.30, 2: 0.41 + PASSAGE_CLEAR_LEAD}, first=0) == (2,)
    assert pick_paragraphs({0: 0.70, 1: 0.69, 2: 0.20}, first=0) == (0,)  # the first is the best


def test_a_later_paragraph_that_leads_the_first_narrowly_comes_after_it() -> None:
    assert pick_paragraphs({0: 0.50, 1: 0.41, 2: 0.577}, first=0) == (0, 2)
    assert pick_paragraphs({1: 0.50, 2: 0.55, 3: 0.30}, first=1) == (1, 2)  # after a heading, 1 is the first


def test_a_broad_question_gets_the_overview_before_the_best_paragraph() -> None:
    far_ahead = {0: 0.40, 1: 0.41 + 2 * PASSAGE_CLEAR_LEAD, 2: 0.30}
    assert pick_paragraphs(far_ahead, first=0, broad=True) == (0, 1)
    assert pick_paragraphs(far_ahead, first=0, broad=False) == (1,)
    assert pick_paragraphs({0: 0.70, 1: 0.20}, first=0, broad=True) == (0,)  # the first is the best


def test_a_question_is_broad_when_short_or_in_the_title_s_words() -> None:
    assert is_broad(BROAD_QUESTION_WORDS, 0.0)  # "when will my order arrive"
    assert not is_broad(BROAD_QUESTION_WORDS + 1, TITLE_COVERAGE_FOR_OVERVIEW - 0.01)
    assert is_broad(BROAD_QUESTION_WORDS + 4, TITLE_COVERAGE_FOR_OVERVIEW)


def test_without_scores_the_first_paragraph_is_shown() -> None:
    assert pick_paragraphs({}, first=1) == (1,)
    assert pick_paragraphs({2: 0.3}, first=1) == (2,)  # the first could not be scored: the best alone
