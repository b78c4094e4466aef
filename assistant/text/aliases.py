"""The alias table: groups of names that mean the same actor or platform (data in `data/aliases.toml`).

It also owns the kinds of group that matter elsewhere: who can act or speak
(`ACTOR_KINDS`: briefs' actors, attribution, the referent of "they" in a
follow-up) and whose words are propaganda (`EXTREMIST_KINDS`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from assistant.text.names import exact_case, name_regex

#: Alias-table kinds whose own words are propaganda.
EXTREMIST_KINDS = frozenset({"group", "movement", "media"})
#: Alias-table kinds that name someone who can speak or act (and so be "they"); events and laws are acted upon.
ACTOR_KINDS = frozenset({"group", "movement", "media", "platform", "company", "government", "organisation", "person"})
#: Alias-table kinds that name a service (a platform or a tech company): what one of them did or reported is no
#: answer about another.
SERVICE_KINDS = frozenset({"platform", "company"})


@dataclass(frozen=True)
class AliasGroup:
    canonical: str
    kind: str
    names: tuple[str, ...]


class AliasTable:
    """Groups of equivalent names, and matching them in free text."""

    def __init__(self, groups: list[AliasGroup]) -> None:
        self.groups = groups
        # A name's pattern can only match where the name itself occurs: in its own capitals for
        # a short acronym, folded (see `fold`) otherwise. Testing for that substring first is far
        # cheaper than the patterns, and most sentences name no group at all.
        self._patterns = [(group, *_spellings(group.names), _pattern(group.names)) for group in groups]
        exact, folded = _spellings(tuple(name for group in groups for name in group.names))
        self._any_exact = _alternatives(exact)
        self._any_folded = _alternatives(folded)

    def groups_in(self, text: str, kinds: frozenset[str] | None = None) -> list[AliasGroup]:
        """The groups named in `text`, in the table's order (only those of `kinds`, when given)."""
        folded = fold(text)
        if not (self._any_exact and self._any_exact.search(text)) and not (
            self._any_folded and self._any_folded.search(folded)
        ):
            return []
        return [
            group
            for group, exact, spellings, pattern in self._patterns
            if (kinds is None or group.kind in kinds)
            and (any(name in text for name in exact) or any(spelling in folded for spelling in spellings))
            and pattern.search(text)
        ]

    def expansion(self, text: str) -> list[str]:
        """Alternative names for every group mentioned in `text` (not already in it)."""
        lowered = text.lower()
        extra: list[str] = []
        for group in self.groups_in(text):
            extra += [name for name in group.names if name.lower() not in lowered]
        return extra


# Letters a case-blind pattern matches that `str.casefold` does not fold to the same letter.
_FOLD_EXTRA = str.maketrans({"İ": "i", "ı": "i"})


def fold(text: str) -> str:
    """Text folded so that wherever a case-blind name pattern matches, the folded name is a substring."""
    return text.translate(_FOLD_EXTRA).casefold()


def _spellings(names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names matched in their own capitals, and the others folded: what must occur for any to match."""
    exact = tuple(dict.fromkeys(name for name in names if exact_case(name)))
    folded = tuple(dict.fromkeys(fold(name) for name in names if not exact_case(name)))
    return exact, folded


def _alternatives(spellings: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern finding any of the spellings anywhere (None for none)."""
    return re.compile("|".join(re.escape(spelling) for spelling in spellings)) if spellings else None


def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(name_regex(name) for name in names))


@lru_cache(maxsize=1)
def default_aliases() -> AliasTable:
    raw = tomllib.loads(resources.files("assistant").joinpath("data/aliases.toml").read_text(encoding="utf-8"))
    return AliasTable([AliasGroup(g["canonical"], g.get("kind", ""), tuple(g["names"])) for g in raw.get("group", [])])


# --- sentences addressed to a machine rather than to the reader ---------------------------------

# Whoever an injected instruction speaks to: an AI, an assistant, a model, a summariser, a bot, or
