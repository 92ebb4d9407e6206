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
