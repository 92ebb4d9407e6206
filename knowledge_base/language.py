"""A small offline language guesser for Turkish and English.

It looks at Turkish letters and at frequent function words and suffixes.
It answers ``None`` when a message carries no evidence either way (e.g. "ok").
"""

from __future__ import annotations

import re

from knowledge_base.text import turkish_lower, words

_TURKISH_LETTERS = re.compile(r"[çğışöüÇĞİŞÖÜ]")
_TR_WORDS = frozenset(
    """
    ve bir bu da de mi mu mı mü ne nasil neden icin ile ben sen biz siz var yok
    olarak gibi daha cok en ama veya ya hangi kac nerede zaman sonra once merhaba
    selam tesekkurler tesekkur ederim lutfen evet hayir istiyorum yapabilirim
    yapilir olur misiniz miyim musunuz siparis iade kargo odeme hesap sifre urun
    ucret fatura teslimat iptal degisim garanti yarin bugun hava neler nedir
    """.split()
)
_EN_WORDS = frozenset(
    """
    the a an and or is are was were be do does did can could would should will
    how what when where why which who my your i you we it to of in on for with
    from this that please thanks thank hello hi yes no not order refund return
    delivery shipping payment account password invoice cancel warranty tomorrow
    weather help
    """.split()
)
_TR_SUFFIXES = ("mi", "mu", "lar", "ler", "dir", "dur", "yor", "mek", "mak", "sin", "siniz", "im", "um")


def detect_language(text: str) -> str | None:
    """Return ``"tr"``, ``"en"`` or ``None`` when there is no evidence."""
    if _TURKISH_LETTERS.search(text):
        return "tr"
    tokens = words(turkish_lower(text))
    if not tokens:
        return None
    tr = float(sum(1 for t in tokens if t in _TR_WORDS))
    en = float(sum(1 for t in tokens if t in _EN_WORDS))
    tr += 0.5 * sum(1 for t in tokens if t not in _EN_WORDS and t.endswith(_TR_SUFFIXES))
    if tr == en:
        return None
    return "tr" if tr > en else "en"
