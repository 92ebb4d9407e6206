"""Splitting the NLU examples by language for cross-validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.nlu import examples_by_language, tagged_examples, write_nlu
from knowledge_base.language import detect_language

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
