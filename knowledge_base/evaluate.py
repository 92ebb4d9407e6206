"""``eval``: ask a labelled question set against a throw-away knowledge base.

Thresholds come from the same automatic calibration the product uses; the
expected labels are only read *after* each decision, to score it.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from knowledge_base.embedders import Embedder
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.kb import KnowledgeBase


class QuestionFileError(KnowledgeBaseError):
    status_code = 422
    code = "invalid_question_file"


def read_questions(path: Path) -> Iterator[tuple[str, str | None]]:
    """Yield ``(question, expected article id or None)`` from a JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                question, expect = row["q"], row["expect"]
            except (ValueError, KeyError, TypeError) as exc:
                raise QuestionFileError(f'{path}:{number}: expected {{"q": ..., "expect": ...}}') from exc
            if not isinstance(question, str) or not (expect is None or isinstance(expect, str)):
                raise QuestionFileError(f"{path}:{number}: 'q' must be a string and 'expect' a string or null")
            yield question, expect


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["expect"] is not None]
    uncovered = [r for r in rows if r["expect"] is None]
    correct = sum(1 for r in answerable if r["decision"] == "answer" and r["top_id"] == r["expect"])
    handed_off = sum(1 for r in uncovered if r["decision"] == "handoff")
    wrong = sum(1 for r in rows if r["decision"] == "answer" and r["top_id"] != r["expect"])
    # asked to choose, with the right article among the choices: one click from the answer
    chose = sum(1 for r in answerable if r["decision"] == "clarify" and r["expect"] in r.get("options", ()))

    def share(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    return {
        "answered_correct": share(correct, len(answerable)),
        "handoff_recall": share(handed_off, len(uncovered)),
        "wrong_answer_rate": share(wrong, len(rows)),
        "answered_or_right_choice_offered": share(correct + chose, len(answerable)),
        "counts": {
            "questions": len(rows),
            "answerable": len(answerable),
            "not_covered": len(uncovered),
            "correct_answers": correct,
            "wrong_answers": wrong,
            "handed_off_not_covered": handed_off,
            "right_article_among_choices": chose,
            "not_covered_offered_choices": sum(1 for r in uncovered if r["decision"] == "clarify"),
            "decisions": dict(Counter(r["decision"] for r in rows)),
        },
    }


def evaluate(articles_dir: Path, questions: Path, embedder: Embedder, details: TextIO | None = None) -> dict[str, Any]:
    """Build a temporary knowledge base from ``articles_dir`` and score ``questions``."""
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        kb = KnowledgeBase.open(Path(tmp), embedder)
        try:
            report = kb.import_directory(articles_dir)
            rows = []
            for question, expect in read_questions(questions):
                result = kb.search(question)
                top = result.candidates[0] if result.candidates else None
                row = {
                    "q": question,
                    "expect": expect,
                    "decision": result.decision,
                    "top_id": top.id if top else None,
                    "score": round(top.score, 4) if top else None,
                    "options": [o.id for o in result.options] if result.decision == "clarify" else [],
                }
                rows.append(row)
                if details is not None:
                    details.write(json.dumps(row, ensure_ascii=False) + "\n")
            summary = summarise(rows)
            summary["thresholds"] = kb.thresholds().to_dict()
            summary["article_errors"] = [{"file": e.source, "reason": e.reason} for e in report.errors]
            return summary
        finally:
            kb.close()
