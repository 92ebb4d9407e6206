"""Automatic threshold calibration from the knowledge base's own example questions.

No labelled visitor data is needed. Each example question is held out in turn
(leave-one-out) and searched against everything else:

- its own article's best remaining score is what an *answerable* question scores;
- the best score among the *other* articles of its language is what a question
  the knowledge base does not cover looks like when it happens to resemble an article.

The answer threshold lets through at most ``MAX_FALSE_ANSWER_RATE`` of the
second group: a wrong answer costs a visitor's trust, a needless handoff only
an agent's minute. (The cut that best separates the two groups, Youden's J, is
reported beside it. On CLINC150's validation split it answered fewer in-scope
questions at about the same out-of-scope recall, and on the sample help center
it answered one uncovered question in eight.) The clarify margin is a low
quantile of how far the right article leads.

Between the answer threshold and a lower suggestion threshold, which
``MAX_SUGGESTION_RATE`` of the look-alikes reach, the bot offers the closest
articles as choices ("none of these" leads to a person) rather than handing
off at once: no answer is given there, so no wrong one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from knowledge_base.decision import Thresholds

MIN_QUESTIONS = 8
# Share of look-alike questions (best score of a wrong article) the threshold may let through.
MAX_FALSE_ANSWER_RATE = 0.05
# Share of look-alikes offered choices or answered. Twice the answer rule's share: the
# next 5% of look-alikes get choices instead of a handoff at once. On the sample help
# center's development questions (never the held-out ones) the right article was first
# for every answerable question in that band (15 Turkish, 8 English), while 6 of 73
# (Turkish) and 6 of 72 (English) uncovered ones got choices rather than a handoff.
MAX_SUGGESTION_RATE = 0.10


def youden_threshold(positives: np.ndarray, negatives: np.ndarray) -> float:
    """The cut that maximises true-positive rate minus false-positive rate (the lowest such cut)."""
    cuts = np.unique(np.concatenate([positives, negatives]))
    # share of each group scoring at least each cut, from sorted scores: O(n log n)
    tpr = 1.0 - np.searchsorted(np.sort(positives), cuts, side="left") / len(positives)
    fpr = 1.0 - np.searchsorted(np.sort(negatives), cuts, side="left") / len(negatives)
    return float(cuts[int(np.argmax(tpr - fpr))])


def calibrate(
    held_out: list[tuple[str, str]],
    score_fn: Callable[[int], tuple[float, float]],
    default: Thresholds,
    margin_quantile: float = 0.1,
    max_false_answer_rate: float = MAX_FALSE_ANSWER_RATE,
    max_suggestion_rate: float = MAX_SUGGESTION_RATE,
) -> Thresholds:
    """Compute thresholds from ``held_out`` example questions.

    Args:
        held_out: one ``(article_id, language)`` per example question, in order.
        score_fn: for question ``i``, returns ``(own_article_best, other_articles_best)``
            with question ``i`` itself excluded from the index.
        default: thresholds to fall back on when there are too few questions.
        margin_quantile: quantile of the lead of the right article used as margin.
        max_false_answer_rate: the threshold is the ``1 - max_false_answer_rate``
            quantile of the other articles' best scores.
        max_suggestion_rate: the suggestion threshold is their ``1 - max_suggestion_rate``
            quantile (never above the answer threshold).
    """
    if len(held_out) < MIN_QUESTIONS:
        return default
    pairs = np.array([score_fn(i) for i in range(len(held_out))], dtype=np.float64)
    valid = np.isfinite(pairs).all(axis=1)
    pairs = pairs[valid]
    if len(pairs) < MIN_QUESTIONS:
        return default
    positives, negatives = pairs[:, 0], pairs[:, 1]
    answer = float(np.quantile(negatives, 1.0 - max_false_answer_rate, method="higher"))
    suggest = min(answer, float(np.quantile(negatives, 1.0 - max_suggestion_rate, method="higher")))
    leads = positives - negatives
    winning = leads[leads > 0]
    margin = float(np.quantile(winning, margin_quantile)) if len(winning) else default.margin
    margin = float(np.clip(margin, 0.005, 0.08))
    return Thresholds(
        answer=round(answer, 4),
        margin=round(margin, 4),
        suggest=round(suggest, 4),
        source=f"leave-one-out over {len(pairs)} example questions",
        details={
            "answerable_median": round(float(np.median(positives)), 4),
            "nearest_other_median": round(float(np.median(negatives)), 4),
            "held_out_top1_accuracy": round(float(np.mean(leads > 0)), 4),
            "other_articles_answered": max_false_answer_rate,
            "answerable_answered": round(float(np.mean(positives >= answer)), 4),
            "other_articles_answered_or_offered_choices": max_suggestion_rate,
            "youden_cut": round(youden_threshold(positives, negatives), 4),
        },
    )
