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

from assistant.text.names import name_regex

#: Alias-table kinds whose own words are propaganda.
EXTREMIST_KINDS = frozenset({"group", "movement", "media"})
#: Alias-table kinds that name someone who can speak or act (and so be "they"); events and laws are acted upon.
ACTOR_KINDS = frozenset({"group", "movement", "media", "platform", "company", "government", "organisation", "person"})


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
    return re.compile("|".join(name_regex(name) for name in names))


@lru_cache(maxsize=1)
def default_aliases() -> AliasTable:
    raw = tomllib.loads(resources.files("assistant").joinpath("data/aliases.toml").read_text(encoding="utf-8"))
    return AliasTable([AliasGroup(g["canonical"], g.get("kind", ""), tuple(g["names"])) for g in raw.get("group", [])])


# --- sentences addressed to a machine rather than to the reader ---------------------------------

# Whoever an injected instruction speaks to: an AI, an assistant, a model, a summariser, a bot, or
