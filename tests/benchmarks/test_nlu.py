"""Splitting the NLU examples by language for cross-validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.nlu import examples_by_language, write_nlu

pytestmark = pytest.mark.unit


def test_examples_are_split_by_language_and_neutral_ones_go_to_both(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        """version: "3.1"
nlu:
  - intent: affirm
    examples: |
      - evet işe yaradı
      - yes it did
      - 👍
  - intent: other_language
    examples: |
      - Wo ist meine Bestellung?
rules: []
""",
        encoding="utf-8",
    )
    split = examples_by_language(tmp_path)
    assert split["tr"] == {"affirm": ["evet işe yaradı", "👍"], "other_language": ["Wo ist meine Bestellung?"]}
    assert split["en"] == {"affirm": ["yes it did", "👍"], "other_language": ["Wo ist meine Bestellung?"]}
    write_nlu(split["tr"], tmp_path / "tr.yml")
    assert examples_by_language(tmp_path)["tr"]["affirm"] == ["evet işe yaradı", "👍", "evet işe yaradı", "👍"]


def test_the_project_data_has_both_languages_for_every_intent() -> None:
    split = examples_by_language(Path(__file__).resolve().parents[2] / "data")
    assert set(split["tr"]) == set(split["en"])
    for language in ("tr", "en"):
        thin = {intent: len(texts) for intent, texts in split[language].items() if len(texts) < 10}
        assert thin == {}, f"{language}: intents with fewer than 10 examples: {thin}"
