"""An intent classifier that combines its own logistic regression with DIET's ranking.

A linear model over the message seen three ways (character n-grams and words
of the folded text, where "İPTAL" and "iptal" are one word, and the sentence
embedding) generalises from a few hundred examples better than DIET in English
and as well in Turkish, and it makes different mistakes. The two are combined
as a product: each intent's probability from the linear model times DIET's
confidence raised to a small power, then normalised. DIET is nearly always
almost certain (0.99...), so its confidence is flattened before it votes; the
linear model's softer probabilities keep their meaning for the fallback
threshold. See README, "NLU quality", for the figures and how the power was chosen.

Put it after ``DIETClassifier`` (with ``ranking_length: 0``, so DIET ranks every
intent) and before ``FallbackClassifier``::

    - name: DIETClassifier
      ranking_length: 0
    - name: nlu.classifier.BlendedIntentClassifier
      diet_power: 0.3     # 0: the linear model alone; without DIET in the pipeline, the same

The text is folded with ``knowledge_base.text.fold``, the knowledge base's own
normalisation (standard library only), and emoji lose their skin-tone and
presentation modifiers, so that 👍🏽 is the 👍 of the examples. Rasa imports
``knowledge_base`` from the project folder, which its command line puts on
``sys.path`` as it does for ``nlu`` itself.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from knowledge_base.text import fold
from nlu.featurizer import SentenceEmbeddingFeaturizer

MODEL_FILE = "blended_intent_classifier.skops"
# DIET's confidence is raised to this power before it multiplies the linear model's probability.
DIET_POWER = 0.3
# Skin tones (U+1F3FB-U+1F3FF) and the emoji presentation selector (U+FE0F).
_EMOJI_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")


def normalise(text: str) -> str:
    """The text the linear model reads: folded (case and Turkish letters), emoji without modifiers."""
    return _EMOJI_MODIFIERS.sub("", fold(text))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class BlendedIntentClassifier(IntentClassifier, GraphComponent):
    """Logistic regression on text and sentence embedding, combined with DIET's intent ranking."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [SentenceEmbeddingFeaturizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"diet_power": DIET_POWER, "C": 10.0, "max_iter": 2000, "ranking_length": 10}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        state: dict[str, Any] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self.validate_config(self._config)
        self._storage = model_storage
        self._resource = resource
        self._state = state

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not 0.0 <= float(config.get("diet_power", DIET_POWER)) <= 1.0:
            raise InvalidConfigException("BlendedIntentClassifier: diet_power must be between 0 and 1")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BlendedIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        intents = {m.get(INTENT) for m in examples}
        if len(intents) < 2:  # nothing to tell apart: DIET's ranking is passed through
            return self._resource
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), preprocessor=normalise, sublinear_tf=True)
        words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), preprocessor=normalise, token_pattern=r"\S+", sublinear_tf=True
        )
        texts = [m.get(TEXT) for m in examples]
        chars.fit(texts)
        words.fit(texts)
        model = LogisticRegression(C=float(self._config["C"]), max_iter=int(self._config["max_iter"]))
        model.fit(_features(chars, words, examples), [m.get(INTENT) for m in examples])
        self._state = {"chars": chars, "words": words, "model": model}
        self._persist()
        return self._resource

    def _persist(self) -> None:
        import skops.io

        with self._storage.write_to(self._resource) as folder:
            skops.io.dump(self._state, folder / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> BlendedIntentClassifier:
        import skops.io

        try:
            with model_storage.read_from(resource) as folder:
                path = folder / MODEL_FILE
                # The file is this component's own output inside the model archive: its types are trusted.
                state = skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path)) if path.exists() else None
        except ValueError:  # nothing was persisted: too few intents to train on
            state = None
        return cls(config, model_storage, resource, state)

    def process(self, messages: list[Message]) -> list[Message]:
        # A message without the sentence embedding (no text, no tokens) keeps DIET's ranking.
        todo = [m for m in messages if m.get(TEXT) and m.get_dense_features(TEXT)[1] is not None]
        if self._state is None or not todo:
            return messages
        state = self._state
        own = state["model"].predict_proba(_features(state["chars"], state["words"], todo))
        names = [str(c) for c in state["model"].classes_]
        power = float(self._config["diet_power"])
        for message, probabilities in zip(todo, own, strict=True):
            diet = {r[INTENT_NAME_KEY]: r[PREDICTED_CONFIDENCE_KEY] for r in message.get(INTENT_RANKING_KEY) or []}
            blended = combine(dict(zip(names, probabilities.tolist(), strict=True)), diet, power)
            ranking = [
                {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p}
                for name, p in sorted(blended.items(), key=lambda item: -item[1])
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            if int(self._config["ranking_length"]) > 0:
                ranking = ranking[: int(self._config["ranking_length"])]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


def combine(own: dict[str, float], diet: dict[str, float], power: float) -> dict[str, float]:
    """``own[i] * diet[i] ** power``, normalised; DIET's missing intents count as almost impossible.

    Without DIET's ranking (no DIET in the pipeline) the linear model's probabilities are returned.
    """
    if not diet or power == 0.0:
        return dict(own)
    floor = 1e-6
    raw = {name: p * max(float(diet.get(name, 0.0)), floor) ** power for name, p in own.items()}
    total = sum(raw.values())
    return {name: value / total for name, value in raw.items()}


def _features(chars: TfidfVectorizer, words: TfidfVectorizer, messages: list[Message]) -> csr_matrix:
    """One row per message: its character n-grams, its words and its sentence embedding."""
    texts = [m.get(TEXT) for m in messages]
    return hstack([chars.transform(texts), words.transform(texts), csr_matrix(_sentence_vectors(messages))]).tocsr()


def _sentence_vectors(messages: list[Message]) -> np.ndarray:
    """The dense sentence features of each message (the sentence embedding), or an error if missing."""
    rows = []
    for message in messages:
        _, sentence = message.get_dense_features(TEXT)
        if sentence is None:
            raise InvalidConfigException(
                "BlendedIntentClassifier needs dense sentence features: put "
                "nlu.featurizer.SentenceEmbeddingFeaturizer before it in config.yml"
            )
        rows.append(sentence.features[0])
    return np.vstack(rows)
