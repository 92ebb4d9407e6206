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
    tamam tamamdir aynen olur eet evt tsk tskler slm mrb naber eyvallah yoo
    gec atla pas hicbiri bosver vazgec vazgectim hala yok degil sagol aptal
    salak gorusuruz hosca kal canli destek temsilci kimse gunaydin iyi aksamlar
    kendine bak tabii tabi elbette kesinlikle aktar musun beyinsiz yaramaz adim
    ismim adresim postam taksit
    """.split()
)
_EN_WORDS = frozenset(
    """
    the a an and or is are was were be do does did can could would should will
    how what when where why which who my your i you we it to of in on for with
    from this that please thanks thank hello hi yes no not order refund return
    delivery shipping payment account password invoice cancel warranty tomorrow
    weather help yeah yep yup nope nah sure skip correct indeed right exactly
    definitely absolutely cya later heya hiya howdy greetings cheers thx ty
    idiot stupid dumb useless bye goodbye none neither still agent human okay
    good morning evening night there take care never mind farewell much
    appreciated worst options returns installments email name call me see
    """.split()
)
_TR_SUFFIXES = ("mi", "mu", "lar", "ler", "dir", "dur", "yor", "mek", "mak", "sin", "siniz", "im", "um")


# What one word with a Turkish letter (ç ğ ı ö ş ü) counts as, against one frequent English word.
TURKISH_LETTER_WEIGHT = 1.5
_RAW_WORD = re.compile(r"\w+")
_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
# An e-mail address is no evidence either: "can@firma.com.tr" is not English for "can".
_EMAIL = re.compile(r"\S+@\S+")


def without_links(text: str) -> str:
    """``text`` with its links and e-mail addresses blanked out: they are no evidence of a language."""
    return _EMAIL.sub(" ", _URL.sub(" ", text))


def language_by_words(text: str) -> str | None:
    """The language of the word lists' words alone, or ``None``: letters and endings are left out.

    For an answer to "what is your name?": "Kim Lee" and "Ayşe Yılmaz" look
    Turkish by their endings and letters, but only "vazgeç" or "my name is" say
    which language the visitor writes in.
    """
    return _weigh(text, letters_and_endings=False)


def detect_language(text: str) -> str | None:
    """Return ``"tr"``, ``"en"`` or ``None`` when there is no evidence (links and addresses are none)."""
    return _weigh(text, letters_and_endings=True)


def _weigh(text: str, letters_and_endings: bool) -> str | None:
    """Turkish evidence against English evidence; ``None`` on a tie (no evidence is a tie)."""
    text = without_links(text)
    tokens = words(turkish_lower(text))
    tr = float(sum(1 for t in tokens if t in _TR_WORDS))
    en = float(sum(1 for t in tokens if t in _EN_WORDS))
    if letters_and_endings:
        # Turkish letters are strong evidence, word by word, but not a verdict: an English
        # visitor of a Turkish shop names places and products ("the Kadıköy pickup point").
        tr += TURKISH_LETTER_WEIGHT * len([w for w in _RAW_WORD.findall(text) if _TURKISH_LETTERS.search(w)])
        tr += 0.5 * sum(1 for t in tokens if t not in _EN_WORDS and t.endswith(_TR_SUFFIXES))
    if tr == en:
        return None
    return "tr" if tr > en else "en"


# -- messages in neither language ------------------------------------------------
# Scripts Turkish and English never use, and letters only other Latin-script
# languages use (Turkish has ç, ğ, ı, ö, ş, ü; English has none).
_OTHER_SCRIPTS = (
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)
_OTHER_LETTERS = re.compile(r"[äßñéèêàáâãõóòíìúùłøåœæ¿¡]", re.IGNORECASE)
# Frequent words of the languages website visitors most often write in besides
# Turkish and English; each is spelled differently in both of them.
_OTHER_WORDS = {
    "de": frozenset(
        "ich ist nicht und meine mein wie wo bitte danke hallo bestellung haben kann der die das mit einem "
        "einen eine möchte sprechen".split()
    ),
    "fr": frozenset(
        "je est pas et mon ma mes ou bonjour merci commande avoir peux le les une avec pour voudrais parler".split()
    ),
    "es": frozenset(
        "yo es pero mi mis donde hola gracias pedido tengo puedo el los una con por para que quiero hablar".split()
    ),
    "it": frozenset(
        "io sono non il mio mia dove ciao grazie ordine ho posso gli una con per che vorrei parlare".split()
    ),
    "nl": frozenset("ik het niet en mijn waar hallo dank bestelling heb kan een met voor".split()),
    "pt": frozenset("eu nao meu minha onde ola obrigado encomenda pedido tenho posso uma com para".split()),
}


def foreign_language(text: str) -> str | None:
    """A guess at the language of a message in neither Turkish nor English, else None.

    It speaks only when the evidence is clear: another script, or at least two
    frequent words of one other language and more of them than Turkish or
    English words. Short or mixed messages stay with Turkish and English.
    """
    text = _URL.sub(" ", text)
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    for code, script in _OTHER_SCRIPTS:
        if len(script.findall(text)) > len(letters) / 2:
            return code
    tokens = [t.strip(".,!?¿¡;:'\"()") for t in text.lower().split()]
    ours = sum(1 for t in tokens if t in _TR_WORDS or t in _EN_WORDS)
    counts = {code: sum(1 for t in tokens if t in vocab) for code, vocab in _OTHER_WORDS.items()}
    code, hits = max(counts.items(), key=lambda item: item[1])
    if _OTHER_LETTERS.search(text) and not _TURKISH_LETTERS.search(text):
        hits += 1
    if hits >= 2 and hits > ours:
        return code
    return None
