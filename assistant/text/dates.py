"""Every reading of a date: in questions, in source sentences, in metadata and in filters.

One grammar of date expressions serves all of them:

- `asked_years`: the years a question is about (retrieval and answers favour them);
- `event_date`: the first calendar date a source sentence names (a brief's timeline);
- `time_frames`: date phrases in a question ("after March 2019", "between 2014
  and 2019") that follow-up rewriting carries from turn to turn;
- `normalise_date`, `pdf_date`: a loader's date-like metadata value as ISO `YYYY[-MM[-DD]]`;
- `date_number` and `is_filter_date`: the `--since`/`--until` filter values.

A year is 19xx or 20xx; a day of the month is 1 to 31 with an optional ordinal
("15th"); month names may be abbreviated ("Sept.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

#: Month names and their usual abbreviations, lower-cased, with the month's number.
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
#: Days of the week, lower-cased.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: The same names, capitalised, as a regular-expression alternation (longest first).
MONTHS = "|".join(sorted((name.capitalize() for name in MONTH_NUMBERS), key=len, reverse=True))
#: A calendar year, as a regular expression.
YEAR = r"(?:19|20)\d\d"
#: A day of the month as written in prose: "15", "15th", "1st".
DAY = r"[0-3]?\d(?:st|nd|rd|th)?"
_MONTH = rf"(?:{MONTHS})"

_YEAR = re.compile(rf"\b{YEAR}\b")
# "after the 2020 election": the year marks where the story starts, not when its sources were written.
_SINCE_YEAR = re.compile(
    r"\b(?:after|since|following|in the wake of|in the aftermath of)\s+(?:the\s+|its\s+|his\s+|her\s+)?"
    rf"(?:[\w'’-]+\s+){{0,2}}({YEAR})\b",
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


# --- dates in source sentences -------------------------------------------------------------

# The date forms sources write, with named parts; month names capitalised, as edited text writes them.
_ISO = rf"(?P<y>{YEAR})-(?P<m>[01]\d)-(?P<d>[0-3]\d)"
_DAY_MONTH_YEAR = rf"(?P<d>{DAY})\s+(?P<mon>{_MONTH})\.?,?\s+(?P<y>{YEAR})"
_MONTH_DAY_YEAR = rf"(?P<mon>{_MONTH})\.?\s+(?P<d>{DAY}),?\s+(?P<y>{YEAR})"
_MONTH_YEAR = rf"(?P<mon>{_MONTH})\.?,?\s+(?P<y>{YEAR})"
_DATE_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"\b{_ISO}\b",
        rf"\b{_DAY_MONTH_YEAR}\b",
        rf"\b{_MONTH_DAY_YEAR}\b",
        rf"\b{_MONTH_YEAR}\b",
        rf"\b(?:on|On)\s+(?P<d>{DAY})\s+(?P<mon>{_MONTH})\b",
        rf"\b(?:on|On)\s+(?P<mon>{_MONTH})\s+(?P<d>{DAY})\b",
        rf"\b(?:in|In|by|By|since|Since|during|During|early|late|mid-|from|From)\s*(?P<y>{YEAR})\b",
    )
)


def event_date(text: str, document_date: str = "") -> str:
    """The first calendar date a sentence names (YYYY, YYYY-MM or YYYY-MM-DD), or "".

    A day and month without a year ("on 15 May") take the year of `document_date`.
    """
    found: list[tuple[int, str]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = match.groupdict()
            year = parts.get("y") or document_date[:4]
            if not year:
                continue
            month = parts.get("m") or (str(MONTH_NUMBERS[parts["mon"].lower()]).zfill(2) if parts.get("mon") else "")
            day = re.sub(r"\D", "", parts.get("d") or "")
            value = year + (f"-{month}" if month else "") + (f"-{int(day):02d}" if month and day else "")
            if day and not 1 <= int(day) <= 31:
                continue
            found.append((match.start(), value))
    if not found:
        return ""
    # The earliest mention wins; at one position the most precise reading does.
    position = min(p for p, _ in found)
    return max((v for p, v in found if p == position), key=len)


# --- time frames in questions --------------------------------------------------------------

# The same forms as whole phrases (and decades: "the 2010s"); questions are read without regard to case.
_UNNAMED = re.compile(r"\(\?P<\w+>")
_DATE = (
    "(?:"
    + "|".join(
        _UNNAMED.sub("(?:", form)
        for form in (rf"{YEAR}-\d{{2}}(?:-\d{{2}})?", _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _MONTH_YEAR, rf"{YEAR}s?")
    )
    + ")"
)
_PREPOSITION = r"(?:in|on|during|since|before|after|until|by|from|between|around|through|throughout|early|late|mid)"
_TIME = re.compile(
    rf"\b(?:(?P<prep>{_PREPOSITION})\s+)?(?P<first>{_DATE})(?:\s*(?:and|to|until|-|–)\s*(?P<last>{_DATE}))?\b",
    re.IGNORECASE,
)
_FULL_DATE = re.compile(rf"{YEAR}-\d{{2}}-\d{{2}}|{DAY}\s.*|\D+\s{DAY},?\s+{YEAR}", re.IGNORECASE)


@dataclass(frozen=True)
class TimeFrame:
    """A time expression: the whole phrase ("between 2014 and 2019") and its dates."""

    start: int
    end: int
    text: str
    preposition: str
    dates: tuple[str, ...]

    @property
    def date_start(self) -> int:
        """Where the dates begin (after the preposition)."""
        return self.start + (len(self.text) - len(self.text[len(self.preposition) :].lstrip()))

    def phrase(self) -> str:
        """The expression as it can follow a question: "in 2019", "on 15 March 2019"."""
        if self.preposition:
            return self.text
        return f"{'on' if _FULL_DATE.fullmatch(self.dates[0]) else 'in'} {self.text}"


def time_frames(text: str) -> list[TimeFrame]:
    """Every date expression in `text`, in order."""
    found = []
    for match in _TIME.finditer(text):
        dates = tuple(d for d in (match.group("first"), match.group("last")) if d)
        found.append(TimeFrame(match.start(), match.end(), match.group(0), match.group("prep") or "", dates))
    return found


# --- dates in metadata and filters ---------------------------------------------------------

_ISO_PREFIX = re.compile(r"\d{4}(-\d{2}){0,2}")
_FORMATS = (
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y",
    "%d %B %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%Y/%m/%d",
    "%a %b %d %H:%M:%S %z %Y",
)


def normalise_date(value: Any) -> str:
    """Any date-like value to ISO `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`); '' if unknown."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    text = str(value).strip()
    if _ISO_PREFIX.fullmatch(text):
        return text
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return ""


def pdf_date(value: str) -> str:
    """A PDF metadata date ("D:20190315093000+01'00'") as ISO `YYYY[-MM[-DD]]`, or ""."""
    match = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", value)
    if not match:
        return ""
    return "-".join(part for part in match.groups() if part)


def is_filter_date(value: str) -> bool:
    """A `--since`/`--until` value: YYYY, YYYY-MM or YYYY-MM-DD."""
    return bool(_ISO_PREFIX.fullmatch(value))


def written_date(date: str) -> str:
    """An ISO date as a briefing writes it: `2015-10-31` -> "31 October 2015", `2015-10` -> "October 2015".

    A year alone stays as it is, and text that is not an ISO date is returned unchanged.
    """
    match = _ISO_PARTS.fullmatch(date)
    if not match:
        return date
    year, month, day = match.groups()
    if not month or not 1 <= int(month) <= _MONTHS_IN_YEAR:
        return year
    name = _MONTH_NAMES[int(month) - 1]
    return f"{int(day)} {name} {year}" if day and 1 <= int(day) <= _DAYS_IN_MONTH else f"{name} {year}"


_ISO_PARTS = re.compile(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?")
_MONTHS_IN_YEAR, _DAYS_IN_MONTH = 12, 31
# Each month's first name in MONTH_NUMBERS is its full one.
_MONTH_NAMES = list({number: name.capitalize() for name, number in reversed(MONTH_NUMBERS.items())}.values())[::-1]


def date_number(date: str) -> int:
    """`2019-03-15` -> 20190315 (missing parts count as 0); 0 for text that is not an ISO date.

    The index stores this number beside every chunk and document, so a date
    range is two comparisons.
    """
    digits = (date.replace("-", "") + "00000000")[:8]
    return int(digits) if digits.isdigit() else 0
