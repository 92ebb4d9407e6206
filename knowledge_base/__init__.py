"""Knowledge base: articles, embeddings, a FAISS index and the answer/clarify/handoff decision."""

from knowledge_base.articles import Article, parse_article
from knowledge_base.errors import ArticleFormatError, ArticleNotFound, InvalidQuery, KnowledgeBaseError

__all__ = [
    "Article",
    "ArticleFormatError",
    "ArticleNotFound",
    "InvalidQuery",
    "KnowledgeBaseError",
    "parse_article",
]
