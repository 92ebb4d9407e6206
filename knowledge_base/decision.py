"""Turn ranked candidates into one explainable decision: answer, clarify or handoff."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Decision = Literal["answer", "clarify", "handoff"]


@dataclass(frozen=True)
class Thresholds:
    """Scores above ``answer`` are trusted; two candidates closer than ``margin`` are ambiguous.

    Below ``answer`` but not below ``suggest``, the closest articles are offered
    as choices instead of handing off at once (no such band when it is None).
    """

    answer: float
    margin: float
    source: str = "default"
    details: dict[str, Any] = field(default_factory=dict)
    suggest: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Passage:
    """The paragraphs of an article shown as the answer to one question, and why those.

    ``scores`` has one score per paragraph of the article (None for a heading, which is
    never shown). The best one is shown; when it is not the first and does not lead the
    first clearly, the first is shown before it.
    """

    shown: tuple[int, ...]  # into Article.paragraphs(), in the article's order
    text: str
    scores: tuple[float | None, ...]
    # the share of the question's words (weighed by rarity) that the article's title has
    title_coverage: float = 0.0
    broad: bool = False  # see is_broad(): the first paragraph is shown before a later best one

    def to_dict(self) -> dict[str, Any]:
        return {
            "paragraphs": [i + 1 for i in self.shown],
            "scores": [None if s is None else round(s, 4) for s in self.scores],
            "title_coverage": round(self.title_coverage, 4),
            "broad": self.broad,
        }


# A later paragraph that leads the first by less than this is shown after the first, not
# alone. On the sample help center's development questions: a shown paragraph answered
# 81.2% of them with one paragraph each; with leads of 0.03 / 0.05 / 0.08 / 0.1 / 0.15 / 0.2,
# 82.0 / 83.6 / 84.8 / 85.2 / 86.8 / 87.2%, at 1.04 / 1.09 / 1.14 / 1.18 / 1.24 / 1.30
# paragraphs per answer (always both: 88.0%, 1.55). 0.15 is where an extra paragraph stops
# paying: 1.6 points for 0.06 more paragraphs from 0.1, then 0.4 for the next 0.06. (0.1
# until a walk showed "kargo ücreti ne kadar?" get the store-pickup paragraph alone, 0.118
# ahead of the first, which has the prices.)
PASSAGE_CLEAR_LEAD = 0.15
# A broad question asks what the article is about, and the first paragraph, the overview,
# answers that: it is shown before the best one however far that leads. A question is broad
# when it has at most BROAD_QUESTION_WORDS words, too few to tell one detail from another,
# or when the article's title has TITLE_COVERAGE_FOR_OVERVIEW or more of its words (weighed
# by rarity). Walks found a later paragraph shown alone because it repeated one of a short
# question's words: "siparişimi iptal etmek istiyorum" got the paragraph on changing an order
# ("iptal etmek" word for word; its title has 0.77 of the question's words), "when will my
# order arrive" and "bu ürün ne zaman gelir" the one on bulky items ("arrive", "gelir"),
# "fatura nasıl alırım" the one on company invoices. The 516 labelled questions of the
# sample help center (both sets) are longer: 30 have five words or fewer, none reaches 0.5
# of its title, and no share of them answered moves; the held-out questions get 1.31 (Turkish)
# and 1.24 (English) paragraphs per answer instead of 1.26 and 1.21, the development ones
# 1.29 and 1.20 instead of 1.28 and 1.20. Four words would leave out the two five-word
# questions above and move nothing labelled either.
BROAD_QUESTION_WORDS = 5
TITLE_COVERAGE_FOR_OVERVIEW = 0.5


def is_broad(word_count: int, title_coverage: float) -> bool:
    """Whether a question asks what an article is about rather than about one of its details."""
    return word_count <= BROAD_QUESTION_WORDS or title_coverage >= TITLE_COVERAGE_FOR_OVERVIEW


def pick_paragraphs(scores: dict[int, float], first: int, broad: bool = False) -> tuple[int, ...]:
    """The paragraphs to show, in the article's order, from each showable paragraph's score.

    The best one; the first one before it, when the best is another and the question is
    ``broad`` (see :func:`is_broad`) or the best leads the first by less than
    ``PASSAGE_CLEAR_LEAD``; the first alone when nothing is scored.
    """
    if not scores:
        return (first,)
    best = max(scores, key=lambda i: (scores[i], -i))
    if best != first and first in scores and (broad or scores[best] - scores[first] < PASSAGE_CLEAR_LEAD):
        return (first, best)
    return (best,)


@dataclass(frozen=True)
class Candidate:
    id: str
    title: str
    language: str
    score: float
    matched_kind: str
    matched_text: str
    dense: float = 0.0
    lexical: float = 0.0
    # With an article classifier: the mean of the article's next best entries, the
    # classifier's probability for the article and the share of the question's words
    # (by idf) found in the article (see KnowledgeBase._rescore).
    support: float | None = None
    probability: float | None = None
    coverage: float | None = None
    # For the article answered with: the paragraph that answers the question.
    passage: Passage | None = None

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "language": self.language,
            "score": round(self.score, 4),
            "matched": {
                "kind": self.matched_kind,
                "text": self.matched_text,
                "dense": round(self.dense, 4),
                "lexical": round(self.lexical, 4),
            },
        }
        if self.support is not None:
            found["support"] = round(self.support, 4)
        if self.probability is not None:
            found["classifier"] = round(self.probability, 4)
        if self.coverage is not None:
            found["coverage"] = round(self.coverage, 4)
        if self.passage is not None:
            found["passage"] = self.passage.to_dict()
        return found


MAX_CLARIFY_OPTIONS = 3


def decide(candidates: list[Candidate], thresholds: Thresholds) -> tuple[Decision, str, list[Candidate]]:
    """Return the decision, a sentence saying why, and the candidates it is about."""
    if not candidates:
        return "handoff", "the knowledge base has no article to compare with", []
    top = candidates[0]
    if top.score < thresholds.answer:
        suggest = thresholds.suggest
        if suggest is not None and top.score >= suggest:
            options = candidates[:MAX_CLARIFY_OPTIONS]
            return (
                "clarify",
                f"best score {top.score:.3f} is below the answer threshold {thresholds.answer:.3f} but not below "
                f"the suggestion threshold {suggest:.3f}; offering the closest articles as choices ({len(options)}) "
                "instead of handing off",
                options,
            )
        return (
            "handoff",
            f"best score {top.score:.3f} is below the answer threshold {thresholds.answer:.3f}",
            [],
        )
    # A near tie is ambiguous even when the second article falls just short of the threshold:
    # "iade için kargo ücreti ödüyor muyum" was answered from shipping fees at 0.723 with the
    # size-exchange article at 0.706, under a threshold of 0.716.
    close = [c for c in candidates[1:MAX_CLARIFY_OPTIONS] if top.score - c.score < thresholds.margin]
    if close:
        options = [top, *close]
        return (
            "clarify",
            f"{len(options)} articles score within the margin {thresholds.margin:.3f} of the best "
            f"({top.score:.3f}); asking which one is meant",
            options,
        )
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    return (
        "answer",
        f"best score {top.score:.3f} ≥ answer threshold {thresholds.answer:.3f} and "
        f"{top.score - runner_up:.3f} ahead of the next article (margin {thresholds.margin:.3f})",
        [top],
    )
