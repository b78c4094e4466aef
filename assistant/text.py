"""Shared text helpers for retrieval and answering: word tokens and the alias table.

Lexical search, query expansion and extractive answering must agree on what
a "word" is, so the tokenizer lives here once. The alias table (names that
mean the same actor or platform) is data in `data/aliases.toml`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

STOPWORDS = frozenset(
    """
    a about above according after again against all also am among an and any are as at be because
    been before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only onto or other our ours
    ourselves out over own per said same says she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up upon very via was
    we were what when where which while who whom whose why will with within without would you your
    yours yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
QUESTION_WORDS = frozenset(
    """
    are did do does how is many much was were what when where which who whom whose why
    """.split()  # noqa: SIM905 - a word list reads better as prose
)

_WORD = re.compile(r"\d+(?:[.,]\d+)*(?![^\W_])|[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word tokens; numbers lose thousands separators (125,000 -> 125000)."""
    tokens = []
    for match in _WORD.finditer(text):
        token = match.group(0).lower().replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        elif token[0].isdigit():
            token = re.sub(r"(?<=\d),(?=\d{3})", "", token)
        tokens.append(token)
    return tokens


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


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if (w not in STOPWORDS and len(w) > 1) or w.isdigit()]


@dataclass(frozen=True)
class AliasGroup:
    canonical: str
    kind: str
    names: tuple[str, ...]


class AliasTable:
    """Groups of equivalent names, and matching them in free text."""

    def __init__(self, groups: list[AliasGroup]) -> None:
        self.groups = groups
        self._patterns = [(group, _pattern(group.names)) for group in groups]

    def groups_in(self, text: str) -> list[AliasGroup]:
        return [group for group, pattern in self._patterns if pattern.search(text)]

    def expansion(self, text: str) -> list[str]:
        """Alternative names for every group mentioned in `text` (not already in it)."""
        lowered = text.lower()
        extra: list[str] = []
        for group in self.groups_in(text):
            extra += [name for name in group.names if name.lower() not in lowered]
        return extra


def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for name in names:
        escaped = re.escape(name)
        if len(name) <= 3 and name.isupper():
            parts.append(rf"(?-i:\b{escaped}\b)")
        else:
            parts.append(rf"\b{escaped}\b")
    return re.compile("|".join(parts), re.IGNORECASE)


@lru_cache(maxsize=1)
def default_aliases() -> AliasTable:
    raw = tomllib.loads(resources.files("assistant").joinpath("data/aliases.toml").read_text(encoding="utf-8"))
    return AliasTable([AliasGroup(g["canonical"], g.get("kind", ""), tuple(g["names"])) for g in raw.get("group", [])])


_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions|prompt|rules)\b|\bsystem (note|prompt|message)\b"
    r"|\b(you must|always) (answer|reply|respond)\b|\b(answer|reply|respond) (every|all|each) question",
    re.IGNORECASE,
)


def looks_like_instruction(sentence: str) -> bool:
    """A sentence that addresses the assistant rather than informing the reader."""
    return bool(_INSTRUCTION.search(sentence))
