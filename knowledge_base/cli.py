"""Command line of the knowledge base (a public interface: keep it stable).

python -m knowledge_base import DIR [--prune]
python -m knowledge_base search "text" [--language tr|en] [--json]
python -m knowledge_base list
python -m knowledge_base train [--epochs N] [--if-changed] [--reset]
python -m knowledge_base eval ARTICLES_DIR QUESTIONS.jsonl [--out DETAILS.jsonl]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.settings import Settings, load_settings
from knowledge_base.articles import RECOMMENDED_QUESTIONS
from knowledge_base.embedders import create_embedder
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.evaluate import evaluate
from knowledge_base.kb import KnowledgeBase
from knowledge_base.training import TrainingOptions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Manage and query the knowledge base.")
    parser.add_argument("--data-dir", type=Path, help="knowledge base folder (default: setting KB_DIR)")
    parser.add_argument("--model", help="embedding model name or path (default: setting EMBEDDING_MODEL)")
    sub = parser.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="load a folder of article files into the store and index")
    imp.add_argument("directory", type=Path, nargs="?", help="default: setting ARTICLES_DIR")
    imp.add_argument("--prune", action="store_true", help="delete stored articles missing from the folder")

    search = sub.add_parser("search", help="decision plus the top candidates for a question")
    search.add_argument("text")
    search.add_argument("--language", choices=["tr", "en"], help="default: detected from the text")
    search.add_argument("--top-k", type=int, default=5)
    search.add_argument("--json", action="store_true", help="print the full explanation as JSON")

    sub.add_parser("list", help="list stored articles")

    train = sub.add_parser("train", help="fine-tune the embedding model on the articles (CPU, minutes)")
    train.add_argument("--epochs", type=int, default=TrainingOptions.epochs, help="passes over the questions")
    train.add_argument("--if-changed", action="store_true", help="do nothing if the articles did not change")
    train.add_argument("--reset", action="store_true", help="go back to the base model instead")

    ev = sub.add_parser("eval", help="score a labelled question set against a temporary knowledge base")
    ev.add_argument("articles_dir", type=Path)
    ev.add_argument("questions", type=Path)
    ev.add_argument("--out", type=Path, help="write one JSON line per question here")
    return parser


def _open(settings: Settings, args: argparse.Namespace) -> KnowledgeBase:
    return KnowledgeBase.open(args.data_dir or settings.kb_dir, create_embedder(args.model or settings.embedding_model))


def _cmd_import(kb: KnowledgeBase, args: argparse.Namespace) -> int:
    args.directory = args.directory or load_settings().articles_dir
    if not args.directory.is_dir():
        print(f"error: {args.directory} is not a folder", file=sys.stderr)
        return 2
    report = kb.import_directory(args.directory, prune=args.prune)
    for error in report.errors:
        print(f"skipped {error.source}: {error.reason}", file=sys.stderr)
    print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(report.errors)} malformed"
    )
    if report.few_questions:
        named = ", ".join(f"{aid} ({n})" for aid, n in report.few_questions)
        few = len(report.few_questions)
        articles_have, them = ("article has", "it") if few == 1 else ("articles have", "them")
        print(
            f"note: {few} {articles_have} fewer than {RECOMMENDED_QUESTIONS} example questions, so fewer visitor "
            f"questions about {them} will be answered; aim for 30 to 40 each, in visitors' own words "
            f"(README, 'How many example questions?'): {named}",
            file=sys.stderr,
        )
    return 1 if report.errors else 0


def _cmd_search(kb: KnowledgeBase, args: argparse.Namespace) -> int:
    result = kb.search(args.text, language=args.language, top_k=args.top_k)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"decision: {result.decision} ({result.reason})")
    for c in result.candidates:
        print(f"  {c.score:.3f}  {c.id:<32} {c.title}")
    return 0


def _cmd_list(kb: KnowledgeBase, args: argparse.Namespace) -> int:
    for article in kb.articles():
        count = len(article.questions)
        few = " (few)" if count < RECOMMENDED_QUESTIONS else ""
        print(f"{article.language}  {article.id:<32} {count:>3} questions{few:<6}  {article.title}")
    return 0


def _cmd_train(kb: KnowledgeBase, args: argparse.Namespace) -> int:
    if args.reset:
        kb.reset_model()
        print(f"using the base model {kb.embedder.name}")
        return 0
    if args.epochs < 1:
        print("error: --epochs must be at least 1", file=sys.stderr)
        return 2
    manifest = kb.train(TrainingOptions(epochs=args.epochs), if_changed=args.if_changed)
    if manifest is None:
        print(f"articles unchanged since the last training; still using {kb.embedder.name}")
        return 0
    thresholds = kb.thresholds()
    print(
        f"trained {manifest.id} on {manifest.articles} articles ({manifest.steps} steps, {manifest.seconds:.0f} s); "
        f"answer threshold {thresholds.answer:.3f} ({thresholds.source})"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    try:
        if args.command == "eval":
            embedder = create_embedder(args.model or settings.embedding_model)
            out = args.out.open("w", encoding="utf-8") if args.out else None
            try:
                summary = evaluate(args.articles_dir, args.questions, embedder, details=out)
            finally:
                if out:
                    out.close()
            print(json.dumps(summary, ensure_ascii=False, indent=2))
            return 0
        kb = _open(settings, args)
        try:
            handlers = {"import": _cmd_import, "search": _cmd_search, "list": _cmd_list, "train": _cmd_train}
            handler = handlers[args.command]
            return handler(kb, args)
        finally:
            kb.close()
    except KnowledgeBaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away early (`kb list | head`): stop quietly. Point stdout at
        # /dev/null so that the interpreter's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
