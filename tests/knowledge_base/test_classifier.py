"""The per-language article classifier, alone and inside the knowledge base (fake embedder)."""

from __future__ import annotations

import dataclasses
import itertools
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.articles import Article
from knowledge_base.classifier import ArticleClassifier, classifier_text, fit_language, setting_label
from knowledge_base.embedders import HashingEmbedder
from knowledge_base.kb import KnowledgeBase
from knowledge_base.training import held_out
from tests.conftest import Gates

pytestmark = pytest.mark.unit

# Turkish stems the classifier must recognise under other suffixes than the ones it saw.
TOPICS = {
    "siparis-iptali": ["siparişimi", "siparişlerimi", "siparişim", "siparişin"],
    "kargo-takibi": ["kargom", "kargomu", "kargonun", "kargolarım"],
    "sifre": ["şifremi", "şifrem", "şifremin", "şifreyi"],
    "fatura": ["faturamı", "faturam", "faturanın", "faturalarımı"],
}
VERBS = ["iptal etmek istiyorum", "nerede", "bulamıyorum", "göremiyorum", "değiştirebilir miyim", "nasıl bakarım"]
OPENERS = ["merhaba", "acil", "lütfen", "selam", "bir sorum var", "iyi günler", "pardon", "yardım"]


def questions(topic: str) -> list[str]:
    combos = itertools.product(OPENERS, TOPICS[topic], VERBS)
    return [f"{opener} {word} {verb}" for opener, word, verb in combos][:60]


def rows() -> tuple[list[str], list[str]]:
    texts = [q for topic in TOPICS for q in questions(topic)]
    labels = [topic for topic in TOPICS for _ in questions(topic)]
    return texts, labels


def test_probabilities_cover_every_article_and_sum_to_one() -> None:
    texts, labels = rows()
    vectors = HashingEmbedder(64).embed(texts)
    model = ArticleClassifier(dense_weight=0.0).fit(texts, vectors, labels)
    [probs] = model.probabilities(["faturalarım nerede"], HashingEmbedder(64).embed(["faturalarım nerede"]))
    assert set(probs) == set(TOPICS)
    assert sum(probs.values()) == pytest.approx(1.0)
    assert max(probs, key=probs.__getitem__) == "fatura"  # a suffix it never saw with this stem


@pytest.mark.parametrize("words", [False, True])
def test_punctuation_does_not_change_the_probabilities(words: bool) -> None:
    texts, labels = rows()
    texts = [f"{text}?" for text in texts]  # example questions end with a question mark; visitors often do not
    embedder = HashingEmbedder(64)
    model = ArticleClassifier(dense_weight=0.0, words=words).fit(texts, embedder.embed(texts), labels)
    asked = ["faturam nerede", "faturam nerede?", "Faturam... nerede?!", "faturam, nerede"]
    probabilities = model.probabilities(asked, np.zeros((len(asked), 64), np.float32))
    for other in probabilities[1:]:
        assert other == pytest.approx(probabilities[0])
    assert classifier_text("İade süresi, kaç gün?") == "iade suresi kac gun"


def test_fit_language_chooses_the_embedding_weight_on_held_out_rows() -> None:
    texts, labels = rows()
    vectors = HashingEmbedder(64).embed(texts)
    held = list(range(0, len(texts), 5))
    fitted = fit_language(texts, vectors, labels, held, min_held_out=10)
    assert fitted is not None
    # every article has as many texts: weighing them alike would fit the same model
    plain = [setting_label(0.0, None), setting_label(1.0, None)]
    assert set(plain) < set(fitted.accuracy)
    # whole words are tried on the better of those two (the first of equals)
    [words] = set(fitted.accuracy) - set(plain)
    better = max(plain, key=fitted.accuracy.__getitem__)
    assert words == better + ", whole words too"
    best = max(fitted.accuracy.values())
    chosen = fitted.classifier
    assert fitted.accuracy[chosen.label] == best
    assert chosen.dense_weight == fitted.for_calibration.dense_weight
    assert fitted.held_out == held
    # the calibration model never saw the held-out rows; the final one saw everything
    assert fitted.classifier is not fitted.for_calibration


def test_the_calibration_folds_do_not_depend_on_the_order_of_the_questions() -> None:
    texts, labels = rows()
    held = {i for i in range(len(texts)) if i % 5 == 0}

    def folds(order: list[int]) -> list[set[str]]:
        t, lab = [texts[i] for i in order], [labels[i] for i in order]
        mine = [n for n, i in enumerate(order) if i in held]
        fitted = fit_language(t, HashingEmbedder(64).embed(t), lab, mine, 10, questions=list(range(len(t))))
        assert fitted is not None and len(fitted.folds) == 5
        return [{t[n] for n in rows} for rows, _ in fitted.folds]

    forward = list(range(len(texts)))
    shuffled = forward.copy()
    np.random.default_rng(0).shuffle(shuffled)
    assert folds(shuffled) == folds(forward)


@pytest.mark.parametrize(
    ("held", "labels"),
    [
        ([0, 1], ["a", "b"] * 30),  # too few held-out rows to calibrate on
        (list(range(20)), ["a"] * 60),  # one article: nothing to choose between
    ],
)
def test_fit_language_declines_what_it_cannot_calibrate(held: list[int], labels: list[str]) -> None:
    texts = [f"question number {i}" for i in range(len(labels))]
    assert fit_language(texts, np.zeros((len(texts), 4), np.float32), labels, held, min_held_out=10) is None


def topic_articles() -> list[Article]:
    return [
        Article(id=topic, title=topic.replace("-", " "), language="tr", body=f"{topic} hakkında.", questions=tuple(qs))
        for topic in TOPICS
        for qs in [questions(topic)]
    ]


@pytest.fixture
def classified_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KnowledgeBase:
    import knowledge_base.kb as kb_module

    monkeypatch.setattr(kb_module, "MIN_QUESTIONS_PER_LANGUAGE", 10)
    base = KnowledgeBase.open(tmp_path / "kb", HashingEmbedder())
    base.put_many(topic_articles())
    return base


def test_a_language_with_enough_questions_is_scored_with_its_classifier(classified_kb: KnowledgeBase) -> None:
    thresholds = classified_kb.thresholds("tr")
    # few held out: every example question is held out once, in five folds
    asked = sum(len(article.questions) for article in topic_articles())
    assert sum(held_out(q) for article in topic_articles() for q in article.questions) < asked
    assert (
        thresholds.source == f"leave-one-out over {asked} example questions in tr held out from its article classifier"
    )
    assert thresholds.details["classifier"]["calibration_folds"] == 5
    assert thresholds.details["classifier"]["embedding_weight"] in (0.0, 1.0)
    result = classified_kb.search("faturalarımı göremiyorum")
    top = result.candidates[0]
    assert top.id == "fatura"
    explained = json.loads(json.dumps(result.to_dict()))  # what `search --json` prints
    assert 0.0 < explained["candidates"][0]["classifier"] <= 1.0
    assert "support" in explained["candidates"][0]
    assert explained["candidates"][0]["coverage"] == pytest.approx(1.0)  # both words are in its questions
    assert 0 < explained["thresholds"]["details"]["classifier"]["share_of_score"] < 1


def test_a_word_no_article_mentions_lowers_the_score(classified_kb: KnowledgeBase) -> None:
    plain = classified_kb.search("faturalarımı göremiyorum").candidates[0]
    odd = classified_kb.search("faturalarımı göremiyorum kripto").candidates[0]
    assert odd.id == plain.id == "fatura"
    assert odd.coverage is not None and plain.coverage is not None
    assert odd.coverage < plain.coverage
    assert odd.score < plain.score


def test_the_classifier_follows_every_change(classified_kb: KnowledgeBase) -> None:
    assert classified_kb.search("şifremi bulamıyorum").candidates[0].id == "sifre"
    classified_kb.delete("sifre")
    during = classified_kb.search("şifremi bulamıyorum")  # while the classifier is refitted
    assert "sifre" not in {c.id for c in during.candidates}
    classified_kb.wait_for_calibration(60)
    after = classified_kb.search("şifremi bulamıyorum")
    assert "sifre" not in {c.id for c in after.candidates}
    assert all(c.probability is not None for c in after.candidates)


def test_a_language_without_enough_questions_keeps_plain_scores(kb: KnowledgeBase) -> None:
    result = kb.search("Kargo ücreti ne kadar?")
    assert all(c.probability is None and c.support is None for c in result.candidates)
    assert "classifier" not in result.to_dict()["candidates"][0]


RETURNS = Article(
    id="iade",
    title="iade",
    language="tr",
    body="İade 14 gün içinde yapılır.",
    questions=tuple(f"{opener} iademi {verb}" for opener in OPENERS for verb in VERBS),
)


def test_a_new_article_is_answered_at_once_while_the_classifier_is_refitted(
    classified_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    classified_kb.search("faturam nerede")  # calibrated for the four topics
    calibrated = classified_kb.thresholds("tr")
    gates = Gates(classified_kb, monkeypatch)
    classified_kb.put(RETURNS)
    question = RETURNS.questions[3]
    during = classified_kb.search(question)  # does not wait for the refit
    # the old classifier knows nothing of the new article: scores leave it out meanwhile
    assert during.decision == "answer", during.reason
    assert during.candidates[0].id == "iade"
    assert all(c.probability is None for c in during.candidates)
    assert "being refitted after a change" in during.thresholds.source
    assert during.calibration == during.to_dict()["calibration"] == "previous"
    # a second later: the classifier refitted with its settings, the thresholds as they were
    gates.until_quick_refit()
    quick = classified_kb.search(question)
    assert quick.decision == "answer", quick.reason
    assert quick.candidates[0].id == "iade"
    assert quick.candidates[0].probability is not None and quick.candidates[0].probability > 0.5
    assert (quick.thresholds.answer, quick.thresholds.margin) == (calibrated.answer, calibrated.margin)
    assert quick.thresholds.source.count("refitted after a change with the settings last chosen") == 1
    assert quick.thresholds.details == calibrated.details  # the settings it was refitted with
    assert quick.calibration == "quick_refit"
    gates.full.set()
    classified_kb.wait_for_calibration(60)
    after = classified_kb.search(question)
    assert after.decision == "answer", after.reason
    assert after.candidates[0].id == "iade"
    assert after.candidates[0].probability is not None and after.candidates[0].probability > 0.5
    assert after.thresholds == classified_kb.thresholds("tr")
    assert "refitted" not in after.thresholds.source
    assert after.calibration == "current"


def test_an_article_added_by_another_process_is_refitted_quickly_too(
    classified_kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff import with the command line while the bot service runs: the service reloads, then refits."""
    classified_kb.search("faturam nerede")
    gates = Gates(classified_kb, monkeypatch)
    other = KnowledgeBase.open(tmp_path / "kb", HashingEmbedder())
    try:
        other.put(RETURNS)
    finally:
        other.close()
    question = RETURNS.questions[3]
    during = classified_kb.search(question)  # noticed by the store's generation
    assert during.candidates[0].id == "iade"
    assert "being refitted after a change" in during.thresholds.source
    gates.until_quick_refit()
    quick = classified_kb.search(question)
    assert quick.decision == "answer", quick.reason
    assert quick.candidates[0].id == "iade"
    assert quick.candidates[0].probability is not None and quick.candidates[0].probability > 0.5
    gates.full.set()


def test_catching_up_refits_for_another_process_s_change_before_any_search(
    classified_kb: KnowledgeBase, tmp_path: Path
) -> None:
    """The bot service looks every second, so the first visitor to ask already gets the refitted classifier."""
    classified_kb.search("faturam nerede")
    assert classified_kb.catch_up() is False  # nothing changed
    other = KnowledgeBase.open(tmp_path / "kb", HashingEmbedder())
    try:
        other.put(RETURNS)
    finally:
        other.close()
    assert classified_kb.catch_up() is True
    classified_kb.wait_for_calibration(60)
    assert classified_kb.catch_up() is False
    first = classified_kb.search(RETURNS.questions[3])
    assert first.calibration == "current"
    assert first.candidates[0].id == "iade"
    assert first.candidates[0].probability is not None and first.candidates[0].probability > 0.5


def test_catching_up_leaves_a_knowledge_base_never_calibrated_to_its_first_search(tmp_path: Path) -> None:
    kb = KnowledgeBase.open(tmp_path / "kb", HashingEmbedder())
    other = KnowledgeBase.open(tmp_path / "kb", HashingEmbedder())
    try:
        other.put(RETURNS)
        assert kb.catch_up() is True
        assert [a.id for a in kb.articles()] == ["iade"]
        assert kb._calibrating is None  # nothing to refit: the first search calibrates in full
        kb.close()
        other.put(dataclasses.replace(RETURNS, id="iade-2"))
        assert kb.catch_up() is False  # closed
    finally:
        kb.close()  # (again: closing twice is harmless)
        other.close()


def test_a_second_change_before_the_full_calibration_is_refitted_quickly_too(
    classified_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    classified_kb.search("faturam nerede")
    gates = Gates(classified_kb, monkeypatch)
    classified_kb.put(RETURNS)
    classified_kb.search("iademi nerede")
    gates.until_quick_refit()
    classified_kb.delete("sifre")  # while the full calibration of the first change waits
    first, gates.full = gates.full, threading.Event()
    gates.fitting.clear()
    first.set()  # it gives up (the articles changed), and the next round refits quickly first
    assert gates.fitting.wait(30)
    result = classified_kb.search(RETURNS.questions[5])
    gates.full.set()
    classified_kb.wait_for_calibration(60)
    final = classified_kb.search(RETURNS.questions[5])
    for found in (result, final):
        assert found.candidates[0].id == "iade"
        assert found.candidates[0].probability is not None
        assert "sifre" not in {c.id for c in found.candidates}
    assert result.thresholds.source.count("refitted after a change with the settings last chosen") == 1
    assert "refitted" not in final.thresholds.source


def test_a_failed_quick_refit_still_calibrates_in_full(
    classified_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    classified_kb.search("faturam nerede")

    def broken() -> None:
        raise MemoryError("no room for another classifier")

    monkeypatch.setattr(classified_kb, "_refit_quickly", broken)
    classified_kb.put(RETURNS)
    classified_kb.search("iademi nerede")
    classified_kb.wait_for_calibration(60)
    after = classified_kb.search(RETURNS.questions[3])
    assert after.candidates[0].id == "iade"
    assert after.candidates[0].probability is not None
    assert "refitting the article classifiers quickly failed" in caplog.text


def test_a_change_during_calibration_starts_it_again(
    classified_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    import knowledge_base.kb as kb_module

    real_fit = kb_module.fit_language
    changes = [RETURNS]

    def fit_then_change(*args: object, **kwargs: object) -> object:
        if changes:
            classified_kb.put(changes.pop())  # the articles change while the classifier is fitted
        return real_fit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kb_module, "fit_language", fit_then_change)
    classified_kb.delete("sifre")
    thresholds = classified_kb.thresholds("tr")  # waits, and calibrates again after the change
    asked = sum(len(a.questions) for a in [*topic_articles(), RETURNS] if a.id != "sifre")
    assert thresholds.source.startswith(f"leave-one-out over {asked} ")


def test_an_article_with_more_examples_does_not_win_what_neither_claims() -> None:
    """Class weights: 8 questions about invoices weigh as much as 96 about a parcel."""
    parcel, invoice = TOPICS["kargo-takibi"], TOPICS["fatura"]
    big = [f"{opener} {word} {verb}" for opener in OPENERS for word in parcel for verb in VERBS[:3]]
    small = [f"{o} {w} {v}" for o, w, v in zip(OPENERS, itertools.cycle(invoice), itertools.cycle(VERBS[:3]))]
    texts, labels = big + small, ["kargo"] * len(big) + ["fatura"] * len(small)
    embedder = HashingEmbedder(64)
    vectors = embedder.embed(texts)
    weighted = ArticleClassifier(dense_weight=0.0, class_weight="balanced").fit(texts, vectors, labels)
    by_count = ArticleClassifier(dense_weight=0.0).fit(texts, vectors, labels)

    def parcel_probability(model: ArticleClassifier, question: str) -> float:
        return model.probabilities([question], embedder.embed([question]))[0]["kargo"]

    # a question that names neither leans less to the bigger article
    for neutral in ("iyi günler pardon", "merhaba, nerede"):
        assert parcel_probability(weighted, neutral) < parcel_probability(by_count, neutral) - 0.05
    # and the articles' own words still decide
    assert parcel_probability(weighted, "faturalarımı bulamıyorum") < 0.05
    assert parcel_probability(weighted, "kargolarımı bulamıyorum") > 0.8


def test_fit_language_tries_weighing_articles_alike_when_their_sizes_differ() -> None:
    parcel, invoice = TOPICS["kargo-takibi"], TOPICS["fatura"]
    big = [f"{opener} {word} {verb}" for opener in OPENERS for word in parcel for verb in VERBS]
    small = [f"{opener} {word} {verb}" for opener in OPENERS for word in invoice for verb in VERBS[:2]]
    texts, labels = big + small, ["kargo"] * len(big) + ["fatura"] * len(small)
    fitted = fit_language(texts, HashingEmbedder(64).embed(texts), labels, list(range(0, len(texts), 5)), 10)
    assert fitted is not None
    plain = {setting_label(w, c) for w in (0.0, 1.0) for c in (None, "balanced")}
    assert plain < set(fitted.accuracy) and len(fitted.accuracy) == len(plain) + 1
    chosen = fitted.classifier
    assert fitted.accuracy[chosen.label] == max(fitted.accuracy.values())
    assert (chosen.dense_weight, chosen.class_weight, chosen.words) == (
        fitted.for_calibration.dense_weight,
        fitted.for_calibration.class_weight,
        fitted.for_calibration.words,
    )


def word_order_rows() -> tuple[list[str], list[str]]:
    """Two articles with the same words in another order: only word pairs tell them apart."""
    pairs = {"kargo-iadesi": "kargo iadesi", "iade-kargosu": "iade kargosu"}
    texts, labels = [], []
    for article, words in pairs.items():
        for opener, verb in itertools.product(OPENERS, VERBS):
            # the same letters in both articles: "kargo iadesi" and "iadesi kargo"
            texts.append(f"{opener} {words if article == 'kargo-iadesi' else 'iadesi kargo'} {verb}")
            labels.append(article)
    return texts, labels


def test_whole_words_are_kept_when_they_classify_better() -> None:
    texts, labels = word_order_rows()
    vectors = np.zeros((len(texts), 8), np.float32)  # no help from an embedding
    without = ArticleClassifier(dense_weight=0.0).fit(texts, vectors, labels)
    with_words = ArticleClassifier(dense_weight=0.0, words=True).fit(texts, vectors, labels)
    probe = ["lütfen iadesi kargo nerede", "yardım kargo iadesi nerede"]
    expected = ["iade-kargosu", "kargo-iadesi"]

    def found(model: ArticleClassifier) -> list[str]:
        return [max(p, key=p.__getitem__) for p in model.probabilities(probe, np.zeros((2, 8), np.float32))]

    assert found(with_words) == expected
    assert len(set(found(without))) == 1  # the same letters: the same answer for both
    fitted = fit_language(texts, vectors, labels, list(range(0, len(texts), 5)), 10)
    assert fitted is not None
    assert fitted.classifier.words and fitted.for_calibration.words
    assert fitted.accuracy[fitted.classifier.label] > fitted.accuracy[setting_label(0.0, None)]


def test_whole_words_are_left_out_when_they_add_nothing() -> None:
    texts, labels = rows()
    vectors = np.zeros((len(texts), 8), np.float32)
    fitted = fit_language(texts, vectors, labels, list(range(0, len(texts), 5)), 10)
    assert fitted is not None
    # the stems already decide every held-out question: a tie keeps the fewer features
    assert fitted.accuracy[setting_label(0.0, None)] == 1.0
    assert not fitted.classifier.words


def test_few_held_out_questions_are_joined_by_four_more_folds(monkeypatch: pytest.MonkeyPatch) -> None:
    import knowledge_base.classifier as classifier_module

    texts, labels = rows()
    vectors = HashingEmbedder(64).embed(texts)
    held, questions = list(range(0, len(texts), 5)), list(range(len(texts)))
    fitted = fit_language(texts, vectors, labels, held, 10, questions)
    assert fitted is not None
    assert len(fitted.folds) == 5
    assert fitted.folds[0][0] == held  # the rows the settings were chosen on come first
    # every question is held out exactly once, each fold by its own classifier
    assert sorted(row for fold, _ in fitted.folds for row in fold) == questions
    assert len({id(model) for _, model in fitted.folds} | {id(fitted.classifier)}) == 6
    # enough held-out questions: one fold
    monkeypatch.setattr(classifier_module, "CROSS_FIT_BELOW", len(held))
    fitted = fit_language(texts, vectors, labels, held, 10, questions)
    assert fitted is not None and len(fitted.folds) == 1


def test_a_trained_model_is_calibrated_on_the_held_out_questions_only(
    classified_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same vectors, but not the base model's object: as after `kb train`, which saw the others
    monkeypatch.setattr(classified_kb, "embedder", HashingEmbedder())
    classified_kb.put(RETURNS)
    thresholds = classified_kb.thresholds("tr")
    held = sum(held_out(q) for a in [*topic_articles(), RETURNS] for q in a.questions)
    assert thresholds.source.startswith(f"leave-one-out over {held} ")
    assert thresholds.details["classifier"]["calibration_folds"] == 1


def test_closing_stops_a_background_calibration(classified_kb: KnowledgeBase) -> None:
    classified_kb.search("faturam nerede")  # calibrated
    classified_kb.put(RETURNS)
    classified_kb.search("iade nasıl yapılır")  # starts the new calibration in the background
    running = classified_kb._calibrating
    assert running is not None
    classified_kb.close()
    # no thread is left inside native code when the process exits
    assert not running.is_alive()
