import pytest

from knowledge_base.lexical import LexicalIndex, terms

pytestmark = pytest.mark.unit


def test_terms_fold_and_cut_turkish_suffixes() -> None:
    assert terms("Siparişlerimi iptal") == terms("siparislerim iptali")
    assert set(terms("Kargom nerede?")) == {"kargo", "nered"}


def test_scores_are_cosines_and_follow_changes() -> None:
    index = LexicalIndex()
    index.add(1, "Kargo ücreti ne kadar?")
    index.add(2, "Şifremi unuttum")
    scores = index.scores("kargo ucreti")
    assert list(scores) == [1] and 0 < scores[1] <= 1.0
    assert index.scores("Kargo ücreti ne kadar?")[1] == pytest.approx(1.0)
    index.remove(1)
    assert index.scores("kargo ucreti") == {}
    assert len(index) == 1


def test_unknown_words_score_nothing() -> None:
    index = LexicalIndex()
    index.add(1, "iade")
    assert index.scores("xyzzy") == {}
    assert index.scores("") == {}


def test_similarity_to_chosen_entries_matches_the_search_scores_even_beyond_its_limit() -> None:
    index = _filled(budget=10)  # a budget the query's common words exceed: scores() is approximate there
    exact = _filled(budget=10_000)
    query = "kargo takip numarası ne kadar"
    chosen = [100, 101, 7, 999]  # 999 is not indexed
    expected = exact.scores(query, limit=1000)
    assert index.similarity(query, chosen) == pytest.approx([expected[100], expected[101], expected[7], 0.0])
    assert index.similarity("xyzzy", [100]) == [0.0]


def _filled(budget: int) -> LexicalIndex:
    index = LexicalIndex(budget=budget)
    for i in range(40):
        index.add(i, f"kargo ücreti ne kadar {i}")  # "kargo", "ucret", "ne", "kadar" in 40 entries
    index.add(100, "kargo takip numarası")
    index.add(101, "takip numarası nerede")
    return index


def test_an_index_no_larger_than_the_budget_is_searched_exactly() -> None:
    # 42 entries, budget 45: "kargo ücreti takip" has 83 postings, more than the budget, yet all count.
    small, large = _filled(budget=45), _filled(budget=10_000)
    assert small.scores("kargo ücreti takip") == large.scores("kargo ücreti takip")
    assert len(small.scores("kargo ücreti takip")) == 42


def test_common_terms_beyond_the_budget_only_add_to_candidates_scores() -> None:
    tight, exact = _filled(budget=5), _filled(budget=10_000)  # 42 entries: more than 5
    found = tight.scores("kargo takip")
    # "takip" (2 entries) fits the budget, "kargo" (41) does not: only the "takip" entries are candidates...
    assert set(found) == {100, 101}
    # ...and their scores still count "kargo" exactly.
    assert found[100] == pytest.approx(exact.scores("kargo takip")[100])
    assert found[100] > found[101]


def test_a_query_of_only_too_common_terms_finds_nothing_lexically() -> None:
    assert _filled(budget=5).scores("kargo ücreti") == {}
    assert _filled(budget=10_000).scores("kargo ücreti")


def test_re_adding_an_entry_replaces_its_terms() -> None:
    index = LexicalIndex()
    index.add(1, "kargo")
    index.add(1, "iade")
    assert index.scores("kargo") == {} and list(index.scores("iade")) == [1]
    assert len(index) == 1


def test_removed_and_re_added_entries_score_as_in_a_fresh_index() -> None:
    texts = {i: f"kargo {'iade ' * (i % 3)}ücreti {i}" for i in range(30)}
    churned, fresh = LexicalIndex(), LexicalIndex()
    for i, text in texts.items():
        churned.add(i, text)
    for i in range(0, 30, 4):
        churned.remove(i)
    for i in range(0, 30, 4):
        churned.add(i, texts[i])  # reuses the freed slots
    for i, text in texts.items():
        fresh.add(i, text)
    for query in ("kargo iade", "ücreti 7", "iade"):
        assert churned.scores(query) == pytest.approx(fresh.scores(query))


def test_a_large_index_keeps_norms_until_a_hundredth_of_it_changed() -> None:
    def build(budget: int, extra: int) -> LexicalIndex:
        index = LexicalIndex(budget=budget)
        for i in range(300 + extra):
            index.add(i, f"iade süresi {i % 7} gün" if i < 300 else "iade kargo")
        return index

    large = build(budget=50, extra=0)  # "large": more entries than the budget
    large.scores("süresi 3")  # norms cached
    for i in range(300, 303):  # 3 changes of 300: not yet a hundredth
        large.add(i, "iade kargo")
    # Only "3" (43 entries) is searched by; "süresi" (300) is over the budget and only scored.
    kept, exact = large.scores("süresi 3"), build(budget=10_000, extra=3).scores("süresi 3")
    assert len(kept) == 43 and set(kept) <= set(exact)
    exact = {e: exact[e] for e in kept}
    assert kept != exact  # the cached norms were kept...
    assert kept == pytest.approx(exact, rel=0.01)  # ...and are within 1% of the exact ones
    large.add(303, "iade kargo")  # the fourth change: every norm is recomputed
    recomputed, exact = large.scores("süresi 3"), build(budget=10_000, extra=4).scores("süresi 3")
    assert recomputed == pytest.approx({e: exact[e] for e in recomputed}, rel=1e-12)


def test_coverage_weighs_the_words_an_article_never_mentions() -> None:
    index = LexicalIndex()
    index.add(1, "Kargo ücreti ne kadar?")
    index.add(2, "Kargo ücretsiz mi?")
    index.add(3, "Şifremi unuttum")
    assert index.coverage(index.coverage_query("kargo ücreti"), [1, 2]) == pytest.approx(1.0)
    assert index.coverage(index.coverage_query("kargo ücreti"), [3]) == 0.0
    # "garanti" is in no entry, so it weighs more than the common "kargo" does
    half = index.coverage(index.coverage_query("kargo garanti"), [1, 2])
    assert 0.0 < half < 0.5
    # an entry left out (a held-out example question) lends the article none of its words
    assert index.coverage(index.coverage_query("şifremi unuttum"), [1, 2]) == 0.0
    assert index.coverage(index.coverage_query(""), [1, 2]) == 0.0
    # a short root with a suffix still matches the root: "param" (my money), "para"
    index.add(4, "para iadesi")
    assert index.coverage(index.coverage_query("param"), [4]) == pytest.approx(1.0)
