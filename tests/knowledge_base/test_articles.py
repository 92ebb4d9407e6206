from pathlib import Path

import pytest

from knowledge_base.articles import Article, load_directory, parse_article, read_article, render_article
from knowledge_base.errors import ArticleFormatError
from tests.conftest import ARTICLES, MALFORMED, SAMPLE_ARTICLES

pytestmark = pytest.mark.unit

GOOD = """---
id: iade-kosullari
title: İade koşulları
language: tr
tags: [iade, sipariş]
questions:
  - Ürünü nasıl iade ederim?
  - İade süresi kaç gün?
---
İlk paragraf yanıttır.

İkinci paragraf ayrıntıdır.
"""


def test_parse_reads_every_documented_field() -> None:
    article = parse_article(GOOD)
    assert article.id == "iade-kosullari"
    assert article.title == "İade koşulları"
    assert article.language == "tr"
    assert article.tags == ("iade", "sipariş")
    assert article.questions == ("Ürünü nasıl iade ederim?", "İade süresi kaç gün?")
    assert article.summary == "İlk paragraf yanıttır."
    assert article.paragraphs() == ["İlk paragraf yanıttır.", "İkinci paragraf ayrıntıdır."]


def test_headings_are_searchable_but_never_the_answer() -> None:
    article = parse_article(GOOD.replace("İlk paragraf yanıttır.", "## Nasıl iade edilir\n\nİlk paragraf yanıttır."))
    assert article.paragraphs() == ["Nasıl iade edilir", "İlk paragraf yanıttır.", "İkinci paragraf ayrıntıdır."]
    assert article.answer_paragraphs() == [1, 2]
    assert article.summary == "İlk paragraf yanıttır."


def test_unknown_front_matter_fields_are_kept_not_rejected() -> None:
    article = parse_article(GOOD.replace("language: tr", "language: tr\nowner: ayse"))
    assert article.extra == {"owner": "ayse"}


def test_content_hash_changes_with_content_only() -> None:
    a, b = parse_article(GOOD), parse_article(GOOD)
    assert a.content_hash == b.content_hash
    assert parse_article(GOOD.replace("İlk", "Ilk")).content_hash != a.content_hash


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bad-yaml.md", "invalid YAML"),
        ("no-front-matter.md", "no YAML front matter"),
        ("bad-id.md", "id must be lowercase"),
        ("bad-language.md", "language must be one of"),
        ("empty-body.md", "body is empty"),
        ("not-utf8.md", "not UTF-8"),
    ],
)
def test_malformed_files_name_the_file_and_the_reason(name: str, reason: str) -> None:
    with pytest.raises(ArticleFormatError) as info:
        read_article(MALFORMED / name)
    assert name in str(info.value)
    assert reason in info.value.reason


def test_load_directory_reports_bad_files_and_keeps_the_good_ones(tmp_path: Path) -> None:
    for source in [*ARTICLES.iterdir(), *MALFORMED.iterdir()]:
        (tmp_path / source.name).write_bytes(source.read_bytes())
    report = load_directory(tmp_path)
    assert sorted(a.id for a in report.articles) == sorted(p.stem for p in ARTICLES.iterdir())
    failed = {Path(e.source).name for e in report.errors}
    # Of two files with one id, the first in path order loads and the other is reported.
    assert failed == {p.name for p in MALFORMED.iterdir()} - {"duplicate-id.md"} | {"shipping-cost.md"}
    duplicate = next(e for e in report.errors if e.source.endswith("shipping-cost.md"))
    assert "duplicate id 'shipping-cost'" in duplicate.reason
    assert "duplicate-id.md" in duplicate.reason


def test_sample_help_center_is_valid_and_bilingual() -> None:
    report = load_directory(SAMPLE_ARTICLES)
    assert report.errors == []
    by_language = {lang: [a for a in report.articles if a.language == lang] for lang in ("tr", "en")}
    assert len(by_language["tr"]) >= 20
    assert len(by_language["en"]) >= 20
    for article in report.articles:
        assert article.questions, f"{article.id} has no example questions"
        assert (SAMPLE_ARTICLES / article.language / f"{article.id}.md").exists()


def test_an_article_renders_to_a_file_that_parses_back_the_same() -> None:
    article = Article(
        id="hediye-paketi",
        title="Hediye paketi: ücretli mi?",
        language="tr",
        body="Evet, 25 TL.\n\nPaket notunu siparişte yazabilirsiniz.",
        questions=("hediye paketi yapıyor musunuz?", "Paket: ne kadar?"),
        tags=("sipariş",),
        extra={"source_ticket": 7},
    )
    again = parse_article(render_article(article))
    assert again == article and again.extra == {"source_ticket": 7}
