"""Lexical matching that understands Turkish well enough to help an English model.

Words are folded (see :mod:`knowledge_base.text`) and cut to their first five
letters: Turkish adds meaning with suffixes ("siparişlerimi", "siparişim",
"sipariş" all start with "sipar"), so a five-letter prefix is a cheap,
language-neutral stemmer that works for English words too. Entries and
queries are compared by TF-IDF cosine similarity, which lies in [0, 1] like
the embedding's cosine.

At scale a query's common words would make every search walk most of the
index. So candidates are gathered from the query's rarest terms first, and a
term whose postings would take the walk past :data:`POSTINGS_BUDGET` only
adds to the scores of the candidates already found, never finds new ones.
Below that budget (every help center, CLINC150 and BANKING77) the result is
exact. Above it, an entry that shares nothing but very common words with the
query gets no lexical score: what such an entry shares is not worth one.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from knowledge_base.text import words

PREFIX = 5
# Postings visited per query to find candidates. With 20,000 the candidate search takes
# about a millisecond at a million entries (make bench-scale).
POSTINGS_BUDGET = 20_000


def terms(text: str, prefix: int = PREFIX) -> Counter[str]:
    return Counter(word[:prefix] for word in words(text))


def _weight(tf: int) -> float:
    return 1.0 + math.log(tf)


class LexicalIndex:
    """An inverted index over entry ids, updated one entry at a time."""

    def __init__(self, budget: int = POSTINGS_BUDGET) -> None:
        self.budget = budget
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)  # term -> entry -> 1 + log tf
        self._docs: dict[int, dict[str, float]] = {}
        self._norms: dict[int, float] = {}  # cache, cleared on every change (idf moves)
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # postings as arrays, per unchanged term

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, entry_id: int, text: str) -> None:
        self.remove(entry_id)
        weights = {term: _weight(tf) for term, tf in terms(text).items()}
        self._docs[entry_id] = weights
        for term, weight in weights.items():
            self._postings[term][entry_id] = weight
            self._arrays.pop(term, None)
        self._norms.clear()

    def remove(self, entry_id: int) -> None:
        weights = self._docs.pop(entry_id, None)
        for term in weights or ():
            posting = self._postings[term]
            posting.pop(entry_id, None)
            self._arrays.pop(term, None)
            if not posting:
                del self._postings[term]
        if weights:
            self._norms.clear()

    def _idf(self, term: str) -> float:
        return math.log((len(self._docs) + 1) / (len(self._postings.get(term, ())) + 1)) + 1.0

    def _norm(self, entry_id: int) -> float:
        norm = self._norms.get(entry_id)
        if norm is None:
            weights = self._docs[entry_id]
            norm = math.sqrt(sum((w * self._idf(t)) ** 2 for t, w in weights.items())) or 1.0
            self._norms[entry_id] = norm
        return norm

    def _array(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        found = self._arrays.get(term)
        if found is None:
            posting = self._postings[term]
            found = (
                np.fromiter(posting.keys(), np.int64, len(posting)),
                np.fromiter(posting.values(), np.float64, len(posting)),
            )
            self._arrays[term] = found
        return found

    def _candidates(self, query: dict[str, float], count: int) -> list[int]:
        """The ``count`` entries with the largest dot products over the rarest terms within the budget.

        ``query`` maps each term to its query weight times its idf: a posting's share of the dot product
        is that times the posting's weight.
        """
        ids: list[np.ndarray] = []
        dots: list[np.ndarray] = []
        visited = 0
        for term in sorted(query, key=lambda t: len(self._postings[t])):
            size = len(self._postings[term])
            if ids and visited + size > self.budget:
                break
            if size > self.budget:  # even the rarest term is too common to search by
                return []
            term_ids, weights = self._array(term)
            ids.append(term_ids)
            dots.append(weights * query[term])
            visited += size
        unique, where = np.unique(np.concatenate(ids), return_inverse=True)
        summed = np.bincount(where, weights=np.concatenate(dots))
        if len(unique) > count:
            unique = unique[np.argpartition(-summed, count - 1)[:count]]
        return unique.tolist()

    def scores(self, text: str, limit: int = 64) -> dict[int, float]:
        """Cosine similarity of ``text`` with the ``limit`` best entries that share a term with it."""
        idf = {t: self._idf(t) for t in terms(text) if t in self._postings}
        if not idf:
            return {}
        weights = {t: _weight(tf) * idf[t] for t, tf in terms(text).items() if t in idf}
        query_norm = math.sqrt(sum(w * w for w in weights.values()))
        factors = {t: w * idf[t] for t, w in weights.items()}
        scored = {}
        for entry_id in self._candidates(factors, limit * 4):
            entry = self._docs[entry_id]
            dot = sum(f * entry.get(t, 0.0) for t, f in factors.items())
            scored[entry_id] = dot / (query_norm * self._norm(entry_id))
        return dict(sorted(scored.items(), key=lambda item: -item[1])[:limit])
