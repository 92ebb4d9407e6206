"""The command line as users run it: a real subprocess, the fake embedder via --model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge_base.articles import RECOMMENDED_QUESTIONS, read_article
from tests.conftest import ARTICLES, MALFORMED, PROJECT_ROOT, SAMPLE_ARTICLES

pytestmark = pytest.mark.unit


def kb_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "knowledge_base", "--data-dir", str(tmp_path / "kb"), "--model", "hashing"]
    return subprocess.run([*command, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_import_then_search_json(tmp_path: Path) -> None:
    imported = kb_cli(tmp_path, "import", str(ARTICLES))
    assert imported.returncode == 0, imported.stderr
    assert "6 added" in imported.stdout
    found = kb_cli(tmp_path, "search", "What is the return period?", "--json")
    data = json.loads(found.stdout)
    assert data["candidates"][0]["id"] == "return-window"
    assert data["decision"] in ("answer", "clarify", "handoff") and data["reason"]


def test_import_names_the_articles_with_few_example_questions(tmp_path: Path) -> None:
    folder = tmp_path / "thin"
    shutil.copytree(ARTICLES, folder)
    imported = kb_cli(tmp_path, "import", str(folder))
    assert imported.returncode == 0, imported.stderr  # advice, not an error
    counts = {a.id: len(a.questions) for a in (read_article(p) for p in folder.glob("*.md"))}
    assert all(n < RECOMMENDED_QUESTIONS for n in counts.values())
    assert f"note: {len(counts)} articles have fewer than {RECOMMENDED_QUESTIONS}" in imported.stderr
    for article_id, n in counts.items():
        assert f"{article_id} ({n})" in imported.stderr
    listed = kb_cli(tmp_path, "list").stdout.splitlines()
    row = next(line for line in listed if " return-window " in line)
    assert f"{counts['return-window']} questions (few)" in row


def test_the_note_about_one_thin_article_speaks_of_one(tmp_path: Path) -> None:
    folder = tmp_path / "one-thin"
    shutil.copytree(SAMPLE_ARTICLES, folder)
    thin = folder / "single-question.md"
    thin.write_text(
        "---\nid: single-question\ntitle: Gift wrapping\nlanguage: en\nquestions:\n  - Do you gift wrap?\n---\n"
        "Every order can be gift wrapped for a small fee.\n",
        encoding="utf-8",
    )
    imported = kb_cli(tmp_path, "import", str(folder))
    assert imported.returncode == 0, imported.stderr
    assert f"note: 1 article has fewer than {RECOMMENDED_QUESTIONS} example questions" in imported.stderr
    assert "visitor questions about it will be answered" in imported.stderr
    assert "single-question (1)" in imported.stderr


def test_import_of_well_furnished_articles_adds_no_note(tmp_path: Path) -> None:
    imported = kb_cli(tmp_path, "import", str(SAMPLE_ARTICLES))
    assert imported.returncode == 0, imported.stderr
    articles = len(list(SAMPLE_ARTICLES.glob("*/*.md")))
    assert f"{articles} added" in imported.stdout and "note:" not in imported.stderr
    assert "(few)" not in kb_cli(tmp_path, "list").stdout


def test_import_names_malformed_files_and_loads_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(ARTICLES, folder)
    shutil.copy(MALFORMED / "bad-yaml.md", folder)
    shutil.copy(MALFORMED / "not-utf8.md", folder)
    result = kb_cli(tmp_path, "import", str(folder))
    assert result.returncode == 1
    assert "bad-yaml.md: invalid YAML" in result.stderr
    assert "not-utf8.md: not UTF-8" in result.stderr
    assert "6 added" in result.stdout and "2 malformed" in result.stdout
    listed = kb_cli(tmp_path, "list").stdout
    assert "return-window" in listed and "kargo-ucreti" in listed


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """`kb list | head`: the pipe closes before the listing is written."""
    assert kb_cli(tmp_path, "import", str(ARTICLES)).returncode == 0
    command = [sys.executable, "-m", "knowledge_base", "--data-dir", str(tmp_path / "kb"), "--model", "hashing", "list"]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the command has printed anything
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_import_of_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = kb_cli(tmp_path, "import", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "is not a folder" in result.stderr


def test_empty_search_is_a_clear_error(tmp_path: Path) -> None:
    result = kb_cli(tmp_path, "search", "  ")
    assert result.returncode == 2
    assert "query must not be empty" in result.stderr


def test_eval_prints_a_summary_and_writes_details(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    rows = [
        {"q": "What is the return period?", "expect": "return-window"},
        {"q": "Şifremi unuttum", "expect": "sifre-sifirlama"},
        {"q": "Who won the football match?", "expect": None},
    ]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "details.jsonl"
    result = kb_cli(tmp_path, "eval", str(ARTICLES), str(questions), "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert set(summary) >= {
        "answered_correct",
        "handoff_recall",
        "wrong_answer_rate",
        "answered_or_right_choice_offered",
        "counts",
    }
    assert summary["counts"]["questions"] == 3
    details = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["q"] for d in details] == [r["q"] for r in rows]
    assert set(details[0]) == {"q", "expect", "decision", "top_id", "score", "options"}
    assert not (tmp_path / "kb").exists(), "eval must not touch the live knowledge base"


def test_eval_rejects_a_malformed_question_file(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"q": "fine", "expect": null}\nnot json\n', encoding="utf-8")
    result = kb_cli(tmp_path, "eval", str(ARTICLES), str(questions))
    assert result.returncode == 2
    assert "q.jsonl:2" in result.stderr


def test_train_with_a_model_that_cannot_be_trained_is_a_clear_error(tmp_path: Path) -> None:
    kb_cli(tmp_path, "import", str(ARTICLES))
    result = kb_cli(tmp_path, "train")
    assert result.returncode == 2
    assert "error: training needs a sentence-transformers model" in result.stderr
    bad = kb_cli(tmp_path, "train", "--epochs", "0")
    assert bad.returncode == 2 and "--epochs must be at least 1" in bad.stderr


def test_train_reset_keeps_the_base_model(tmp_path: Path) -> None:
    kb_cli(tmp_path, "import", str(ARTICLES))
    result = kb_cli(tmp_path, "train", "--reset")
    assert result.returncode == 0, result.stderr
    assert "using the base model hashing:256" in result.stdout
    found = json.loads(kb_cli(tmp_path, "search", "What is the return period?", "--json").stdout)
    assert found["model"] == "hashing:256"
