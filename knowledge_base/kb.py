"""The knowledge base: articles in, explainable search decisions out.

Changes (put, delete, import) update the store, then the live FAISS index
in place, so the very next search sees them. Another process that changed the
store is noticed by its generation number before each search.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

import numpy as np

from knowledge_base.articles import RECOMMENDED_QUESTIONS, Article, load_directory
from knowledge_base.calibration import MIN_QUESTIONS, calibrate
from knowledge_base.classifier import MAX_TRAINING_TEXTS, ArticleClassifier, Fitted, fit_language
from knowledge_base.decision import (
    MAX_CLARIFY_OPTIONS,
    Candidate,
    Decision,
    Passage,
    Thresholds,
    decide,
    is_broad,
    pick_paragraphs,
)
from knowledge_base.embedders import Embedder, SentenceTransformerEmbedder
from knowledge_base.errors import ArticleFormatError, InvalidQuery, StoreChanged
from knowledge_base.index import IndexStamp, VectorIndex
from knowledge_base.language import detect_language, without_links
from knowledge_base.lexical import LexicalIndex
from knowledge_base.store import ArticleStore, Entry, SQLiteArticleStore
from knowledge_base.text import without_identifiers, without_salutation, words
from knowledge_base.training import (
    TrainedModel,
    TrainingError,
    TrainingOptions,
    fine_tune,
    fingerprint,
    held_out,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
CalibrationState = Literal["current", "quick_refit", "previous"]

DEFAULT_THRESHOLDS = Thresholds(answer=0.55, margin=0.02, source="default")
# Weight of the lexical (TF-IDF on folded five-letter stems) similarity added to the
# embedding's cosine. Chosen by leave-one-out accuracy on the sample help center's
# own example questions, never on test questions.
LEXICAL_WEIGHT = 0.25
MAX_QUERY_CHARS = 1000
ENTRY_HITS = 64
MIN_CANDIDATES = 3
MAX_CALIBRATION_QUESTIONS = 5000
MIN_QUESTIONS_PER_LANGUAGE = 30
# A language whose held-out example questions reach MIN_QUESTIONS_PER_LANGUAGE gets an
# article classifier (see knowledge_base.classifier); its articles are then scored by
#   (1 - CLASSIFIER_SHARE) * similarity + CLASSIFIER_SHARE * probability, where the
#   similarity is (best entry + mean of the next SUPPORT_ENTRIES entries) / 2.
# SUPPORT_ENTRIES was chosen by leave-one-out on the sample help center's example questions.
# The share trades in-scope answers against out-of-scope handoffs. Chosen on CLINC150's
# validation split, the only development data with real out-of-scope questions, with the
# automatic calibration: share 0.2 / 0.35 / 0.5 / 0.65 / 0.8 answered 80 / 90 / 93 / 94 / 95%
# of in-scope questions right and handed off 98 / 96 / 87 / 79 / 71% of out-of-scope ones.
# Cross-validation on the help center's and xSID Turkish's example questions favoured
# higher shares, but scores no out-of-scope questions.
CLASSIFIER_SHARE = 0.5
# Added to that score: this weight times the share of the question's words (by idf) that
# occur anywhere in the article. A question about something no article mentions ("extended
# warranty") then scores lower than its common words make it look. Chosen on the sample help
# center's development questions (the held-out ones printed beside them): the area under the
# ROC curve of right answers against the rest was highest at 0.2-0.3 in Turkish (0.889
# without, 0.898 at 0.2, 0.899 at 0.3) and flat from 0.1 to 0.3 in English (0.893 without,
# 0.896), and the best threshold in hindsight answered the most at 0.1 and 0.2 in Turkish and
# at 0.2 and 0.3 in English. README, "Answer quality", has what it changed.
COVERAGE_WEIGHT = 0.2
SUPPORT_ENTRIES = 5
RANKED_ARTICLES = 10  # articles re-scored in full per query, by their best entry
PROPOSED_ARTICLES = 3  # the classifier's most likely articles are re-scored too
# The paragraph shown as the answer is the article's best by embedding cosine + this weight
# times the lexical similarity + PASSAGE_COVERAGE_WEIGHT times its coverage of the question's
# words. Chosen on the sample help center's development questions, each labelled with the
# paragraphs that answer it (benchmarks/data/helpcenter_passages.jsonl): the first paragraph
# answered 42.8% of them, the embedding alone chose right for 67.6%, with lexical weights of
# 0.25 / 0.5 / 1 / 2 for 72.0 / 75.6 / 79.2 / 79.2%, and with 1 and coverage 0.25 for 81.2%
# (character n-grams on top added nothing). README, "How the bot decides".
PASSAGE_LEXICAL_WEIGHT = 1.0
PASSAGE_COVERAGE_WEIGHT = 0.25
GUESS_ENTRIES = 200  # entries looked at per word when the articles guess a message's language
CLOSE_WAIT_SECONDS = 60.0  # longest wait in close() for a background calibration to give up


def article_entries(article: Article) -> list[Entry]:
    """The searchable texts of an article: title, example questions and paragraphs."""
    entries = [Entry(article.id, "title", article.title)]
    entries += [Entry(article.id, "question", q) for q in article.questions]
    entries += [Entry(article.id, "chunk", p) for p in article.paragraphs()]
    return entries


@dataclass
class SearchResult:
    query: str
    language: str | None
    decision: Decision
    reason: str
    candidates: list[Candidate]
    options: list[Candidate]
    thresholds: Thresholds
    model: str = ""
    # what the scores and thresholds come from: "current" (calibrated on the articles as
    # they are), "quick_refit" (classifiers refitted after a change, the last thresholds)
    # or "previous" (right after a change: similarity alone, the last plain thresholds)
    calibration: CalibrationState = "current"

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "language": self.language,
            "model": self.model,
            "decision": self.decision,
            "reason": self.reason,
            "options": [c.id for c in self.options],
            "candidates": [c.to_dict() for c in self.candidates],
            "thresholds": self.thresholds.to_dict(),
            "calibration": self.calibration,
        }


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[ArticleFormatError] = field(default_factory=list)
    # articles of the folder with fewer than RECOMMENDED_QUESTIONS example questions: (id, how many)
    few_questions: list[tuple[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "errors": [{"file": e.source, "reason": e.reason} for e in self.errors],
            "few_questions": [{"id": aid, "questions": n} for aid, n in self.few_questions],
        }


class KnowledgeBase:
    """Articles, their vectors and the search decision, for one store."""

    def __init__(
        self,
        store: ArticleStore,
        embedder: Embedder,
        index_path: Path | None = None,
        default_thresholds: Thresholds = DEFAULT_THRESHOLDS,
        lexical_weight: float = LEXICAL_WEIGHT,
        models_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.base_embedder = embedder
        self.embedder = embedder
        self.index_path = index_path
        self.models_dir = models_dir
        self.default_thresholds = default_thresholds
        self.lexical_weight = lexical_weight
        self._lexical = LexicalIndex()
        self._lock = threading.RLock()
        self._index: VectorIndex | None = None
        self._generation = -1
        self._known_languages: tuple[int, set[str]] = (-1, set())
        self._articles: dict[str, Article] = {}
        self._entry_article: dict[int, str] = {}
        self._entry_meta: dict[int, tuple[str, str]] = {}
        self._by_article: dict[str, set[int]] = {}
        self._calibration: Calibration | None = None
        self._calibrating: threading.Thread | None = None
        self._fixed_thresholds: dict[str | None, Thresholds] | None = None
        self._closed = False
        self._ensure_embedder()

    @classmethod
    def open(cls, data_dir: Path, embedder: Embedder) -> KnowledgeBase:
        """Open (or create) the knowledge base kept in ``data_dir``."""
        data_dir.mkdir(parents=True, exist_ok=True)
        store = SQLiteArticleStore(data_dir / "articles.sqlite3")
        return cls(store, embedder, index_path=data_dir / "index.faiss", models_dir=data_dir / "models")

    # -- the embedding model: the base model, or one trained on these articles -----

    def _ensure_embedder(self) -> None:
        """Use the model the store's vectors were made with, or go back to the base model.

        The store records its embedder. When that is a trained model of our base
        model whose files are here, it is adopted as is. Anything else (another
        base model, missing or broken files) falls back to the base model and
        re-embeds every entry.
        """
        recorded = self.store.get_meta("embedder")
        if recorded == self.embedder.name:
            return
        if recorded == self.base_embedder.name:
            self.embedder = self.base_embedder
            return
        if recorded is None and not self.store.all():
            self.store.set_meta("embedder", self.base_embedder.name)
            self.embedder = self.base_embedder
            return
        trained = self._trained_embedder(self.store.get_meta("trained_model"))
        if trained is not None and trained.name == recorded:
            log.info("using the trained model", extra={"model": recorded})
            self.embedder = trained
            return
        log.info("embedder changed, re-embedding", extra={"was": recorded, "now": self.base_embedder.name})
        self._reembed(self.base_embedder, trained_model=None)

    def _trained_embedder(self, model_id: str | None) -> Embedder | None:
        """The trained model ``model_id`` if its files are here and it was trained from our base model."""
        if not model_id or self.models_dir is None:
            return None
        folder = self.models_dir / model_id
        manifest = TrainedModel.read(folder)
        if manifest is None or manifest.base != self.base_embedder.name:
            return None
        embedder = SentenceTransformerEmbedder(str(folder), display=f"{self.base_embedder.name[3:]}+ft:{model_id}")
        try:
            embedder.dimension  # noqa: B018 - loads the weights now, so a broken folder falls back here
        except Exception:
            log.warning("trained model unreadable, using the base model", extra={"model": model_id}, exc_info=True)
            return None
        return embedder

    def _reembed(self, embedder: Embedder, trained_model: str | None) -> None:
        """Give every entry a vector from ``embedder`` and record it, in one store transaction.

        If the store changes meanwhile (a concurrent edit), the new and changed
        texts are embedded and the swap is tried again.
        """
        cache: dict[str, np.ndarray] = {}
        for _attempt in range(5):
            generation = self.store.generation()
            entries = list(self.store.entries())
            missing = list(dict.fromkeys(e.text for e in entries if e.text not in cache))
            if missing:
                cache.update(zip(missing, embedder.embed(missing), strict=True))
            vectors = {e.id: cache[e.text] for e in entries}
            meta = {"embedder": embedder.name, "trained_model": trained_model}
            try:
                self.store.replace_vectors(generation, vectors, meta)
            except StoreChanged:
                continue
            self.embedder = embedder
            return
        raise StoreChanged("the store kept changing while re-embedding; try again")

    def train(self, options: TrainingOptions | None = None, if_changed: bool = False) -> TrainedModel | None:
        """Fine-tune the base model on these articles and switch every reader to it.

        Searching goes on with the current model while training runs. Returns
        ``None`` when ``if_changed`` is set and the current model was already
        trained on exactly these articles.
        """
        options = options or TrainingOptions()
        base = self.base_embedder
        if not isinstance(base, SentenceTransformerEmbedder) or self.models_dir is None:
            raise TrainingError("training needs a sentence-transformers model and a knowledge-base folder")
        articles = self.articles()
        current = self.trained_model()
        if if_changed and current is not None and current.fingerprint == fingerprint(articles, base.name, options):
            return None
        folder, manifest = fine_tune(base.model_ref, base.name, articles, self.models_dir, options)
        trained = self._trained_embedder(manifest.id)
        if trained is None:
            raise TrainingError(f"the trained model in {folder} could not be loaded")
        with self._lock:
            self._reembed(trained, trained_model=manifest.id)
            self.refresh()
        self._remove_old_models(keep={manifest.id, current.id if current else ""})
        return manifest

    def reset_model(self) -> None:
        """Go back to the base model (the trained model's files are kept until the next training)."""
        with self._lock:
            if self.embedder.name != self.base_embedder.name:
                self._reembed(self.base_embedder, trained_model=None)
            self.refresh()

    def trained_model(self) -> TrainedModel | None:
        """The manifest of the trained model in use, if any."""
        self.refresh()
        model_id = self.store.get_meta("trained_model")
        if not model_id or self.models_dir is None or self.embedder.name == self.base_embedder.name:
            return None
        return TrainedModel.read(self.models_dir / model_id)

    def _remove_old_models(self, keep: set[str]) -> None:
        """Delete trained models other than the current and the previous one (a reader may still load it)."""
        if self.models_dir is None or not self.models_dir.is_dir():
            return
        for folder in self.models_dir.iterdir():
            if folder.is_dir() and folder.name not in keep and TrainedModel.read(folder) is not None:
                shutil.rmtree(folder, ignore_errors=True)

    # -- keeping the index in step with the store ---------------------------------

    def _stamp(self) -> IndexStamp:
        assert self._index is not None
        return IndexStamp(self._generation, self.embedder.name, len(self._index))

    def _load_from_store(self, generation: int) -> None:
        self._articles = {a.id: a for a in self.store.all()}
        self._entry_article, self._entry_meta, self._by_article = {}, {}, {}
        self._lexical = LexicalIndex()
        loaded = VectorIndex.load(self.index_path) if self.index_path else None
        stale = loaded is None or loaded[1].generation != generation or loaded[1].embedder != self.embedder.name
        ids, vectors = [], []
        for entry in self.store.entries():
            self._entry_article[entry.id] = entry.article_id
            self._entry_meta[entry.id] = (entry.kind, entry.text)
            self._by_article.setdefault(entry.article_id, set()).add(entry.id)
            self._lexical.add(entry.id, entry.text)
            if stale:
                ids.append(entry.id)
                vectors.append(entry.vector)
        self._lexical.prepare()
        if loaded is not None and not stale:
            self._index = loaded[0]
        else:
            matrix = np.vstack(vectors) if ids else np.zeros((0, self.embedder.dimension), np.float32)
            vectors.clear()  # free the rows one by one as soon as they are copied (1.7 GB at 1M entries)
            self._index = VectorIndex.build(self.embedder.dimension, ids, matrix)  # flat or IVF by size
            del matrix  # the index holds its own copy; free this one before the file is written
        self._generation = generation
        if stale and self.index_path:
            self._index.save(self.index_path, self._stamp())
            log.info("index rebuilt from the store", extra={"entries": len(ids), "generation": generation})

    def refresh(self) -> bool:
        """Reload if the store changed (e.g. by another process) since we last looked; True if it did."""
        with self._lock:
            generation = self.store.generation()
            if generation == self._generation and self._index is not None:
                return False
            self._ensure_embedder()
            self._load_from_store(self.store.generation())  # (re-embedding may have moved it on)
            return True

    def _apply(self, removed: list[int], added: list[int], vectors: np.ndarray, generation: int) -> None:
        """Apply one committed store change to the live index and persist it."""
        if self._index is None or generation != self._generation + 1:
            self._load_from_store(generation)
            return
        self._index.remove(removed)
        for entry_id in removed:
            article_id = self._entry_article.pop(entry_id, None)
            self._entry_meta.pop(entry_id, None)
            self._lexical.remove(entry_id)
            mine = self._by_article.get(article_id or "")
            if mine is not None:
                mine.discard(entry_id)
                if not mine:
                    del self._by_article[article_id or ""]
        self._index.add(added, vectors)
        for entry_id in added:
            self._lexical.add(entry_id, self._entry_meta[entry_id][1])
            self._by_article.setdefault(self._entry_article[entry_id], set()).add(entry_id)
        self._generation = generation

    def _save(self) -> None:
        """Persist the live index, stamped with the store generation it matches."""
        if self.index_path and self._index is not None:
            self._index.save(self.index_path, self._stamp())

    # -- changes -------------------------------------------------------------------

    def _put_in_store(
        self, article: Article, vectors: np.ndarray | None = None
    ) -> tuple[list[int], list[int], np.ndarray, int, list[Entry]]:
        entries = article_entries(article)
        if vectors is None:
            vectors = self.embedder.embed([e.text for e in entries])
        result = self.store.put(article, entries, vectors, embedder=self.embedder.name)
        return result.removed_ids, result.added_ids, vectors, result.generation, entries

    def _put_one(self, article: Article, vectors: np.ndarray | None) -> None:
        removed, added, vectors, generation, entries = self._put_in_store(article, vectors)
        self._articles[article.id] = article
        for entry_id, entry in zip(added, entries, strict=True):
            self._entry_article[entry_id] = article.id
            self._entry_meta[entry_id] = (entry.kind, entry.text)
        self._apply(removed, added, vectors, generation)

    def _retry_if_model_changed(self, change: Callable[[], T]) -> T:
        """Run ``change`` again after adopting the new model, if training switched models under it."""
        for _attempt in range(2):
            try:
                return change()
            except StoreChanged:
                self._generation = -1  # reload: the store's vectors now come from another model
        return change()

    def put(self, article: Article) -> bool:
        """Add or replace an article. Returns ``False`` when nothing changed."""
        return self._retry_if_model_changed(lambda: self._put(article))

    def _put(self, article: Article) -> bool:
        with self._lock:
            self.refresh()
            if self.store.content_hash(article.id) == article.content_hash:
                return False
            self._put_one(article, None)
            self._save()
            return True

    def put_many(self, articles: list[Article]) -> list[Article]:
        """Add or replace many articles, embedding all their texts in one batch.

        Returns the articles that changed. The index file is written once, at the end.
        """
        return self._retry_if_model_changed(lambda: self._put_many(articles))

    def _put_many(self, articles: list[Article]) -> list[Article]:
        with self._lock:
            self.refresh()
            changed = [a for a in articles if self.store.content_hash(a.id) != a.content_hash]
            if not changed:  # nothing to embed: do not even load the model
                return []
            texts = [[e.text for e in article_entries(a)] for a in changed]
            vectors = self.embedder.embed([t for group in texts for t in group])
            start = 0
            for article, group in zip(changed, texts, strict=True):
                self._put_one(article, vectors[start : start + len(group)])
                start += len(group)
            self._save()
            return changed

    def delete(self, article_id: str) -> None:
        """Remove an article; raises :class:`ArticleNotFound` for an unknown id."""
        with self._lock:
            self.refresh()
            result = self.store.delete(article_id)
            self._articles.pop(article_id, None)
            self._apply(result.removed_ids, [], np.zeros((0, 1), np.float32), result.generation)
            self._save()

    def import_directory(self, directory: Path, prune: bool = False) -> ImportReport:
        """Load a folder of article files. With ``prune``, articles not in it are deleted."""
        loaded = load_directory(directory)
        report = ImportReport(errors=loaded.errors)
        report.few_questions = [
            (a.id, len(a.questions)) for a in loaded.articles if len(a.questions) < RECOMMENDED_QUESTIONS
        ]
        existed = {a.id for a in loaded.articles if self.store.content_hash(a.id) is not None}
        changed = {a.id for a in self.put_many(loaded.articles)}
        for article in loaded.articles:
            if article.id not in changed:
                report.unchanged.append(article.id)
            else:
                (report.updated if article.id in existed else report.added).append(article.id)
        if prune and not loaded.errors:
            self._prune(loaded.articles, report)
        return report

    def _prune(self, keep_articles: list[Article], report: ImportReport) -> None:
        keep = {a.id for a in keep_articles}
        for article in self.store.all():
            if article.id not in keep:
                self.delete(article.id)
                report.removed.append(article.id)

    # -- reading -------------------------------------------------------------------

    def articles(self) -> list[Article]:
        self.refresh()
        return sorted(self._articles.values(), key=lambda a: a.id)

    def get(self, article_id: str) -> Article | None:
        self.refresh()
        return self._articles.get(article_id)

    def get_many(self, article_ids: list[str]) -> dict[str, Article]:
        """The articles of these ids that exist, checking the store for changes once."""
        self.refresh()
        return {i: self._articles[i] for i in article_ids if i in self._articles}

    def thresholds(self, language: str | None = None) -> Thresholds:
        """The thresholds for questions in ``language``, as calibrated for the current articles.

        Each language with at least ``MIN_QUESTIONS_PER_LANGUAGE`` example questions
        gets its own: a model scores one language's sentences systematically higher
        than another's (the English default model does so with Turkish). Otherwise,
        and for ``None``, the thresholds of all languages together apply. After a
        change this waits for the new calibration; searches do not (see :meth:`search_many`).
        """
        by_language = self._calibrated(wait=True).thresholds
        return by_language.get(language) or by_language[None]

    def fix_thresholds(self, by_language: dict[str | None, Thresholds] | None) -> None:
        """Use these thresholds (key ``None``: every other language) and no classifier, never calibrating.

        For benchmarks that time search alone; ``None`` goes back to calibrating.
        """
        with self._lock:
            self._fixed_thresholds = dict(by_language) if by_language else None

    def _calibrated(self, wait: bool) -> Calibration:
        """The calibration of the current articles; a stale one while a new one is computed, unless ``wait``."""
        for _attempt in range(5):
            running = self._calibrating
            if wait and running is not None and running is not threading.current_thread():
                running.join()  # rather than compute the same calibration twice
            with self._lock:
                self.refresh()
                if self._fixed_thresholds is not None:
                    return Calibration(self._generation, self.embedder.name, self._fixed_thresholds)
                current = self._calibration
                if current is not None and current.generation == self._generation and not current.provisional:
                    return current
                # stale, or refitted quickly after a change: searches use it while the full one is computed
                if current is not None and not wait and current.model == self.embedder.name:
                    self._calibrate_in_background()
                    return current  # (never one made for another model's vectors)
            try:
                fresh = self._calibrate()
            except _Superseded:
                if self._closed:
                    raise
                if threading.current_thread() is self._calibrating:
                    self._refit_quickly_or_log()  # the new change, meanwhile
                continue  # the articles changed meanwhile: calibrate what they are now
            with self._lock:
                if fresh.generation == self._generation and fresh.model == self.embedder.name:
                    self._calibration = fresh
                    log.info("thresholds and article classifiers calibrated (generation %d)", fresh.generation)
                    return fresh
        raise RuntimeError("the knowledge base kept changing while it was being calibrated")

    def _calibrate_in_background(self) -> None:
        if self._calibrating is not None and self._calibrating.is_alive():
            return
        self._calibrating = threading.Thread(target=self._calibrate_quietly, name="kb-calibration", daemon=True)
        self._calibrating.start()

    def _calibrate_quietly(self) -> None:
        self._refit_quickly_or_log()
        try:
            self._calibrated(wait=True)
        except Exception:  # the next search starts another attempt
            if not self._closed:
                log.exception("calibrating the knowledge base failed")

    def _refit_quickly_or_log(self) -> None:
        try:
            self._refit_quickly()
        except Exception:  # the full calibration still runs
            log.exception("refitting the article classifiers quickly failed")

    def _refit_quickly(self) -> None:
        """Refit each language's article classifier on its articles as they are now, with the settings last chosen.

        The full calibration tries every setting and fits a classifier per fold,
        which takes seconds to minutes. One fit per language takes a fraction of
        that (0.67 s median on the sample help center, against 6.5 s; see
        ``make bench-refit``), and until the full calibration is done it lets
        the changed articles be scored as the others are, with the previous
        thresholds, rather than by similarity alone. Nothing happens when there
        is nothing to refit or the articles change again meanwhile.
        """
        with self._lock:
            self.refresh()
            previous, generation, model = self._calibration, self._generation, self.embedder.name
            if previous is None or previous.generation == generation or previous.model != model:
                return
            if not previous.classifiers or self._fixed_thresholds is not None:
                return
            snapshots = {language: self._classifier_rows(language) for language in previous.classifiers}
        thresholds = dict(previous.plain_thresholds)
        classifiers: dict[str, Fitted] = {}
        article_vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        note = (
            "; the article classifiers were refitted after a change with the settings last chosen, "
            "and the thresholds are the last calibration's until a new one is done"
        )
        for language, rows in snapshots.items():
            if rows is None or len(set(rows.labels)) < 2:
                continue  # no classifier for it any more: plain scores and thresholds
            fitted = previous.classifiers[language]
            chosen = fitted.classifier
            refitted = ArticleClassifier(chosen.dense_weight, chosen.class_weight, chosen.words)
            classifiers[language] = dataclasses.replace(
                fitted, classifier=refitted.fit(rows.texts, rows.vectors, rows.labels)
            )
            article_vectors.update(_group_by_article(rows.entry_ids, rows.labels, rows.vectors))
            old = previous.thresholds[language]
            if not previous.provisional:  # (a second change before the full calibration: noted already)
                old = dataclasses.replace(old, source=old.source + note)
            thresholds[language] = old
        with self._lock:
            if self._generation != generation or self._closed or self._calibration is not previous:
                return
            self._calibration = Calibration(
                generation, model, thresholds, classifiers, article_vectors, previous.plain_thresholds, True
            )
        log.info("article classifiers refitted after a change (generation %d)", generation)

    def catch_up(self) -> bool:
        """Take in a change another process made to the store, and start refitting for it.

        A search notices such a change by itself (:meth:`refresh`), so this only does it
        sooner: a service that calls it every second has its classifiers refitted for an
        article imported from the command line before a visitor asks about it. True when
        there was a change. A knowledge base that was never calibrated is left for its
        first search, which calibrates it.
        """
        with self._lock:
            if self._closed or not self.refresh():
                return False
            if self._calibration is not None and self._fixed_thresholds is None:
                self._calibrate_in_background()
            return True

    def wait_for_calibration(self, timeout: float | None = None) -> None:
        """Block until a calibration running in the background has finished."""
        thread = self._calibrating
        if thread is not None:
            thread.join(timeout)

    def _calibrate(self) -> Calibration:
        """Thresholds per language, fitting each language's article classifier on the way.

        Pooled thresholds (``None``) come from leave-one-out over the example
        questions, scored by the index alone (see :mod:`knowledge_base.calibration`).
        A language with an article classifier is calibrated on its held-out
        questions instead, scored by the classifier fitted without them.

        The knowledge base's lock is held only while reading a snapshot of the
        entries and while scoring a batch of questions, so searches go on;
        :class:`_Superseded` is raised if the articles change meanwhile.
        """
        with self._lock:
            assert self._index is not None
            generation = self._generation
            model = self.embedder.name
            questions = [
                (eid, aid) for eid, aid in self._entry_article.items() if self._entry_meta[eid][0] == "question"
            ]
            # A trained model has seen every example question but the held-out ones: calibrate on
            # those, and without more folds for the article classifier.
            trained = self.embedder is not self.base_embedder
            if trained:
                unseen = [(eid, aid) for eid, aid in questions if held_out(self._entry_meta[eid][1])]
                questions = unseen if len(unseen) >= MIN_QUESTIONS else questions
            if not questions:
                return Calibration(generation, model, {None: self.default_thresholds})
            questions = _even_sample(questions)
            asked = [(aid, self._articles[aid].language) for _, aid in questions]
            snapshots = {lang: self._classifier_rows(lang) for lang in sorted({lang for _, lang in asked})}
            self_article = dict(self._entry_article)
        pairs = self._held_out_pairs(questions, None, generation)
        plain: dict[str | None, Thresholds] = {None: calibrate(asked, pairs.__getitem__, self.default_thresholds)}
        for language in snapshots:
            mine_rows = [i for i, (_, lang) in enumerate(asked) if lang == language]
            if len(mine_rows) >= MIN_QUESTIONS_PER_LANGUAGE:
                subset = [pairs[i] for i in mine_rows]
                own = calibrate([asked[i] for i in mine_rows], subset.__getitem__, self.default_thresholds)
                plain[language] = dataclasses.replace(own, source=f"{own.source} in {language}")
        result = dict(plain)
        classifiers: dict[str, Fitted] = {}
        article_vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for language, rows in snapshots.items():
            if rows is None:
                continue
            fitted = fit_language(
                rows.texts,
                rows.vectors,
                rows.labels,
                rows.held_out,
                MIN_QUESTIONS_PER_LANGUAGE,
                None if trained else rows.questions,
            )
            if fitted is None:
                continue
            ids = rows.entry_ids
            classifiers[language] = fitted = dataclasses.replace(
                fitted, folds=[([ids[i] for i in fold], fold_model) for fold, fold_model in fitted.folds]
            )
            article_vectors.update(_group_by_article(ids, rows.labels, rows.vectors))
            asked_here: list[tuple[int, str]] = []
            scored: list[tuple[float, float]] = []
            for fold, fold_model in fitted.folds:
                mine = [(eid, self_article[eid]) for eid in fold]
                mine = mine if len(fitted.folds) > 1 else _even_sample(mine)
                scored += self._held_out_pairs(mine, (fold_model, article_vectors), generation)
                asked_here += mine
            own = calibrate([(aid, language) for _, aid in asked_here], scored.__getitem__, self.default_thresholds)
            source = f"{own.source} in {language} held out from its article classifier"
            details = {**own.details, "classifier": _explain(fitted)}
            result[language] = dataclasses.replace(own, source=source, details=details)
        return Calibration(generation, model, result, classifiers, article_vectors, plain)

    def _classifier_rows(self, language: str) -> _Rows | None:
        """What ``language``'s article classifier is fitted and calibrated on, if it is worth one."""
        entry_ids = [
            eid for aid, ids in self._by_article.items() if self._articles[aid].language == language for eid in ids
        ]
        if len(entry_ids) > MAX_TRAINING_TEXTS:
            return None
        texts = [self._entry_meta[eid][1] for eid in entry_ids]
        held = [i for i, eid in enumerate(entry_ids) if self._entry_meta[eid][0] == "question" and held_out(texts[i])]
        if len(held) < MIN_QUESTIONS_PER_LANGUAGE:
            return None
        labels = [self._entry_article[eid] for eid in entry_ids]
        questions = [i for i, eid in enumerate(entry_ids) if self._entry_meta[eid][0] == "question"]
        return _Rows(texts, self._vectors(entry_ids), labels, held, entry_ids, questions)

    def _vectors(self, entry_ids: list[int]) -> np.ndarray:
        assert self._index is not None
        return self._index.vectors(entry_ids)

    def _held_out_pairs(
        self, questions: list[tuple[int, str]], scoring: Scoring | None, generation: int, batch: int = 64
    ) -> list[tuple[float, float]]:
        """For each example question, searched without itself: (its own article's score, the best other's)."""
        pairs = []
        for start in range(0, len(questions), batch):
            chunk = questions[start : start + batch]
            with self._lock:
                if self._generation != generation or self._closed:
                    raise _Superseded
                assert self._index is not None
                vectors = self._vectors([eid for eid, _ in chunk])
                texts = [self._entry_meta[eid][1] for eid, _ in chunk]
                scores, ids = self._index.search(vectors, ENTRY_HITS)
                probabilities = scoring[0].probabilities(texts, vectors) if scoring else [None] * len(texts)
                for i, (entry_id, own_id) in enumerate(chunk):
                    language = self._articles[own_id].language
                    article_vectors = scoring[1] if scoring else {}
                    ranked = self._rank(
                        vectors[i], texts[i], scores[i], ids[i], language, entry_id, probabilities[i], article_vectors
                    )
                    own = next((c.score for c in ranked if c.id == own_id), float("-inf"))
                    other = next((c.score for c in ranked if c.id != own_id), float("-inf"))
                    pairs.append((own, other))
        return pairs

    def _rank(
        self,
        vector: np.ndarray,
        text: str,
        scores: np.ndarray,
        ids: np.ndarray,
        language: str | None,
        exclude_entry: int = -1,
        probabilities: dict[str, float] | None = None,
        article_vectors: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
        keep: int | None = None,
    ) -> list[Candidate]:
        """Best entry per article by embedding cosine plus weighted lexical similarity.

        Entries come from the embedding's nearest hits and from the lexical
        index's best matches; each gets both similarities. Results are
        restricted to ``language`` when it is given. With the ``probabilities``
        of an article classifier, the leading articles are re-scored with all
        their entries and the classifier (:meth:`_rescore`). Without them, only
        the best ``keep`` articles become candidates (all when ``None``): a search
        shows a few, and building a hundred it never shows took a third of a
        millisecond at a million entries.
        """
        assert self._index is not None
        dense = {int(e): float(s) for s, e in zip(scores.tolist(), ids.tolist(), strict=True) if e >= 0}
        lexical = self._lexical.scores(text) if self.lexical_weight else {}
        only_lexical = list(lexical.keys() - dense.keys())
        if only_lexical:
            cosines = self._index.vectors(only_lexical) @ vector
            dense.update(zip(only_lexical, cosines.tolist(), strict=True))
        # The best entry of each article as (score, entry, cosine, lexical); Candidates only at the end.
        best: dict[str, tuple[float, int, float, float]] = {}
        entry_article, articles, weight = self._entry_article, self._articles, self.lexical_weight
        for entry_id, cosine in dense.items():
            article_id = entry_article.get(entry_id)
            if entry_id == exclude_entry or article_id is None:
                continue
            if language and articles[article_id].language != language:
                continue
            lex = lexical.get(entry_id, 0.0)
            score = cosine + weight * lex
            held = best.get(article_id)
            if held is None or score > held[0]:
                best[article_id] = (score, entry_id, cosine, lex)
        order = sorted(best, key=lambda aid: -best[aid][0])
        if probabilities is None:
            ranked = []
            for article_id in order[:keep]:
                score, entry_id, cosine, lex = best[article_id]
                article = articles[article_id]
                kind, matched = self._entry_meta[entry_id]
                ranked.append(Candidate(article.id, article.title, article.language, score, kind, matched, cosine, lex))
            return ranked
        # Re-scored in full below: only the leading articles' ids are needed here.
        likely = sorted(probabilities, key=lambda aid: -probabilities[aid])[:PROPOSED_ARTICLES]
        chosen = list(dict.fromkeys(order[:RANKED_ARTICLES] + likely))
        wanted = self._lexical.coverage_query(text)
        rescored = [
            self._rescore(
                aid, vector, lexical, wanted, exclude_entry, probabilities.get(aid, 0.0), article_vectors or {}
            )
            for aid in chosen
        ]
        return sorted((c for c in rescored if c is not None), key=lambda c: -c.score)

    def _rescore(
        self,
        article_id: str,
        vector: np.ndarray,
        lexical: dict[int, float],
        wanted: dict[str, float],
        exclude_entry: int,
        probability: float,
        article_vectors: dict[str, tuple[np.ndarray, np.ndarray]],
    ) -> Candidate | None:
        """One article scored by all its entries: the best, the support of the next ones, the classifier,
        and how much of the question the article's words cover."""
        article = self._articles.get(article_id)
        live = np.array(sorted(self._by_article.get(article_id, ())), np.int64)
        cached = article_vectors.get(article_id)
        if cached is None or not np.array_equal(cached[0], live):  # changed since the classifier was fitted
            cached = live, self._vectors(live.tolist())
        keep = cached[0] != exclude_entry
        entry_ids, matrix = cached[0][keep].tolist(), cached[1][keep]
        if article is None or not entry_ids:
            return None
        cosines = matrix @ vector
        combined = cosines + self.lexical_weight * np.array([lexical.get(e, 0.0) for e in entry_ids])
        order = np.argsort(-combined)
        top = int(order[0])
        support = float(np.mean(combined[order[1 : 1 + SUPPORT_ENTRIES]])) if len(order) > 1 else float(combined[top])
        similarity = (float(combined[top]) + support) / 2
        coverage = self._lexical.coverage(wanted, entry_ids)
        score = (1 - CLASSIFIER_SHARE) * similarity + CLASSIFIER_SHARE * probability + COVERAGE_WEIGHT * coverage
        kind, matched = self._entry_meta[entry_ids[top]]
        return Candidate(
            article.id,
            article.title,
            article.language,
            score,
            kind,
            matched,
            float(cosines[top]),
            lexical.get(entry_ids[top], 0.0),
            support,
            probability,
            coverage,
        )

    def _languages(self) -> set[str]:
        """The articles' languages, counted once per generation (a million entries take milliseconds)."""
        generation, languages = self._known_languages
        if generation != self._generation or generation < 0:
            languages = {a.language for a in self._articles.values()}
            self._known_languages = (self._generation, languages)
        return languages

    def language_of(self, text: str) -> str | None:
        """The language of ``text``: the word lists' guess, else the articles' (:meth:`guess_language`)."""
        return detect_language(text) or self.guess_language(text)

    def guess_language(self, text: str) -> str | None:
        """The language whose articles alone use the message's words, for a message the word lists cannot place.

        "wrong size arrived" has no word of the detector's lists, but "wrong",
        "size" and "arrived" appear in English articles only. Each word that the
        articles of one language use and the others' do not is a vote for it (at
        most ``GUESS_ENTRIES`` entries per word are looked at). ``None`` on a tie.
        Links and e-mail addresses are left out: "kim@example.com" is not Turkish for "who".
        """
        votes: Counter[str] = Counter()
        with self._lock:
            for entry_ids in self._lexical.entries_with(without_links(text), GUESS_ENTRIES).values():
                found = {self._articles[a].language for e in entry_ids if (a := self._entry_article.get(e)) is not None}
                if len(found) == 1:
                    votes[found.pop()] += 1
        ranked = votes.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0]

    def search(self, query: str, language: str | None = None, top_k: int = 5) -> SearchResult:
        """Search and decide. ``language`` defaults to the one detected in ``query``."""
        return self.search_many([query], language, top_k)[0]

    def search_many(self, queries: list[str], language: str | None = None, top_k: int = 5) -> list[SearchResult]:
        """:meth:`search` for many queries at once: one embedding batch, one index search.

        Right after a change the changed articles are searched at once, by
        similarity alone and with the previous calibration's thresholds for it,
        while the classifiers and thresholds are refitted in the background.
        """
        if top_k < 1:
            raise InvalidQuery(f"top_k must be greater than 0, got {top_k}")
        texts = [q.strip()[:MAX_QUERY_CHARS] for q in queries]
        if not all(texts):
            raise InvalidQuery("query must not be empty")
        texts = [without_salutation(t) for t in texts]  # "Merhaba, iade ..." is searched as "iade ..."
        languages = [language or self.language_of(t) for t in texts]
        with self._lock:
            calibration = self._calibrated(wait=False)
            assert self._index is not None
            vectors = self.embedder.embed(texts)
            scores, ids = self._index.search(vectors, ENTRY_HITS)
            known = self._languages()
            scopes = [lang if lang in known else None for lang in languages]
            current = calibration.generation == self._generation
            state: CalibrationState = "previous"
            if current:
                state = "quick_refit" if calibration.provisional else "current"
                probabilities = calibration.probabilities(texts, vectors, scopes)
                by_language = calibration.thresholds
            else:  # the classifiers are being refitted after a change: they do not know it yet
                probabilities = [None] * len(texts)
                by_language = calibration.while_refitting()
            vectors_by_article = calibration.article_vectors
            keep = max(top_k, MAX_CLARIFY_OPTIONS, MIN_CANDIDATES)  # what the decision and the result look at
            ranked = [
                self._rank(
                    vectors[i], texts[i], scores[i], ids[i], scope, -1, probabilities[i], vectors_by_article, keep
                )
                for i, scope in enumerate(scopes)
            ]
            # The nearest entries may all be in the other language: look deeper for those queries.
            short = [i for i, r in enumerate(ranked) if len(r) < MIN_CANDIDATES and len(self._index) > ENTRY_HITS]
            if short:
                deep_scores, deep_ids = self._index.search(vectors[short], len(self._index))
                for row, i in enumerate(short):
                    ranked[i] = self._rank(
                        vectors[i],
                        texts[i],
                        deep_scores[row],
                        deep_ids[row],
                        scopes[i],
                        -1,
                        probabilities[i],
                        vectors_by_article,
                        keep,
                    )
            # The article answered with gets the paragraph that answers, in the same hold of the
            # lock as its ranking. (After a clarifying question the visitor's pick gets its
            # paragraph from passage(); scoring the options here would be work nothing shows.)
            results = []
            for i, (candidates, scope) in enumerate(zip(ranked, scopes, strict=True)):
                thresholds = by_language.get(scope) or by_language[None]
                decision, reason, options = decide(candidates, thresholds)
                if decision == "answer":  # the answer is the best candidate, options == [candidates[0]]
                    answered = dataclasses.replace(
                        options[0], passage=self._passage(options[0].id, vectors[i], texts[i])
                    )
                    candidates, options = [answered, *candidates[1:]], [answered]
                results.append(
                    SearchResult(
                        texts[i],
                        languages[i],
                        decision,
                        reason,
                        candidates[:top_k],
                        options,
                        thresholds,
                        self.embedder.name,
                        state,
                    )
                )
        return results

    def passage(self, article_id: str, question: str) -> Passage | None:
        """The paragraph of an article that answers ``question`` best (None for an unknown article)."""
        text = question.strip()[:MAX_QUERY_CHARS]
        if not text:
            raise InvalidQuery("question must not be empty")
        self.refresh()
        with self._lock:
            vector = self.embedder.embed([text])[0]
            return self._passage(article_id, vector, text)

    def _passage(self, article_id: str, vector: np.ndarray, text: str) -> Passage | None:
        """Score each paragraph of the article that may be shown against the question; the best wins."""
        article = self._articles.get(article_id)
        if article is None:
            return None
        paragraphs, shown = article.paragraphs(), article.answer_paragraphs()
        if not shown:
            return None
        entries = self._by_article.get(article_id, ())
        chunks = {self._entry_meta[eid][1]: eid for eid in entries if self._entry_meta[eid][0] == "chunk"}
        titles = [eid for eid in entries if self._entry_meta[eid][0] == "title"]
        entry_ids = [chunks.get(paragraphs[i], -1) for i in shown]
        known = [e for e in entry_ids if e >= 0]
        cosines = dict(zip(known, (self._vectors(known) @ vector).tolist(), strict=True)) if known else {}
        text = without_identifiers(text)  # an order number says which order, not which paragraph
        lexical = dict(zip(known, self._lexical.similarity(text, known), strict=True))
        wanted = self._lexical.coverage_query(text)
        scores: list[float | None] = [None] * len(paragraphs)
        scored: dict[int, float] = {}
        for i, entry_id in zip(shown, entry_ids, strict=True):
            if entry_id >= 0:
                coverage = self._lexical.coverage(wanted, [entry_id])
                scored[i] = scores[i] = (
                    cosines[entry_id] + PASSAGE_LEXICAL_WEIGHT * lexical[entry_id] + PASSAGE_COVERAGE_WEIGHT * coverage
                )
        title_coverage = self._lexical.coverage(wanted, titles)
        broad = is_broad(len(words(text)), title_coverage)
        chosen = pick_paragraphs(scored, shown[0], broad)
        # One line break between them: Rasa's output channels split a bot message at a blank line.
        return Passage(chosen, "\n".join(paragraphs[i] for i in chosen), tuple(scores), title_coverage, broad)

    def close(self) -> None:
        """Stop a background calibration (it gives up at its next batch) and close the store.

        Waiting for it matters at exit: a thread still inside native code when the
        interpreter shuts down can crash the process.
        """
        self._closed = True
        thread = self._calibrating
        if thread is not None and thread is not threading.current_thread():
            thread.join(CLOSE_WAIT_SECONDS)
        close = getattr(self.store, "close", None)
        if close:
            close()


def _even_sample(items: list[T]) -> list[T]:
    """At most ``MAX_CALIBRATION_QUESTIONS`` items spread evenly over ``items``: as good, and quick."""
    limit = MAX_CALIBRATION_QUESTIONS
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def _explain(fitted: Fitted) -> dict[str, Any]:
    return {
        "embedding_weight": fitted.classifier.dense_weight,
        "class_weight": fitted.classifier.class_weight,
        "whole_words": fitted.classifier.words,
        "held_out_accuracy_by_setting": {label: round(a, 4) for label, a in fitted.accuracy.items()},
        "share_of_score": CLASSIFIER_SHARE,
        "calibration_folds": len(fitted.folds),
    }


class _Superseded(Exception):
    """The articles changed while a calibration was computed from them."""


# a classifier that never saw the questions scored, and the articles' entry ids and vectors
Scoring = tuple[ArticleClassifier, dict[str, tuple[np.ndarray, np.ndarray]]]


class _Rows(NamedTuple):
    """One language's entries, for fitting its article classifier; lists of row numbers index them."""

    texts: list[str]
    vectors: np.ndarray
    labels: list[str]
    held_out: list[int]
    entry_ids: list[int]
    questions: list[int]


@dataclass(frozen=True)
class Calibration:
    """What is fitted on one generation of the articles: thresholds and article classifiers."""

    generation: int
    model: str
    thresholds: dict[str | None, Thresholds]
    classifiers: dict[str, Fitted] = field(default_factory=dict)
    # entry ids (sorted) and vectors of each article of a classified language, for re-scoring quickly
    article_vectors: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    # thresholds for scores without the classifiers, for searches made while they are refitted
    plain_thresholds: dict[str | None, Thresholds] = field(default_factory=dict)
    # classifiers refitted quickly after a change, with the previous thresholds (see
    # KnowledgeBase._refit_quickly); a full calibration follows
    provisional: bool = False

    def while_refitting(self) -> dict[str | None, Thresholds]:
        """Thresholds for searching the articles as changed since: scores without the classifiers.

        A classifier fitted before a change knows nothing of a new article, so
        until the new one is ready, articles are scored by similarity alone.
        """
        if not self.classifiers:
            return self.thresholds
        note = "; the article classifiers are being refitted after a change, so scores leave them out"
        return {lang: dataclasses.replace(t, source=t.source + note) for lang, t in self.plain_thresholds.items()}

    def probabilities(
        self, texts: list[str], vectors: np.ndarray, scopes: list[str | None]
    ) -> list[dict[str, float] | None]:
        """Article probabilities for each query whose language has a classifier, one batch per language."""
        found: list[dict[str, float] | None] = [None] * len(texts)
        for language, fitted in self.classifiers.items():
            rows = [i for i, scope in enumerate(scopes) if scope == language]
            if rows:
                probs = fitted.classifier.probabilities([texts[i] for i in rows], vectors[rows])
                for i, p in zip(rows, probs, strict=True):
                    found[i] = p
        return found


def _group_by_article(
    entry_ids: list[int], labels: list[str], vectors: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rows: dict[str, list[int]] = {}
    for row, article_id in enumerate(labels):
        rows.setdefault(article_id, []).append(row)
    grouped = {}
    for article_id, mine in rows.items():
        order = sorted(mine, key=lambda r: entry_ids[r])
        grouped[article_id] = (np.array([entry_ids[r] for r in order], np.int64), vectors[order])
    return grouped
