"""Turn the public intent datasets in ../shared/data into knowledge bases.

Each intent becomes one article whose example ``questions`` are the intent's
training utterances; the test utterances are the visitors' questions. Nothing
here is copied into the repository: the files are read at benchmark time.

- BANKING77 (Casanueva et al. 2020), CC BY 4.0
- CLINC150 (Larson et al. 2019), CC BY 3.0
- xSID (van der Goot et al. 2021), CC BY-SA 4.0
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge_base.articles import Article

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

Query = tuple[str, str | None]  # (text, expected article id or None for out of scope)


@dataclass
class Benchmark:
    name: str
    language: str
    articles: list[Article]
    test: list[Query]
    validation: list[Query] = field(default_factory=list)


def article_id(intent: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", intent.lower()).strip("-")


def articles_from(examples: Iterable[tuple[str, str]], language: str) -> list[Article]:
    """One article per intent; its utterances are the example questions."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent in examples:
        by_intent[intent].append(text)
    articles = []
    for intent, texts in sorted(by_intent.items()):
        title = intent.replace("_", " ").replace("/", ": ")
        articles.append(
            Article(id=article_id(intent), title=title, language=language, body=title, questions=tuple(texts))
        )
    return articles


def banking77(data: Path = DEFAULT_DATA) -> Benchmark:
    def rows(name: str) -> list[tuple[str, str]]:
        with (data / "banking77" / name).open(encoding="utf-8") as fh:
            return [(r["text"], r["category"]) for r in csv.DictReader(fh)]

    test: list[Query] = [(text, article_id(intent)) for text, intent in rows("test.csv")]
    return Benchmark("BANKING77", "en", articles_from(rows("train.csv"), "en"), test)


def clinc150(data: Path = DEFAULT_DATA) -> Benchmark:
    raw = json.loads((data / "clinc150" / "data_full.json").read_text(encoding="utf-8"))

    def queries(in_scope: str, out_of_scope: str) -> list[Query]:
        return [(t, article_id(i)) for t, i in raw[in_scope]] + [(t, None) for t, _ in raw[out_of_scope]]

    return Benchmark(
        "CLINC150",
        "en",
        articles_from(raw["train"], "en"),
        test=queries("test", "oos_test"),
        validation=queries("val", "oos_val"),
    )


def read_conll(path: Path, text_key: str = "text") -> list[tuple[str, str]]:
    """``(text, intent)`` of every sentence block of an xSID file."""
    examples, text, intent = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"# {text_key} = "):
            text = line.split(" = ", 1)[1]
        elif line.startswith("# intent = "):
            intent = line.split(" = ", 1)[1]
        elif not line.strip():
            if text and intent:
                examples.append((text, intent))
            text, intent = None, None
    if text and intent:
        examples.append((text, intent))
    return examples


def xsid(language: str = "tr", data: Path = DEFAULT_DATA) -> Benchmark:
    examples = read_conll(data / "xsid" / f"{language}.valid.conll")
    test: list[Query] = [(t, article_id(i)) for t, i in read_conll(data / "xsid" / f"{language}.test.conll")]
    return Benchmark(f"xSID {language}", language, articles_from(examples, language), test)
