"""The NumPy encoder used by Rasa's pipeline gives the same vectors as sentence-transformers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from nlu.encoder import EncoderError, SentenceEncoder, load, packaged_model_dir


@pytest.mark.integration
def test_same_sentence_vectors_as_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    texts = [
        "How long do refunds take?",
        "siparişimi nasil iptal ederim",
        "hi",
        "Kargom 5 gündür gelmedi, acil! Canlı destek istiyorum",
        "👍",
        "def f(x):\n    return x ** 2",
    ]
    ours = load().encode(texts)
    reference = SentenceTransformer(str(packaged_model_dir()), device="cpu")
    # The encoder reads a dotless ı as i (the uncased vocabulary has no ı); the reference gets the same text.
    theirs = reference.encode([t.replace("ı", "i") for t in texts], normalize_embeddings=True)
    for mine, expected in zip(ours, theirs, strict=True):
        assert float(mine.sentence @ expected) > 0.9999
        assert abs(float(np.linalg.norm(mine.sentence)) - 1.0) < 1e-5


@pytest.mark.integration
def test_piece_spans_point_into_the_original_text() -> None:
    text = "İade için IBAN gerekli mi?"
    encoded = load().encode([text])[0]
    assert len(encoded.spans) == len(encoded.pieces) > 0
    words = {text[start:end].lower() for start, end in encoded.spans}
    assert "iban" in words or "ib" in words
    assert all(0 <= start < end <= len(text) for start, end in encoded.spans)


@pytest.mark.integration
def test_long_text_is_cut_at_max_tokens_and_empty_text_still_has_a_vector() -> None:
    encoder = load(max_tokens=16)
    long, empty = encoder.encode(["word " * 500, ""])
    assert len(long.pieces) == 16 - 2  # [CLS] and [SEP] are not pieces of the text
    assert empty.pieces.shape == (0, encoder.dim)
    assert np.isfinite(empty.sentence).all()


@pytest.mark.integration
def test_batches_do_not_change_the_vectors() -> None:
    texts = ["short", "a somewhat longer question about my parcel", "iade"]
    one_by_one = [load().encode([t])[0].sentence for t in texts]
    together = [e.sentence for e in load().encode(texts, batch_size=2)]
    for a, b in zip(one_by_one, together, strict=True):
        assert float(a @ b) > 0.99999


@pytest.mark.unit
def test_folder_without_model_files_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match=r"no config\.json, model\.safetensors, tokenizer\.json"):
        SentenceEncoder(tmp_path)


@pytest.mark.unit
def test_other_architectures_are_refused_by_name(tmp_path: Path) -> None:
    for name in ("model.safetensors", "tokenizer.json"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "xlm-roberta"}))
    with pytest.raises(EncoderError, match="'xlm-roberta' is not supported"):
        SentenceEncoder(tmp_path)


@pytest.mark.integration
def test_a_copied_model_folder_loads_by_path(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(packaged_model_dir(), folder)
    vector = load(folder).encode(["where is my order"])[0].sentence
    assert float(vector @ load().encode(["where is my order"])[0].sentence) > 0.99999
