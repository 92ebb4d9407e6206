"""Lexical matching that understands Turkish well enough to help an English model.

Words are folded (see :mod:`knowledge_base.text`) and cut to their first five
letters: Turkish adds meaning with suffixes ("siparişlerimi", "siparişim",
"sipariş" all start with "sipar"), so a five-letter prefix is a cheap,
language-neutral stemmer that works for English words too. Entries and
queries are compared by TF-IDF cosine similarity, which lies in [0, 1] like
the embedding's cosine.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from knowledge_base.text import words

PREFIX = 5


def terms(text: str, prefix: int = PREFIX) -> Counter[str]:
    return Counter(word[:prefix] for word in words(text))


class LexicalIndex:
    """An inverted index over entry ids, updated one entry at a time."""

    def __init__(self) -> None:
        self._postings: dict[str, dict[int, int]] = defaultdict(dict)
        self._docs: dict[int, Counter[str]] = {}
        self._norms: dict[int, float] = {}  # cache, cleared on every change (idf moves)

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, entry_id: int, text: str) -> None:
        counts = terms(text)
        self._docs[entry_id] = counts
        for term, tf in counts.items():
            self._postings[term][entry_id] = tf
        self._norms.clear()

    def remove(self, entry_id: int) -> None:
        counts = self._docs.pop(entry_id, None)
        for term in counts or ():
            posting = self._postings[term]
            posting.pop(entry_id, None)
            if not posting:
                del self._postings[term]
        self._norms.clear()

    def _idf(self, term: str) -> float:
        return math.log((len(self._docs) + 1) / (len(self._postings.get(term, ())) + 1)) + 1.0

    def _norm(self, entry_id: int) -> float:
        norm = self._norms.get(entry_id)
        if norm is None:
            counts = self._docs[entry_id]
            norm = math.sqrt(sum(((1 + math.log(tf)) * self._idf(t)) ** 2 for t, tf in counts.items())) or 1.0
            self._norms[entry_id] = norm
        return norm

    def scores(self, text: str, limit: int = 64) -> dict[int, float]:
        """Cosine similarity of ``text`` with the ``limit`` best entries that share a term with it."""
        query = {t: (1 + math.log(tf)) * self._idf(t) for t, tf in terms(text).items() if t in self._postings}
        if not query:
            return {}
        query_norm = math.sqrt(sum(w * w for w in query.values()))
        dots: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            idf = self._idf(term)
            for entry_id, tf in self._postings[term].items():
                dots[entry_id] += weight * (1 + math.log(tf)) * idf
        best = sorted(dots.items(), key=lambda item: -item[1])[: limit * 4]
        scored = {entry_id: dot / (query_norm * self._norm(entry_id)) for entry_id, dot in best}
        return dict(sorted(scored.items(), key=lambda item: -item[1])[:limit])
