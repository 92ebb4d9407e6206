"""Shared by the benchmark tests."""

import re

from knowledge_base.text import fold


def normalised(text: str) -> str:
    """Case, Turkish letters and punctuation removed: a text typed differently is still the same.

    A text of punctuation or emoji alone is compared as typed.
    """
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split()) or text.strip()
