"""A ticket's priority from what the visitor wrote: urgency and anger raise it.

Words are compared folded (no case, no Turkish letters), and Turkish ones by
their start, so "acil", "acilen" and "ACİL" all count. One signal makes a
ticket ``high``; urgency and anger together, or urgency said twice, ``urgent``.
The signals found are kept on the ticket, so the agent sees why.
"""

from __future__ import annotations

from collections.abc import Iterable

from knowledge_base.text import fold, words

PRIORITIES = ("low", "normal", "high", "urgent")

# Folded word starts. Turkish words take suffixes ("rezaletsiniz"), so a start is enough.
URGENCY = (
    "acil", "hemen", "derhal", "ivedi", "bir an once", "cok onemli", "urgent", "urgently", "asap",
    "immediately", "emergency", "right now", "right away",
)  # fmt: skip
ANGER = (
    "rezalet", "berbat", "skandal", "sacmalik", "kabul edilemez", "dolandir", "tuketici hakem", "avukat",
    "dava ", "sikayet", "bikt", "terrible", "unacceptable", "outrageous", "disgrace", "scam", "lawyer",
    "furious", "worst", "ridiculous", "fed up", "sue ",
)  # fmt: skip


def _found(text: str, cues: tuple[str, ...]) -> list[str]:
    folded = " " + " ".join(words(fold(text))) + " "
    return [cue.strip() for cue in cues if f" {cue}" in folded]


def signals(messages: Iterable[str]) -> dict[str, list[str]]:
    """The urgency and anger cues in the visitor's messages, each once, in order."""
    found: dict[str, list[str]] = {"urgency": [], "anger": []}
    for text in messages:
        for kind, cues in (("urgency", URGENCY), ("anger", ANGER)):
            for cue in _found(text, cues):
                if cue not in found[kind]:
                    found[kind].append(cue)
    return found


def raised(priority: str, found: dict[str, list[str]]) -> str:
    """``priority``, raised by the signals (never lowered)."""
    urgency, anger = len(found["urgency"]), len(found["anger"])
    if not (urgency or anger):
        return priority
    level = "urgent" if (urgency and anger) or urgency >= 2 else "high"
    return max(priority, level, key=PRIORITIES.index)
