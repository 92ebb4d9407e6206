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


# A salutation before the question ("Merhaba, ...", "hi there, ...", "iyi günler, ...") says
# nothing of its topic, but it moves the question's embedding and words away from every
# article's: "merhaba, iade yapmak istiyorum" scored 0.61 (handed off) where "iade yapmak
# istiyorum" scored 0.85 (answered). Only salutations are taken off, not "how are you" or
# "nasıl", which start questions too.
_SALUTATION = re.compile(
    r"^(?:[\s,.!;:-]*(?:merhaba(?:lar)?|mrb|selam(?:lar|[uü]n ?aleyk[uü]m)?|slm|g[uü]nayd[ıi]n|t[uü]nayd[ıi]n|"
    r"iyi (?:g[uü]nler|ak[sş]amlar|sabahlar|[cç]al[ıi][sş]malar)|kolay gelsin|hey|hi|hello|hiya|heya|howdy|"
    r"good (?:morning|afternoon|evening|day)|greetings)(?: there| everyone| all| team| efendim)?\b)+[\s,.!;:-]*"
)


# An order, tracking or ticket number ("KM-48213", "TR1234567") names one order, not a topic:
# a token with both letters and digits. In "where is my order KM-12345?" its "KM" matched the
# paragraph that mentions order numbers starting with "KM-" (for guests), which was shown alone.
_IDENTIFIER = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[\w-]+")


def without_identifiers(text: str) -> str:
    """The text without order, tracking or ticket numbers; the text itself when nothing else is left."""
    rest = " ".join(_IDENTIFIER.sub(" ", text).split())
    return rest if any(ch.isalnum() for ch in rest) else text


def without_salutation(text: str) -> str:
    """The text without the salutations it starts with; the text itself when nothing else is left."""
    found = _SALUTATION.match(text.replace("İ", "i").lower())
    rest = text[found.end() :] if found else text
    return rest if any(ch.isalnum() for ch in rest) else text
