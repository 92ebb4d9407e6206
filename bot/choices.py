"""A choice typed instead of pressed: "ikincisi", "2", "the first one" after "which one do you mean?".

The bot lists the articles it hesitates between as buttons. Visitors often type
their pick by its place in the list instead, and the NLU model has no intent for
that: "ikincisi" read as ``none_of_these`` (0.81) and got the offer of a person,
"the first one" as ``insult``. The hub turns such a message into the button's own
payload before the assistant sees it, as if the button had been pressed; the
transcript keeps what the visitor typed.

Only a message that is a place in the list and nothing else counts ("ikincisi
lütfen", "option 2", "the last one"); "ikinci el ürün iade" is a question.
"""

from __future__ import annotations

import re
from typing import Any

from knowledge_base.text import fold

# Payloads of the buttons a typed place can pick: the articles offered, not "none of these".
ARTICLE_CHOICE = "/ask_question"
LAST = -1

# Folded words that name a place in a list, by that place (0-based; LAST for the last one).
_PLACES = {
    word: place
    for place, words in (
        (0, "ilk ilki ilkini ilkine birinci birincisi birinciyi birincisini first 1st"),
        (1, "ikinci ikincisi ikinciyi ikincisini ikinciye second 2nd"),
        (2, "ucuncu ucuncusu ucuncuyu ucuncusunu ucuncuye third 3rd"),
        (LAST, "son sonuncu sonuncusu sonuncuyu sonuncusunu sondaki last"),
    )
    for word in words.split()
}
# Words that may stand around the place without making the message about anything else.
_AROUND = frozenset(
    """
    the one option number no numara numarali secenek secenegi secenekteki sik siki madde maddeyi olan
    makale article
    lutfen please sec seciyorum secerim istiyorum i'd i'll i want take pick choose go with
    evet yes ok okay tamam si yi
    """.split()
)
# "2", "2.", "2.si", "2'yi", "#2": a digit with Turkish case endings or a list mark
_NUMBER = re.compile(r"^#?([1-9])(?:[.'’]?[a-z]*)?$")
_TOKEN = re.compile(r"[#\w'’.]+")


def typed_place(text: str) -> int | None:
    """The place in a list that ``text`` names and nothing more (0-based, ``LAST``), else None.

    >>> typed_place("ikincisi lütfen"), typed_place("the last one"), typed_place("2.")
    (1, -1, 1)
    >>> typed_place("ikinci el ürün iade edilir mi") is None
    True
    """
    places: list[int] = []
    for token in _TOKEN.findall(fold(text)):
        token = token.strip(".")
        if not token or token in _AROUND:
            continue
        number = _NUMBER.match(token)
        if number:
            places.append(int(number.group(1)) - 1)
        elif token in _PLACES:
            places.append(_PLACES[token])
        else:
            return None  # a word that is no place and no filler: the message says something else
    return places[0] if len(places) == 1 else None


def typed_choice(text: str, buttons: list[dict[str, Any]]) -> str | None:
    """The payload of the article button that ``text`` picks by its place, else None.

    Places count among the articles offered; "none of these" has its own words.
    """
    place = typed_place(text)
    if place is None:
        return None
    articles = [str(b.get("payload", "")) for b in buttons if str(b.get("payload", "")).startswith(ARTICLE_CHOICE)]
    if not articles or place >= len(articles):
        return None
    return articles[place]
