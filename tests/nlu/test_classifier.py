"""The blended intent classifier inside Rasa's pipeline (runs in .venv-rasa: make test-actions)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.classifier import BlendedIntentClassifier, combine, normalise
from nlu.featurizer import SentenceEmbeddingFeaturizer

EXAMPLES = {
    "greet": ["hello", "hi there", "merhaba", "selam", "good morning", "iyi günler"],
    "thank": ["thanks", "thank you so much", "teşekkürler", "sağ ol", "çok teşekkür ederim", "cheers"],
    "request_human": ["talk to a human", "temsilciyle görüşmek istiyorum", "canlı destek", "an agent please"],
}


def featurized(messages: list[Message]) -> list[Message]:
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process(messages)
    SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "emb").process(messages)
    return messages


def training_data() -> TrainingData:
    messages = [Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts]
    return TrainingData(featurized(messages))


def diet_ranking(message: Message, ranking: dict[str, float]) -> Message:
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking.items()])
    return message


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def trained(storage: LocalModelStorage, **config: object) -> tuple[BlendedIntentClassifier, Resource]:
    resource = Resource("blend")
    context = ExecutionContext(GraphSchema({}), "test")
    full = {**BlendedIntentClassifier.get_default_config(), **config}
    classifier = BlendedIntentClassifier.create(full, storage, resource, context)
    classifier.train(training_data())
    return BlendedIntentClassifier.load(full, storage, resource, context), resource


def test_trained_and_reloaded_it_tells_intents_apart_in_both_languages(storage: LocalModelStorage) -> None:
    classifier, _ = trained(storage, diet_power=0.0)
    texts = {"merhaba nasılsın": "greet", "thanks a lot": "thank", "canlı destek lütfen": "request_human"}
    messages = classifier.process(featurized([Message(data={TEXT: t}) for t in texts]))
    for message, expected in zip(messages, texts.values(), strict=True):
        assert message.get(INTENT)["name"] == expected
        ranking = message.get(INTENT_RANKING_KEY)
        assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
        assert ranking[0]["name"] == expected


def test_an_emoji_in_any_skin_tone_reads_as_the_plain_emoji() -> None:
    assert normalise("👍🏽") == normalise("👍🏿") == normalise("👍") == "👍"
    assert normalise("❤️ TEŞEKKÜRLER") == "❤ tesekkurler"


def test_diets_ranking_is_a_vote_not_the_decision(storage: LocalModelStorage) -> None:
    classifier, _ = trained(storage)
    # DIET is almost sure of the wrong intent; flattened by the power, it does not outvote the linear model.
    (message,) = featurized([Message(data={TEXT: "thank you very much"})])
    diet_ranking(message, {"greet": 0.98, "thank": 0.015, "request_human": 0.005})
    classifier.process([message])
    assert message.get(INTENT)["name"] == "thank"


def test_combine_is_a_normalised_product_and_missing_diet_passes_through() -> None:
    own = {"a": 0.6, "b": 0.4}
    assert combine(own, {}, 0.1) == own
    assert combine(own, {"a": 0.5, "b": 0.5}, 0.1) == pytest.approx(own)
    blended = combine(own, {"a": 0.01, "b": 0.99}, 1.0)
    assert blended["b"] > blended["a"] and sum(blended.values()) == pytest.approx(1.0)
    assert combine(own, {"b": 1.0}, 0.5)["a"] < 0.01  # an intent DIET left out counts as almost impossible


def test_a_message_without_embedding_keeps_diets_answer(storage: LocalModelStorage) -> None:
    classifier, _ = trained(storage)
    message = Message(data={TEXT: "hello"})  # not featurized
    message.set(INTENT, {"name": "greet", "confidence": 0.9})
    classifier.process([message])
    assert message.get(INTENT)["name"] == "greet"


def test_training_without_the_featurizer_says_what_is_missing(storage: LocalModelStorage) -> None:
    classifier = BlendedIntentClassifier.create(
        BlendedIntentClassifier.get_default_config(), storage, Resource("x"), ExecutionContext(GraphSchema({}), "t")
    )
    bare = TrainingData([Message(data={TEXT: t, INTENT: i}) for i, ts in EXAMPLES.items() for t in ts])
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process(bare.training_examples)
    with pytest.raises(InvalidConfigException, match="SentenceEmbeddingFeaturizer"):
        classifier.train(bare)
    with pytest.raises(InvalidConfigException, match="diet_power"):
        BlendedIntentClassifier.validate_config({"diet_power": 2})


def test_a_diet_power_out_of_range_is_refused_when_the_model_is_built(storage: LocalModelStorage) -> None:
    config = {**BlendedIntentClassifier.get_default_config(), "diet_power": 1.5}
    with pytest.raises(InvalidConfigException, match="diet_power"):
        BlendedIntentClassifier.create(config, storage, Resource("x"), ExecutionContext(GraphSchema({}), "t"))
