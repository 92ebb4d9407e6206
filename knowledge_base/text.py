"""Text normalisation that treats Turkish as a first-class language.

The offline default embedding model is English-only. Its tokenizer strips most
accents but keeps the dotless ``ı``, and visitors often type Turkish without
Turkish letters. Folding both the articles and the queries to one ASCII form
makes "iade süresi", "iade suresi" and "İADE SÜRESİ" the same text.
"""

from __future__ import annotations

import re
import unicodedata

_TURKISH_FOLD = str.maketrans(
    {
        "ç": "c",
        "ğ": "g",
        "ı": "i",
        "ö": "o",
        "ş": "s",
        "ü": "u",
        "â": "a",
        "î": "i",
        "û": "u",
    }
)
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")


def turkish_lower(text: str) -> str:
    """Lower-case with Turkish rules for I/İ (``I`` -> ``ı``, ``İ`` -> ``i``)."""
    return text.replace("I", "ı").replace("İ", "i").lower()


def fold(text: str) -> str:
    """Lower-case, fold Turkish letters to ASCII and collapse white space."""
    text = unicodedata.normalize("NFC", text)
    text = turkish_lower(text).translate(_TURKISH_FOLD)
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """ASCII word tokens of the folded text."""
    return _WORD.findall(fold(text))
