"""Fine-tune the embedding model on the knowledge base's own example questions, on CPU.

Each example question is paired with another text of the same article (another
question, the title or a paragraph). A batch holds at most one pair per article,
and the loss asks every question to be nearer to its own pair than to the other
articles' pairs in the batch (a symmetric in-batch contrastive loss). Nothing but
the articles is needed: no labelled visitor data, no GPU, no download.

Off-topic "background" messages (``knowledge_base/background/<language>.txt``:
weather, recipes, small talk...) join every batch as extra negatives, so that a
question the articles do not cover is not pulled into the nearest article.

The trained model is written to ``<kb>/models/<id>/`` with a ``supportbot.json``
that names its base model. The base model stays the fallback: a knowledge base
whose trained model is missing or built on another base goes back to the base
model and re-embeds. Articles added after training are searchable at once with
the trained model; the next training run learns them too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from knowledge_base.articles import Article
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.text import fold

log = logging.getLogger(__name__)

MANIFEST = "supportbot.json"
BACKGROUND_DIR = Path(__file__).parent / "background"
HOLD_OUT_EVERY = 5
TRAIN_MAX_TOKENS = 64
FEW_QUESTIONS = 4
LOSS_SCALE = 20.0


class TrainingError(KnowledgeBaseError):
    status_code = 422
    code = "training_failed"


@dataclass(frozen=True)
class TrainingOptions:
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 3e-5
    seed: int = 0
    background: bool = True


@dataclass(frozen=True)
class TrainedModel:
    """What ``supportbot.json`` says about one trained model."""

    id: str
    base: str
    fingerprint: str
    articles: int
    pairs: int
    steps: int
    seconds: float
    options: dict[str, Any]

    @classmethod
    def read(cls, folder: Path) -> TrainedModel | None:
        try:
            return cls(**json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


def background_texts(languages: set[str]) -> list[str]:
    """The off-topic messages shipped for these languages, folded like everything the model sees."""
    texts: list[str] = []
    for language in sorted(languages):
        path = BACKGROUND_DIR / f"{language}.txt"
        if path.is_file():
            texts += [fold(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(texts))


def fingerprint(articles: list[Article], base: str, options: TrainingOptions) -> str:
    """Identifies the training input: the same articles, base and options give the same model."""
    digest = hashlib.sha256(base.encode("utf-8"))
    digest.update(json.dumps(asdict(options), sort_keys=True).encode("utf-8"))
    if options.background:
        digest.update("\n".join(background_texts({a.language for a in articles})).encode("utf-8"))
    for article in sorted(articles, key=lambda a: a.id):
        digest.update(article.content_hash.encode("ascii"))
    return digest.hexdigest()


def held_out(question: str) -> bool:
    """Whether training leaves this example question out, so calibration can test on it.

    Decided by a hash of the folded text: about one question in ``HOLD_OUT_EVERY``,
    the same one every time, in every process, without storing a list.
    """
    return hashlib.sha1(fold(question).encode("utf-8")).digest()[0] % HOLD_OUT_EVERY == 0


def article_texts(article: Article) -> list[str]:
    """The texts a question may be paired with: title and other questions, paragraphs when those are few.

    Paragraphs are long, and a batch costs as much as its longest text, so they
    are only used for articles with fewer than ``FEW_QUESTIONS`` example questions.
    """
    texts = [article.title, *article.questions]
    if len(article.questions) < FEW_QUESTIONS:
        texts += article.paragraphs()
    return list(dict.fromkeys(fold(t) for t in texts if t.strip()))


def training_pairs(articles: list[Article], rng: random.Random) -> list[tuple[str, str, str]]:
    """One ``(question, positive, article id)`` per example question, positives drawn afresh.

    Held-out questions (:func:`held_out`) are neither anchors nor positives. An
    article without example questions contributes its title, paired with a paragraph.
    """
    pairs = []
    for article in articles:
        hidden = {fold(q) for q in article.questions if held_out(q)}
        texts = [t for t in article_texts(article) if t not in hidden]
        anchors = [fold(q) for q in article.questions if fold(q) not in hidden] or [fold(article.title)]
        for anchor in anchors:
            others = [t for t in texts if t != anchor]
            if others:
                pairs.append((anchor, rng.choice(others), article.id))
    return pairs


def distinct_batches(pairs: list[tuple[str, str, str]], size: int) -> list[list[tuple[str, str, str]]]:
    """Split pairs into batches in which no article appears twice (else it is its own negative)."""
    batches: list[list[tuple[str, str, str]]] = []
    pending = pairs
    while pending:  # every pass takes at least one pair, so this ends
        batch: list[tuple[str, str, str]] = []
        rest: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for pair in pending:
            if len(batch) < size and pair[2] not in seen:
                batch.append(pair)
                seen.add(pair[2])
            else:
                rest.append(pair)
        if len(batch) > 1:
            batches.append(batch)
        pending = rest
    return batches


def fine_tune(
    base_ref: str,
    base_name: str,
    articles: list[Article],
    models_dir: Path,
    options: TrainingOptions,
) -> tuple[Path, TrainedModel]:
    """Train a model on ``articles`` and save it under ``models_dir``; return its folder and manifest."""
    import torch
    from sentence_transformers import SentenceTransformer

    if len({a.id for a in articles}) < 2:
        raise TrainingError("training needs at least two articles")
    key = fingerprint(articles, base_name, options)
    started = time.perf_counter()
    rng = random.Random(options.seed)
    torch.manual_seed(options.seed)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    model = SentenceTransformer(base_ref, device="cpu")
    keep_max = model.max_seq_length
    model.max_seq_length = min(keep_max or TRAIN_MAX_TOKENS, TRAIN_MAX_TOKENS)
    optimiser = torch.optim.AdamW(model.parameters(), lr=options.learning_rate)
    background = background_texts({a.language for a in articles}) if options.background else []
    model.train()
    steps = pairs_seen = 0
    for _ in range(options.epochs):
        pairs = training_pairs(articles, rng)
        rng.shuffle(pairs)
        for batch in distinct_batches(pairs, options.batch_size):
            anchors = _encode(model, [p[0] for p in batch])
            positives = _encode(model, [p[1] for p in batch])
            if background:  # the other articles' pairs and some off-topic messages are the negatives
                negatives = _encode(model, rng.sample(background, min(len(background), len(batch) // 2)))
                positives_and_background = torch.cat([positives, negatives])
            else:
                positives_and_background = positives
            logits = anchors @ positives_and_background.T * LOSS_SCALE
            labels = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(logits, labels)
                + torch.nn.functional.cross_entropy(logits[:, : len(batch)].T, labels)
            ) / 2
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            steps += 1
            pairs_seen += len(batch)
    model.eval()
    model.max_seq_length = keep_max
    if steps == 0:
        raise TrainingError("the articles gave no training pairs: add example questions")
    manifest = TrainedModel(
        id=key[:12],
        base=base_name,
        fingerprint=key,
        articles=len(articles),
        pairs=pairs_seen,
        steps=steps,
        seconds=round(time.perf_counter() - started, 1),
        options=asdict(options),
    )
    folder = models_dir / manifest.id
    tmp = models_dir / f".{manifest.id}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(str(tmp))
    (tmp / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    log.info("model trained", extra={"model": manifest.id, "steps": steps, "seconds": manifest.seconds})
    return folder, manifest


def _encode(model: Any, texts: list[str]) -> Any:
    import torch

    preprocess = getattr(model, "preprocess", None) or model.tokenize
    features = preprocess(texts)
    return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)
