"""Lexical matching that understands Turkish well enough to help an English model.

Words are folded (see :mod:`knowledge_base.text`) and cut to their first five
letters: Turkish adds meaning with suffixes ("siparişlerimi", "siparişim",
"sipariş" all start with "sipar"), so a five-letter prefix is a cheap,
language-neutral stemmer that works for English words too. Entries and
queries are compared by TF-IDF cosine similarity, which lies in [0, 1] like
the embedding's cosine.

At scale a query's common words would make every search walk most of the
index. So an index of more than :data:`POSTINGS_BUDGET` entries gathers
candidates from the query's rarest terms first, and a term whose postings
would take the walk past that many postings only adds to the scores of the
candidates already found, never finds new ones: an entry that shares nothing
but very common words with the query gets no lexical score, which is what
such an entry is worth. Smaller indexes (a help center, CLINC150 and
BANKING77) are searched exactly.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from knowledge_base.text import words

PREFIX = 5
# Postings visited per query to find candidates, in an index of more entries than this (a
# smaller one is searched exactly). With 20,000 the candidate search takes about half a
# millisecond at a million entries (make bench-scale).
POSTINGS_BUDGET = 20_000
# Coverage compares words by their first four letters: a short Turkish root with a suffix
# ("param", my money) has its root ("para") as its first four letters only.
COVERAGE_PREFIX = 4
# Above the budget, cached entry norms are kept until this share of the entries has changed.
NORM_DRIFT = 0.01


def terms(text: str, prefix: int = PREFIX) -> Counter[str]:
    return Counter(word[:prefix] for word in words(text))


def _weight(tf: int) -> float:
    return 1.0 + math.log(tf)


class _Postings:
    """One term's entries (by slot) and weights, in growable arrays that searches read without copying."""

    __slots__ = ("size", "slots", "weights")

    def __init__(self) -> None:
        self.slots = np.empty(4, np.int64)
        self.weights = np.empty(4, np.float64)
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def add(self, slot: int, weight: float) -> None:
        if self.size == len(self.slots):
            self.slots = np.resize(self.slots, 2 * self.size)
            self.weights = np.resize(self.weights, 2 * self.size)
        self.slots[self.size] = slot
        self.weights[self.size] = weight
        self.size += 1

    def remove(self, slot: int) -> None:
        found = np.flatnonzero(self.slots[: self.size] == slot)
        if len(found):
            last = self.size - 1
            self.slots[found[0]], self.weights[found[0]] = self.slots[last], self.weights[last]
            self.size = last


class LexicalIndex:
    """An inverted index over entry ids, updated one entry at a time.

    Not safe for concurrent use: a search sums into one shared array. The knowledge base
    calls it under its lock.
    """

    def __init__(self, budget: int = POSTINGS_BUDGET) -> None:
        self.budget = budget
        self._postings: dict[str, _Postings] = {}
        self._docs: dict[int, dict[str, float]] = {}  # entry -> term -> 1 + log tf
        self._idfs: dict[str, float] = {}  # cache, cleared on every change
        self._changes = 0  # since the norms were last all dropped
        # Entries are numbered densely ("slots") so that a search can add up dot products in one
        # array without sorting: entry id -> slot, slot -> entry id, slots free for reuse.
        self._slot_of: dict[int, int] = {}
        self._entry_at = np.empty(64, np.int64)
        self._free: list[int] = []
        self._sums = np.zeros(64, np.float64)  # all zero between searches
        self._norm_at = np.full(64, np.nan)  # each slot's entry norm, NaN until computed; see _check_norms

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, entry_id: int, text: str) -> None:
        self.remove(entry_id)
        weights = {term: _weight(tf) for term, tf in terms(text).items()}
        self._docs[entry_id] = weights
        slot = self._free.pop() if self._free else len(self._slot_of)
        if slot == len(self._entry_at):
            self._entry_at = np.resize(self._entry_at, 2 * slot)
            self._sums = np.zeros(2 * slot, np.float64)
            self._norm_at = np.concatenate([self._norm_at, np.full(slot, np.nan)])
        self._slot_of[entry_id] = slot
        self._entry_at[slot] = entry_id
        self._norm_at[slot] = np.nan
        for term, weight in weights.items():
            posting = self._postings.get(term)
            if posting is None:
                posting = self._postings[term] = _Postings()
            posting.add(slot, weight)
        self._changed(entry_id)

    def remove(self, entry_id: int) -> None:
        weights = self._docs.pop(entry_id, None)
        if weights is None:
            return
        slot = self._slot_of.pop(entry_id)
        for term in weights:
            posting = self._postings[term]
            posting.remove(slot)
            if not posting:
                del self._postings[term]
        self._free.append(slot)
        self._changed(entry_id)

    def _changed(self, entry_id: int) -> None:
        self._idfs.clear()
        self._changes += 1

    def prepare(self) -> None:
        """Compute what the next search would, now: after loading many entries, before traffic."""
        self._check_norms()

    def _check_norms(self) -> None:
        """Drop the cached entry norms if the idfs they were computed with may have moved.

        An entry's norm depends on the idf of each of its terms, so any change moves every
        norm a little. In an index no larger than the budget, norms are dropped after every
        change and computed again as searches need them, so scores stay exact. In a larger
        one they are kept until a hundredth of the entries have changed, then all computed
        again at once, term by term: a search should not wait for the norms of its candidates
        one by one, and the drift is far below what changes a ranking.
        """
        if not self._changes:
            return
        if len(self._docs) <= self.budget:
            self._norm_at[:] = np.nan
        elif self._changes > len(self._docs) * NORM_DRIFT:
            squares = np.zeros(len(self._norm_at))
            for term, posting in self._postings.items():
                weights = posting.weights[: posting.size] * self._idf(term)
                np.add.at(squares, posting.slots[: posting.size], weights * weights)
            norms = np.sqrt(squares)
            norms[norms == 0] = 1.0
            self._norm_at = norms
        else:
            return
        self._changes = 0

    def _idf(self, term: str) -> float:
        idf = self._idfs.get(term)
        if idf is None:
            posting = self._postings.get(term)
            idf = math.log((len(self._docs) + 1) / ((len(posting) if posting else 0) + 1)) + 1.0
            self._idfs[term] = idf
        return idf

    def _norms(self, slots: np.ndarray) -> np.ndarray:
        """The entry norms of ``slots``, computing the ones not known yet."""
        norms = self._norm_at[slots]
        for i in np.flatnonzero(np.isnan(norms)).tolist():
            weights = self._docs[int(self._entry_at[slots[i]])]
            norms[i] = math.sqrt(sum((w * self._idf(t)) ** 2 for t, w in weights.items())) or 1.0
            self._norm_at[slots[i]] = norms[i]
        return norms

    def _candidates(self, query: dict[str, float], limit: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """The entries with the largest dot products over the rarest terms within the budget.

        ``query`` maps each term to its query weight times its idf: a posting's share of the dot
        product is that times the posting's weight. Returns those entries' slots, their dot
        products over the terms searched by, and the terms left out (too common for the
        budget). With every term searched, the candidates are the ``limit * 4`` best by dot
        product; with some left out, the ranking is approximate already and ``limit * 2`` are
        kept.
        """
        slots: list[np.ndarray] = []
        shares: list[np.ndarray] = []
        visited = 0
        ordered = sorted(query, key=lambda t: len(self._postings[t]))
        left_out: list[str] = []
        budget = self.budget if len(self._docs) > self.budget else math.inf
        for searched, term in enumerate(ordered):
            posting = self._postings[term]
            if len(posting) > budget - visited:
                if not slots:  # even the rarest term is too common to search by
                    return np.zeros(0, np.int64), np.zeros(0), ordered
                left_out = ordered[searched:]
                break
            slots.append(posting.slots[: posting.size])
            shares.append(posting.weights[: posting.size] * query[term])
            visited += posting.size
        count = limit * (2 if left_out else 4)
        every = np.concatenate(slots)
        np.add.at(self._sums, every, np.concatenate(shares))
        totals = self._sums[every]  # each entry's dot product, once per term it has
        self._sums[every] = 0.0
        # An entry appears at most once per searched term: the best count * terms postings hold
        # every posting of the best count entries.
        keep = count * len(slots)
        if len(every) > keep:
            best = np.argpartition(-totals, keep - 1)[:keep]
            every, totals = every[best], totals[best]
        unique, first = np.unique(every, return_index=True)
        totals = totals[first]
        if len(unique) > count:
            best = np.argpartition(-totals, count - 1)[:count]
            unique, totals = unique[best], totals[best]
        return unique, totals, left_out

    def coverage_query(self, text: str) -> dict[str, float]:
        """What :meth:`coverage` needs of a query, once per query: each first-letters key and its idf weight.

        Terms match on their first :data:`COVERAGE_PREFIX` letters; terms sharing them add up.
        """
        weights: dict[str, float] = defaultdict(float)
        for term in terms(text):
            weights[term[:COVERAGE_PREFIX]] += self._idf(term)
        return dict(weights)

    def coverage(self, query: dict[str, float], entry_ids: list[int]) -> float:
        """The share of the query's weight (see :meth:`coverage_query`) found in any of ``entry_ids``.

        A term no entry has weighs the most, so a question about something the
        entries never mention ("extended warranty") stays far from 1 even when its
        common words match.
        """
        if not query:
            return 0.0
        found: set[str] = set()
        for entry_id in entry_ids:
            doc = self._docs.get(entry_id)
            if doc is not None:
                found.update(query.keys() & {term[:COVERAGE_PREFIX] for term in doc})
                if len(found) == len(query):
                    break
        return sum(query[key] for key in found) / sum(query.values())

    def entries_with(self, text: str, limit: int = 200) -> dict[str, list[int]]:
        """For each term of ``text`` in the index, up to ``limit`` of the entries that hold it."""
        found = {}
        for term in terms(text):
            posting = self._postings.get(term)
            if posting is not None:
                found[term] = self._entry_at[posting.slots[: min(limit, posting.size)]].tolist()
        return found

    def _query(self, text: str) -> tuple[dict[str, float], float]:
        """The TF-IDF weight of each of ``text``'s indexed terms, and their norm (0 when none is indexed)."""
        weights = {t: _weight(tf) * self._idf(t) for t, tf in terms(text).items() if t in self._postings}
        return weights, math.sqrt(sum(w * w for w in weights.values()))

    def similarity(self, text: str, entry_ids: list[int]) -> list[float]:
        """Cosine similarity of ``text`` with each of ``entry_ids``, exactly (0 for an entry not indexed)."""
        weights, query_norm = self._query(text)
        known = [e for e in entry_ids if e in self._docs]
        if not weights or not known:
            return [0.0] * len(entry_ids)
        self._check_norms()
        norms = self._norms(np.array([self._slot_of[e] for e in known], np.int64))
        found = {}
        for entry_id, norm in zip(known, norms.tolist(), strict=True):
            doc = self._docs[entry_id]
            found[entry_id] = sum(w * doc.get(t, 0.0) * self._idf(t) for t, w in weights.items()) / (query_norm * norm)
        return [found.get(e, 0.0) for e in entry_ids]

    def scores(self, text: str, limit: int = 64) -> dict[int, float]:
        """Cosine similarity of ``text`` with the ``limit`` best entries that share a term with it."""
        weights, query_norm = self._query(text)
        if not weights:
            return {}
        self._check_norms()
        factors = {t: w * self._idf(t) for t, w in weights.items()}
        slots, dots, left_out = self._candidates(factors, limit)
        entries = self._entry_at[slots].tolist()
        if left_out:
            # each candidate's share of the common terms (a list comprehension: the generator and
            # dict.get per term it replaces took 0.34 ms of a search at a million entries)
            common = [(t, factors[t]) for t in left_out]
            found = [self._docs[e] for e in entries]
            dots += np.array([sum([w * doc[t] for t, w in common if t in doc]) for doc in found])
        cosines = dots / (query_norm * self._norms(slots))
        best = np.argsort(-cosines, kind="stable")[:limit]
        return {entries[i]: float(cosines[i]) for i in best.tolist()}
