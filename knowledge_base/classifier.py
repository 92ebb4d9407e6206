"""Which article is a question about? A per-language classifier fitted on the articles' own texts.

The offline default embedding model is English-only: to it, any two Turkish
sentences look somewhat alike, so nearest-neighbour search alone ranks the
wrong Turkish article first far too often. A linear classifier over
character n-grams of the folded text (3 to 5 letters inside word boundaries)
sees Turkish stems and suffixes whatever the model knows. It is fitted on
each article's example questions, title and paragraphs when the knowledge
base changes, in about a second for a help center of fifty articles.

Whether the embedding vector is worth adding as features is decided per
language on held-out example questions: with the default model it helps
English and hurts Turkish; with a multilingual model it would help both.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from knowledge_base.text import fold

# The embedding's weight among the features: tried on held-out questions, the better one is kept.
DENSE_WEIGHTS = (0.0, 1.0)
# Inverse regularisation strength; 10 was best in 5-fold cross-validation on the sample
# help center's example questions (Turkish and English) and on xSID's Turkish validation split.
REGULARISATION = 10.0
# Fitting more texts than this takes minutes; such knowledge bases rely on the index alone.
MAX_TRAINING_TEXTS = 50_000


@dataclass(frozen=True)
class Fitted:
    """What :func:`fit_language` chose, for the explanation in ``search --json``."""

    classifier: ArticleClassifier
    for_calibration: ArticleClassifier
    held_out: list[int]
    accuracy: dict[float, float]


class ArticleClassifier:
    """Logistic regression from a question's text (and vector) to its article id."""

    def __init__(self, dense_weight: float) -> None:
        self.dense_weight = dense_weight
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), preprocessor=fold, sublinear_tf=True, dtype=np.float32
        )
        self._model = LogisticRegression(C=REGULARISATION, max_iter=300, tol=1e-3)
        self.articles: list[str] = []

    def _features(self, texts: Sequence[str], vectors: np.ndarray, fit: bool = False) -> Any:
        grams = self._vectorizer.fit_transform(texts) if fit else self._vectorizer.transform(texts)
        if not self.dense_weight:
            return grams
        return hstack([csr_matrix(vectors * self.dense_weight), grams]).tocsr()

    def fit(self, texts: Sequence[str], vectors: np.ndarray, labels: Sequence[str]) -> ArticleClassifier:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # tol 1e-3 is reached or close enough
            self._model.fit(self._features(texts, vectors, fit=True), list(labels))
        self.articles = [str(c) for c in self._model.classes_]
        return self

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray) -> list[dict[str, float]]:
        """For each text, the probability of every article (they sum to 1)."""
        if not texts:
            return []
        matrix = self._model.predict_proba(self._features(texts, vectors))
        return [dict(zip(self.articles, row.tolist(), strict=True)) for row in matrix]


def fit_language(
    texts: list[str], vectors: np.ndarray, labels: list[str], held_out: list[int], min_held_out: int
) -> Fitted | None:
    """Fit one language's classifier, choosing the embedding weight on ``held_out`` rows.

    The classifier fitted without the held-out rows is kept for calibrating
    thresholds on them; the returned ``classifier`` is refitted on every row.
    ``None`` when there is too little to hold out or to classify.
    """
    held = set(held_out)
    train = [i for i in range(len(texts)) if i not in held]
    if len(held) < min_held_out or len(set(labels)) < 2 or len({labels[i] for i in train}) < 2:
        return None
    if len(texts) > MAX_TRAINING_TEXTS:
        return None
    rows = np.array(train)
    test = np.array(held_out)
    candidates: dict[float, ArticleClassifier] = {}
    accuracy: dict[float, float] = {}
    for weight in DENSE_WEIGHTS:
        model = ArticleClassifier(weight).fit([texts[i] for i in rows], vectors[rows], [labels[i] for i in rows])
        probs = model.probabilities([texts[i] for i in test], vectors[test])
        right = [max(p, key=p.__getitem__) == labels[i] for p, i in zip(probs, test, strict=True)]
        accuracy[weight] = float(np.mean(right))
        candidates[weight] = model
    best = max(DENSE_WEIGHTS, key=lambda w: (accuracy[w], -w))  # ties go to the simpler text-only model
    final = ArticleClassifier(best).fit(texts, vectors, labels)
    return Fitted(final, candidates[best], list(held_out), accuracy)
