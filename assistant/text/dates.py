"""Month names and years: the years a question asks about, the month table other date rules use, and
the date number (yyyymmdd) that date ranges compare."""

from __future__ import annotations

import re

MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
#: The same names, capitalised, as a regular-expression alternation (longest first).
MONTHS = "|".join(sorted((name.capitalize() for name in MONTH_NUMBERS), key=len, reverse=True))

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# "after the 2020 election": the year marks where the story starts, not when its sources were written.
_SINCE_YEAR = re.compile(
    r"\b(?:after|since|following|in the wake of|in the aftermath of)\s+(?:the\s+|its\s+|his\s+|her\s+)?"
    r"(?:[\w'’-]+\s+){0,2}((?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def asked_years(question: str) -> tuple[set[str], str | None]:
    """The years a question is about, and the earliest year it names.

    A year after "after", "since" or "following" only bounds the period from
    below, so it is in the second result but not the first.
    """
    years = set(_YEAR.findall(question))
    if not years:
        return set(), None
    bounds = {match.group(1) for match in _SINCE_YEAR.finditer(question)}
    return years - bounds, min(years)


def date_number(date: str) -> int:
    """`2019-03-15` -> 20190315 (missing parts count as 0); 0 for text that is not an ISO date.

    The index stores this number beside every chunk and document, so a date
    range is two comparisons.
    """
    digits = (date.replace("-", "") + "00000000")[:8]
    return int(digits) if digits.isdigit() else 0
