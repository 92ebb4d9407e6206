"""The sentence-embedding featurizer inside Rasa's pipeline (runs in .venv-rasa: make test-actions)."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.encoder import load
from nlu.featurizer import SentenceEmbeddingFeaturizer

NAME = "SentenceEmbeddingFeaturizer"


def featurizer(**config: object) -> SentenceEmbeddingFeaturizer:
    return SentenceEmbeddingFeaturizer({**SentenceEmbeddingFeaturizer.get_default_config(), **config}, NAME)


def tokenized(*texts: str) -> list[Message]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message.build(text) for text in texts]
    for message in messages:
        tokenizer.process([message])
    return messages


def dense(message: Message) -> tuple[np.ndarray, np.ndarray]:
    sequence, sentence = message.get_dense_features(TEXT, [NAME])
    assert sequence is not None and sentence is not None
    return sequence.features, sentence.features


def test_sentence_feature_is_the_models_sentence_vector() -> None:
    (message,) = featurizer().process(tokenized("Can I talk to a human please?"))
    sequence, sentence = dense(message)
    assert sentence.shape == (1, 384)
    expected = load().encode(["Can I talk to a human please?"])[0].sentence
    assert np.allclose(sentence[0], expected, atol=1e-5)
    assert sequence.shape == (len(message.get(TOKENS_NAMES[TEXT])), 384)
    assert np.abs(sequence).sum(axis=1).min() > 0  # every token got its pieces


def test_turkish_tokens_with_dotted_and_dotless_i_keep_their_pieces() -> None:
    (message,) = featurizer().process(tokenized("İptal etmek istiyorum, ılık değil"))
    sequence, _ = dense(message)
    assert sequence.shape[0] == len(message.get(TOKENS_NAMES[TEXT]))
    assert np.abs(sequence).sum(axis=1).min() > 0


def test_training_data_is_featurized_in_batches() -> None:
    data = TrainingData(tokenized("hello", "thanks a lot", "temsilciyle görüşmek istiyorum"))
    featurizer(batch_size=2).process_training_data(data)
    for message in data.training_examples:
        _, sentence = dense(message)
        assert sentence.shape == (1, 384)


def test_bad_input_gets_features_or_none_but_no_error() -> None:
    long_text = "kargo " * 2000
    emoji, long, control = featurizer(max_tokens=32).process(tokenized("👍👍", long_text, "a\x00b\x07c"))
    for message in (emoji, long, control):
        sequence, sentence = dense(message)
        assert sequence.shape[0] == len(message.get(TOKENS_NAMES[TEXT]))
        assert np.isfinite(sentence).all()
    sequence, _ = dense(long)
    assert np.abs(sequence[-1]).sum() == 0  # past the cut: zeros, which Rasa's pooling skips
    (empty,) = featurizer().process([Message.build("")])
    assert empty.get_dense_features(TEXT, [NAME]) == (None, None)


def test_a_folder_that_is_no_model_is_a_config_error(tmp_path: object) -> None:
    with pytest.raises(InvalidConfigException, match="is not a sentence-transformers model folder"):
        featurizer(model=str(tmp_path))
    with pytest.raises(InvalidConfigException, match="max_tokens"):
        SentenceEmbeddingFeaturizer.validate_config({"max_tokens": 2})
