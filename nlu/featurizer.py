"""A Rasa dense featurizer that adds sentence-transformer embeddings to every message.

Rasa's sparse features (words and character n-grams) only know the few hundred
examples in ``data/``. The embedding of a whole message knows that "see you
around" and "goodbye" mean alike though they share no word: with it, 5-fold
cross-validation of the English intents rose from 0.905 to 0.935 with DIET
alone (README, "NLU quality").

Use it after a tokenizer in ``config.yml``::

    - name: nlu.featurizer.SentenceEmbeddingFeaturizer
      model: null        # default: the offline all-MiniLM-L6-v2; or a model folder
      max_tokens: 128

The sentence feature is the model's sentence embedding. The sequence feature of
each Rasa token is the mean of the model's word pieces inside that token, so
sequence and sentence features describe the same tokens as the sparse ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.encoder import MAX_TOKENS, Encoded, EncoderError, load


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense sentence and token features of the message text from a sentence-transformers model."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["safetensors", "tokenizers"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "model": None, "max_tokens": MAX_TOKENS, "batch_size": 64}

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        try:
            self._encoder = load(self._config["model"], int(self._config["max_tokens"]))
        except EncoderError as error:
            raise InvalidConfigException(f"{type(self).__name__}: {error}") from error

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, execution_context.node_name)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        todo = [m for m in messages if m.get(TEXT) and m.get(TOKENS_NAMES[TEXT])]
        encoded = self._encoder.encode([m.get(TEXT) for m in todo], int(self._config["batch_size"]))
        for message, result in zip(todo, encoded, strict=True):
            tokens = message.get(TOKENS_NAMES[TEXT])
            self.add_features_to_message(
                sequence=token_vectors(result, tokens),
                sentence=result.sentence[None, :],
                attribute=TEXT,
                message=message,
            )
        return messages

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get("max_tokens", MAX_TOKENS)) < 8:
            raise InvalidConfigException("max_tokens must be at least 8")


def token_vectors(encoded: Encoded, tokens: list[Token]) -> np.ndarray:
    """One row per Rasa token: the mean of the word pieces whose span overlaps the token's.

    A token no piece overlaps (the text was cut at ``max_tokens``) gets zeros,
    which Rasa's pooling leaves out.
    """
    rows = np.zeros((len(tokens), encoded.pieces.shape[1]), dtype=np.float32)
    for row, token in enumerate(tokens):
        inside = [k for k, (start, end) in enumerate(encoded.spans) if start < token.end and end > token.start]
        if inside:
            rows[row] = encoded.pieces[inside].mean(axis=0)
    return rows
