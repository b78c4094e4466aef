"""Figures: the counts, amounts and shares a sentence reports.

"200,000 videos", "20 accounts", "1,900 posts" and "1.5m" are figures; a year
("1999", "in the 2010s") and a day of the month ("15 March", "March 15th") are
not. Answers use figures to tell a repeat from a sentence that adds a number,
briefs to tell agreeing sources from ones that give different numbers and to
find sentences about scale.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.text.dates import DAY, MONTHS, YEAR
from assistant.text.words import content_words

# Dates are not figures: a day of the month ("15 March", "March 15th"), an ISO date, a year or a
# decade ("1999", "the 1990s"). A year is written without a separator, so "1,900 posts" is a figure.
_NOT_A_FIGURE = re.compile(
    rf"\b{DAY}\s+(?:{MONTHS})\b|\b(?:{MONTHS})\s+{DAY}\b"
    rf"|(?<![\d.,]){YEAR}(?:-[01]\d(?:-[0-3]\d)?|s)?(?!\d|[.,]\d)"
)
# Units and ordinals written onto a number ("15m", "2bn", "10k", "3rd") are not part of its value.
_SUFFIX = re.compile(r"(?:m|bn|k|st|nd|rd|th|s)$")


#: Numbers written out as words ("fifty people", "thousands of posts").
NUMBER_WORDS = frozenset(
    """
    two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty sixty
    seventy eighty ninety hundreds thousands millions billions dozens
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


@lru_cache(maxsize=16384)
def figures(text: str) -> frozenset[str]:
    """The figures `text` reports, as its words write them ("1.5m" -> "1.5", "125,000" -> "125000").

    Remembered: an answer asks it of each chosen sentence again for every candidate it weighs.
    """
    found = set()
    for word in content_words(_NOT_A_FIGURE.sub(" ", text)):
        if word[0].isdigit():
            value = _SUFFIX.sub("", word)
            if value:
                found.add(value)
    return frozenset(found)


def has_figure(text: str) -> bool:
    """Whether `text` reports any figure at all."""
    return bool(figures(text))
