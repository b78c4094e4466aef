"""Source grading for briefs: Admiralty reliability (A-F) and credibility (1-6).

Reliability belongs to the publisher and comes from an editable table
(`data/publishers.toml`, plus the user's own file named by the
`publisher_grades` setting, which is read first). Credibility belongs to the
information a source contributes to a brief and follows fixed rules, so two
analysts running the same brief get the same grades:

1 confirmed      - a claim the source makes is also made by an independent source
2 probably true  - not confirmed, from a source graded A or B
3 possibly true  - not confirmed, from a source graded C
4 doubtful       - not confirmed, from a source graded D or E, or only the
                   words of an extremist group that nobody else confirms
6 cannot be judged - not confirmed, and the publisher is not graded (F)

5 ("improbable") would need a detected contradiction; briefs do not detect
contradictions yet, so it is never assigned.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.domain import DocumentInfo
from assistant.errors import ConfigError

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    1: "confirmed",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
UNKNOWN = "F"


@dataclass(frozen=True)
class Grade:
    reliability: str
    note: str
    #: Set by the table for platforms: they vouch for what they say of
    #: themselves, not for what their users post.
    platform: bool = False


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    grade: Grade


class GradeTable:
    """Publisher names to reliability grades; the first matching entry wins."""

    def __init__(self, entries: list[_Entry]) -> None:
        self._entries = entries

    @classmethod
    def load(cls, extra: Path | None = None) -> GradeTable:
        entries: list[_Entry] = []
        if extra is not None:
            try:
                raw = tomllib.loads(extra.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{extra}: cannot read the publisher grades ({exc})") from exc
            entries += _entries(raw, str(extra))
        default = resources.files("assistant").joinpath("data/publishers.toml").read_text(encoding="utf-8")
        entries += _entries(tomllib.loads(default), "data/publishers.toml")
        return cls(entries)

    def grade(self, publisher: str) -> Grade:
        """The grade of the first entry naming the publisher.

        The publisher's own name is tried before its full description, so
        "Daily Mail (MailOnline), via the CNN/DailyMail dataset" is graded as
        the Daily Mail, not as CNN; the full text still counts ("personal
        research blog") when the name alone matches nothing.
        """
        for text in (publisher_name(publisher), publisher):
            for entry in self._entries:
                if text and entry.pattern.search(text):
                    return entry.grade
        return Grade(UNKNOWN, "publisher not in the grades table")

    def grade_document(self, document: DocumentInfo) -> Grade:
        """The grade of one document: its publisher's, except for users' posts on a platform.

        A record of a table (a tweet in a CSV export) has the platform it was
        posted on as its publisher; the platform's grade is for its own
        statements, so such a post is graded as a post by someone unknown.
        """
        grade = self.grade(document.publisher)
        if grade.platform and document.is_record:
            return Grade(UNKNOWN, f"a post on {document.publisher}: the platform does not vouch for its users' posts")
        return grade


def publisher_name(publisher: str) -> str:
    """The publisher's own name, without what its description adds.

    "Reuters (via an RSS-fed site)" is Reuters; "MailOnline (Daily Mail),
    republished by an aggregator" is MailOnline.
    """
    return re.split(r"\s*[(,;]|\s+via\s+|\s+republished\s+", publisher, maxsplit=1)[0].strip()


def _entries(raw: dict[str, Any], origin: str) -> list[_Entry]:
    entries = []
    for number, item in enumerate(raw.get("publisher", []), 1):
        names = item.get("match") if isinstance(item, dict) else None
        grade = str(item.get("reliability", "")).upper() if isinstance(item, dict) else ""
        if not names or not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise ConfigError(f"{origin}: publisher entry {number} needs `match`, a list of names")
        if grade not in RELIABILITY:
            raise ConfigError(
                f"{origin}: publisher entry {number} has reliability {item.get('reliability')!r}; use one of A-F"
            )
        # Whole words only, so "Meta" does not grade "Metadata Weekly".
        pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names), re.IGNORECASE)
        platform = item.get("platform", False) is True
        entries.append(_Entry(pattern, Grade(grade, str(item.get("note", "")), platform)))
    return entries


def credibility(reliability: str, *, confirmed: bool, only_group_words: bool) -> int:
    """The credibility rating of what one source contributes (rules in the module docstring)."""
    if confirmed:
        return 1
    if only_group_words:
        return 4
    if reliability in ("A", "B"):
        return 2
    if reliability == "C":
        return 3
    if reliability in ("D", "E"):
        return 4
    return 6
