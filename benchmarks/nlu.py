"""NLU intent F1 per language: 5-fold cross-validation, then the trained model on held-out messages.

    .venv/bin/python -m benchmarks.nlu [--folds 5] [--seed 0] [--held-out-only]

Splits the NLU examples of data/*.yml by the language their block is tagged
with (``metadata: {language: tr}``; untagged blocks, such as "👍", bare e-mail
addresses and the other-language examples, go to both sets), then runs Rasa's own
``rasa test nlu --cross-validation`` with config.yml on each set in the Rasa
environment. Prints intent F1 (weighted and macro averages) per language, and
the worst intents.

Then it scores the trained model (``models/supportbot.tar.gz``, what ``make
model`` builds from all of data/) on messages written for this benchmark and
never used in training (``benchmarks/data/nlu_heldout/``, tagged by language
the same way), and lists the ones it gets wrong. Cross-validation holds out
examples that were written to teach the model; these were written to test it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.model_cache import rasa_environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
# Rasa's command line, with NumPy's global generator seeded first: ``rasa test nlu
# --cross-validation`` splits the folds with it (an unseeded StratifiedKFold), and one
# Turkish figure moves by up to 0.01 from one split to the next (README, "NLU quality").
SEEDED_RASA = "import sys, numpy; numpy.random.seed(int(sys.argv.pop(1))); from rasa.__main__ import main; main()"
# The seed of the folds, fixed before any figure was taken with it.
SEED = 0
MODEL = PROJECT_ROOT / "models" / "supportbot.tar.gz"
# A held-out message this close to a training example (cosine of character 2-4-grams) is a paraphrase of it.
PARAPHRASE = 0.7
HELD_OUT = Path(__file__).resolve().parent / "data" / "nlu_heldout"
LANGUAGES = ("tr", "en")


def tagged_examples(data_dir: Path) -> Iterator[tuple[str, str, str | None, str]]:
    """(file name, intent, language tag or None, text) for every NLU example of ``data_dir``."""
    for path in sorted(data_dir.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" not in block:
                continue
            language = (block.get("metadata") or {}).get("language")
            if language is not None and language not in LANGUAGES:
                raise ValueError(f"{path.name}: intent {block['intent']} is tagged with unknown language {language!r}")
            for line in block["examples"].splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    yield path.name, block["intent"], language, text


def examples_by_language(data_dir: Path) -> dict[str, dict[str, list[str]]]:
    """language → intent → examples; untagged examples go to every language."""
    split: dict[str, dict[str, list[str]]] = {language: {} for language in LANGUAGES}
    for _, intent, language, text in tagged_examples(data_dir):
        for target in (language,) if language else LANGUAGES:
            split[target].setdefault(intent, []).append(text)
    return split


def write_nlu(intents: dict[str, list[str]], path: Path) -> None:
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in intents.items():
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {text}" for text in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class CrossValidation:
    weighted_f1: float
    macro_f1: float
    examples: int
    intents: int
    worst: list[tuple[str, float]]
    minutes: float


@dataclass
class HeldOut:
    weighted_f1: float
    accuracy: float
    examples: int
    errors: list[tuple[str, str, str, float]]  # text, intent, predicted intent, its confidence


def nearest_training_similarity(messages: list[str], training: list[str]) -> list[float]:
    """For each message, its highest cosine to a training example over folded character 2-4-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from knowledge_base.text import fold

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), preprocessor=fold).fit(messages + training)
    similarity = vectorizer.transform(messages) @ vectorizer.transform(training).T
    return [float(v) for v in similarity.max(axis=1).toarray().ravel()]


def novel_accuracy(messages: list[str], training: list[str], wrong: set[str]) -> tuple[int, int]:
    """(right, all) over the messages that are no paraphrase of a training example."""
    novel = [
        m for m, s in zip(messages, nearest_training_similarity(messages, training), strict=True) if s < PARAPHRASE
    ]
    return sum(1 for m in novel if m not in wrong), len(novel)


def rasa_test_nlu(
    intents: dict[str, list[str]], nlu: Path, arguments: list[str], out: Path, seed: int = SEED
) -> dict[str, Any]:
    """Write ``intents`` to ``nlu`` and run ``rasa test nlu`` on it in the Rasa environment; its intent report.

    ``seed`` fixes the cross-validation folds, so two runs on the same data split it alike.

    Rasa reads the project's ``data/`` instead when the ``--nlu`` path is missing, and a
    model scored on its own training data looks perfect: the report must count every
    example written.
    """
    write_nlu(intents, nlu)
    expected = sum(len(texts) for texts in intents.values())
    rasa = [str(RASA_PYTHON), "-c", SEEDED_RASA, str(seed)]
    done = subprocess.run(
        [*rasa, "test", "nlu", "--nlu", str(nlu), *arguments, "--out", str(out), "--no-plot"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**rasa_environment(), "PYTHONWARNINGS": "ignore"},
    )
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).splitlines()[-20:])
        raise SystemExit(f"rasa test nlu {' '.join(arguments)} failed (exit {done.returncode}):\n{tail}")
    report: dict[str, Any] = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    scored = int(report["weighted avg"]["support"])
    if scored != expected:
        raise SystemExit(f"rasa test nlu scored {scored} examples, not the {expected} of {nlu}")
    return report


def score_held_out(intents: dict[str, list[str]], nlu: Path, out: Path) -> HeldOut:
    """The trained model's intent F1 and mistakes on messages it never saw."""
    report = rasa_test_nlu(intents, nlu, ["--model", str(MODEL)], out)
    errors_file = out / "intent_errors.json"
    errors = json.loads(errors_file.read_text(encoding="utf-8")) if errors_file.exists() else []
    return HeldOut(
        weighted_f1=report["weighted avg"]["f1-score"],
        accuracy=report["accuracy"],
        examples=int(report["weighted avg"]["support"]),
        errors=[
            (e["text"], e["intent"], e["intent_prediction"]["name"], round(e["intent_prediction"]["confidence"], 2))
            for e in errors
        ],
    )


def cross_validate(
    intents: dict[str, list[str]], nlu: Path, out: Path, folds: int, seed: int = SEED
) -> CrossValidation:
    started = time.perf_counter()
    arguments = ["--config", "config.yml", "--cross-validation", "--folds", str(folds)]
    report = rasa_test_nlu(intents, nlu, arguments, out, seed)
    per_intent = {k: v for k, v in report.items() if isinstance(v, dict) and "support" in v and "avg" not in k}
    worst = sorted(per_intent.items(), key=lambda item: item[1]["f1-score"])[:3]
    return CrossValidation(
        weighted_f1=report["weighted avg"]["f1-score"],
        macro_f1=report["macro avg"]["f1-score"],
        examples=sum(int(v["support"]) for v in per_intent.values()),
        intents=len(per_intent),
        worst=[(name, round(v["f1-score"], 3)) for name, v in worst],
        minutes=round((time.perf_counter() - started) / 60, 1),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the folds (default {SEED})")
    parser.add_argument("--held-out-only", action="store_true", help="skip cross-validation (about a minute)")
    args = parser.parse_args()
    if not MODEL.exists():
        parser.error(f"{MODEL.relative_to(PROJECT_ROOT)} is missing: run `make model` first")
    split = examples_by_language(PROJECT_ROOT / "data")
    held_out_split = examples_by_language(HELD_OUT)
    rows = []
    held_out = []
    novel = {}
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        for language in LANGUAGES:
            if not args.held_out_only:
                nlu = Path(tmp) / f"{language}.yml"
                result = cross_validate(split[language], nlu, Path(tmp) / f"{language}-results", args.folds, args.seed)
                print(f"# {language}: {json.dumps(asdict(result))}", file=sys.stderr)
                rows.append((language, result))
            nlu = Path(tmp) / f"{language}-held-out.yml"
            scored = score_held_out(held_out_split[language], nlu, Path(tmp) / f"{language}-held-out-results")
            held_out.append((language, scored))
            messages = [text for texts in held_out_split[language].values() for text in texts]
            training = [text for texts in split[language].values() for text in texts]
            novel[language] = novel_accuracy(messages, training, {text for text, *_ in scored.errors})
    if rows:
        header = f"intent F1, weighted ({args.folds}-fold CV)"
        print(f"| language | examples | intents | {header} | macro | lowest intents |")
        print("|---|---|---|---|---|---|")
        for language, r in rows:
            worst = ", ".join(f"{name} {f1}" for name, f1 in r.worst)
            print(f"| {language} | {r.examples} | {r.intents} | {r.weighted_f1:.3f} | {r.macro_f1:.3f} | {worst} |")
        print()
    print(
        "| language | held-out messages | intent F1, weighted (trained model) | accuracy "
        f"| right, of those no paraphrase of an example (cosine < {PARAPHRASE}) |"
    )
    print("|---|---|---|---|---|")
    for language, h in held_out:
        right, total = novel[language]
        print(f"| {language} | {h.examples} | {h.weighted_f1:.3f} | {h.accuracy:.3f} | {right} of {total} |")
    for language, h in held_out:
        for text, intent, predicted, confidence in h.errors:
            print(f"# {language} held out: {text!r} is {intent}, read as {predicted} ({confidence})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
