"""Exceptions of the knowledge base, each carrying its HTTP meaning."""

from __future__ import annotations


class KnowledgeBaseError(Exception):
    """Base class. ``status_code`` is what an HTTP API should answer."""

    status_code = 500
    code = "knowledge_base_error"


class ArticleFormatError(KnowledgeBaseError):
    """An article file or payload is malformed."""

    status_code = 422
    code = "invalid_article"

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class ArticleNotFound(KnowledgeBaseError):
    status_code = 404
    code = "article_not_found"


class InvalidQuery(KnowledgeBaseError):
    status_code = 400
    code = "invalid_query"


class StoreChanged(KnowledgeBaseError):
    """The store moved on (another model, another generation) since the caller read it: re-read and retry."""

    status_code = 409
    code = "store_changed"
