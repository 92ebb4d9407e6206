"""Knowledge articles and their Markdown file format.

An article file is Markdown with YAML front matter::

    ---
    id: iade-kosullari
    title: İade koşulları
    language: tr
    tags: [iade, sipariş]
    questions:
      - Ürünü nasıl iade ederim?
    ---
    Body in Markdown.

This format is a public interface: fields may be added, never renamed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.errors import ArticleFormatError

SUPPORTED_LANGUAGES = ("tr", "en")
ARTICLE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
MAX_ARTICLE_BYTES = 256 * 1024
# An article with fewer example questions is answered far less often: on the sample help
# center, 8, 12, 16 and 20 per article got 41%, 48%, 56% and 58% of the Turkish visitor
# questions answered correctly, and about 40 got 76 to 78% (README, "How many example questions?").
# Importing one says so, and `kb list` shows each article's number.
RECOMMENDED_QUESTIONS = 20
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.S)


@dataclass(frozen=True)
class Article:
    """One knowledge article as support staff write it."""

    id: str
    title: str
    language: str
    body: str
    questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def content_hash(self) -> str:
        """A stable hash of everything that affects search, used to skip re-embedding."""
        payload = json.dumps(
            [self.id, self.title, self.language, self.body, list(self.questions), list(self.tags)],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def summary(self) -> str:
        """The first paragraph of the body that is not a heading: the answer shown when there is no question."""
        answers = self.answer_paragraphs()
        return self.paragraphs()[answers[0]] if answers else self.body.strip()

    def _blocks(self) -> list[str]:
        return [b for b in (b.strip() for b in re.split(r"\n\s*\n", self.body)) if b]

    def paragraphs(self) -> list[str]:
        """Body split into non-empty paragraphs (the article's searchable chunks), headings without their '#'."""
        return [re.sub(r"^#+\s*", "", b) for b in self._blocks()]

    def answer_paragraphs(self) -> list[int]:
        """Which of :meth:`paragraphs` may be shown as an answer: all but the headings."""
        return [i for i, block in enumerate(self._blocks()) if not block.startswith("#")]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["questions"] = list(self.questions)
        data["tags"] = list(self.tags)
        return data


def _string_list(value: Any, name: str, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ArticleFormatError(source, f"'{name}' must be a list of strings")
    return tuple(str(v).strip() for v in value if str(v).strip())


def article_from_mapping(data: dict[str, Any], body: str, source: str) -> Article:
    """Validate front-matter fields and build an :class:`Article`."""
    missing = [k for k in ("id", "title", "language") if not data.get(k)]
    if missing:
        raise ArticleFormatError(source, f"missing required field(s): {', '.join(missing)}")
    article_id = str(data["id"]).strip()
    if not ARTICLE_ID_PATTERN.match(article_id):
        raise ArticleFormatError(source, f"id must be lowercase letters, digits and hyphens, got {article_id!r}")
    language = str(data["language"]).strip().lower()
    if language not in SUPPORTED_LANGUAGES:
        raise ArticleFormatError(source, f"language must be one of {', '.join(SUPPORTED_LANGUAGES)}, got {language!r}")
    if not body.strip():
        raise ArticleFormatError(source, "the article body is empty")
    known = {"id", "title", "language", "tags", "questions"}
    return Article(
        id=article_id,
        title=str(data["title"]).strip(),
        language=language,
        body=body.strip(),
        questions=_string_list(data.get("questions"), "questions", source),
        tags=_string_list(data.get("tags"), "tags", source),
        extra={k: v for k, v in data.items() if k not in known},
    )


def parse_article(text: str, source: str = "<text>") -> Article:
    """Parse one article file's text. Raises :class:`ArticleFormatError` naming the problem."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        raise ArticleFormatError(source, "no YAML front matter: the file must start with '---'")
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ArticleFormatError(source, f"invalid YAML front matter: {exc}") from exc
    if not isinstance(data, dict):
        raise ArticleFormatError(source, "front matter must be a mapping of fields")
    return article_from_mapping(data, match.group(2), source)


def render_article(article: Article) -> str:
    """The article as a file in the documented format (``parse_article`` reads it back unchanged)."""
    fields: dict[str, Any] = {"id": article.id, "title": article.title, "language": article.language}
    if article.tags:
        fields["tags"] = list(article.tags)
    if article.questions:
        fields["questions"] = list(article.questions)
    fields.update(article.extra)
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n{article.body.strip()}\n"


def read_article(path: Path) -> Article:
    """Read and parse one article file."""
    source = str(path)
    raw = path.read_bytes()
    if len(raw) > MAX_ARTICLE_BYTES:
        raise ArticleFormatError(source, f"file is {len(raw)} bytes, the limit is {MAX_ARTICLE_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleFormatError(source, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return parse_article(text, source)


@dataclass
class LoadReport:
    """What :func:`load_directory` found: good articles and per-file errors."""

    articles: list[Article] = field(default_factory=list)
    errors: list[ArticleFormatError] = field(default_factory=list)


def iter_article_files(directory: Path) -> Iterator[Path]:
    """Every ``*.md`` file below ``directory`` except README files, in a stable order."""
    for path in sorted(directory.rglob("*.md")):
        if path.name.lower() != "readme.md" and path.is_file():
            yield path


def load_directory(directory: Path) -> LoadReport:
    """Load every article below ``directory``; malformed files are reported, not fatal."""
    report = LoadReport()
    seen: dict[str, Path] = {}
    for path in iter_article_files(directory):
        try:
            article = read_article(path)
        except ArticleFormatError as exc:
            report.errors.append(exc)
            continue
        if article.id in seen:
            report.errors.append(
                ArticleFormatError(str(path), f"duplicate id {article.id!r}, also in {seen[article.id]}")
            )
            continue
        seen[article.id] = path
        report.articles.append(article)
    return report
