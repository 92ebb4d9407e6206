"""Splitting the NLU examples by language for cross-validation, and the held-out messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.nlu import (
    HELD_OUT,
    SEEDED_RASA,
    examples_by_language,
    nearest_training_similarity,
    novel_accuracy,
    tagged_examples,
    write_nlu,
)
from knowledge_base.language import detect_language
from tests.benchmarks import normalised

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parents[2] / "data"


def test_examples_are_split_by_their_language_tag_and_untagged_ones_go_to_both(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        """version: "3.1"
nlu:
  - intent: affirm
    metadata:
      language: tr
    examples: |
      - evet işe yaradı
      - tabii ki
  - intent: affirm
    metadata:
      language: en
    examples: |
      - yes it did
  - intent: affirm
    examples: |
      - 👍
  - intent: other_language
    examples: |
      - Wo ist meine Bestellung?
rules: []
""",
        encoding="utf-8",
    )
    split = examples_by_language(tmp_path)
    foreign = ["Wo ist meine Bestellung?"]
    assert split["tr"] == {"affirm": ["evet işe yaradı", "tabii ki", "👍"], "other_language": foreign}
    assert split["en"] == {"affirm": ["yes it did", "👍"], "other_language": foreign}
    write_nlu(split["tr"], tmp_path / "tr.yml")
    assert examples_by_language(tmp_path)["tr"]["affirm"] == ["evet işe yaradı", "tabii ki", "👍"] * 2


def test_an_unknown_language_tag_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: greet\n    metadata:\n      language: de\n    examples: |\n      - hallo\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="unknown language 'de'"):
        examples_by_language(tmp_path)


def test_the_project_data_has_both_languages_for_every_intent() -> None:
    split = examples_by_language(DATA)
    assert set(split["tr"]) == set(split["en"])
    for language in ("tr", "en"):
        thin = {intent: len(texts) for intent, texts in split[language].items() if len(texts) < 10}
        assert thin == {}, f"{language}: intents with fewer than 10 examples: {thin}"


def test_every_language_tag_agrees_with_the_detector_where_it_has_an_opinion() -> None:
    """A Turkish example filed under English (or the reverse) would skew the per-language figures."""
    mistagged = [
        (name, intent, tag, text)
        for name, intent, tag, text in tagged_examples(DATA)
        if tag is not None and detect_language(text) not in (None, tag)
    ]
    assert mistagged == []


def test_no_held_out_message_is_a_training_example() -> None:
    training = {normalised(text) for *_, text in tagged_examples(DATA)}
    reused = [text for *_, text in tagged_examples(HELD_OUT) if normalised(text) in training]
    assert reused == []


def test_the_held_out_messages_cover_every_intent_in_both_languages() -> None:
    held_out = examples_by_language(HELD_OUT)
    intents = set(examples_by_language(DATA)["tr"])
    for language in ("tr", "en"):
        assert set(held_out[language]) == intents, language
    untagged = [text for _, _, tag, text in tagged_examples(HELD_OUT) if tag is None]
    assert untagged == [], "every held-out message belongs to one language's figure"


def test_a_reordered_or_refolded_message_is_a_paraphrase_and_a_new_one_is_not() -> None:
    training = ["sen robot musun", "kargom nerede", "iptal etmek istiyorum formu"]
    messages = ["robot musun sen", "FORMU İPTAL ETMEK İSTİYORUM", "teşekkürler, görüşürüz"]
    reordered, refolded, new = nearest_training_similarity(messages, training)
    assert reordered > 0.7 and refolded > 0.99
    assert new < 0.3


def test_novel_accuracy_counts_only_messages_that_are_no_paraphrase() -> None:
    training = ["sen robot musun", "kargom nerede"]
    messages = ["robot musun sen", "teşekkürler, görüşürüz", "iyi akşamlar dilerim"]
    assert novel_accuracy(messages, training, wrong={"iyi akşamlar dilerim"}) == (1, 2)
    assert novel_accuracy(messages, training, wrong={"robot musun sen"}) == (2, 2)


def test_the_seeded_command_seeds_numpy_then_hands_rasa_the_rest_of_the_arguments(tmp_path: Path) -> None:
    # A stand-in for Rasa's command line: it reports its arguments and NumPy's next draw,
    # which is what StratifiedKFold(shuffle=True) without a random_state would use.
    (tmp_path / "rasa").mkdir()
    (tmp_path / "rasa" / "__init__.py").write_text("")
    (tmp_path / "rasa" / "__main__.py").write_text(
        "import json, sys, numpy\n"
        "def main():\n"
        "    print(json.dumps({'args': sys.argv[1:], 'draw': float(numpy.random.rand())}))\n"
    )

    def run(seed: int) -> dict[str, object]:
        command = [sys.executable, "-c", SEEDED_RASA, str(seed), "test", "nlu", "--folds", "5"]
        done = subprocess.run(command, env={"PYTHONPATH": str(tmp_path)}, capture_output=True, text=True, check=True)
        return dict(json.loads(done.stdout))

    first, again, other = run(0), run(0), run(1)
    assert first["args"] == ["test", "nlu", "--folds", "5"]
    assert first["draw"] == again["draw"] != other["draw"]
