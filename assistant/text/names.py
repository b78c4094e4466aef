"""Names in text: how a known name is matched, and which capitalised words name something.

- `name_regex`: how the alias table, follow-up rewriting and briefs find a
  known name; a short all-capitals name ("IS", "EU") matches only in capitals,
  so the word "is" is never the Islamic State.
- `institution_names`: "Federal Office of Justice"-like names a question asks about.
- `new_names`: whether a sentence names someone the question does not.
"""

from __future__ import annotations

import re

from assistant.text.words import QUESTION_WORDS, STOPWORDS, words


def name_regex(name: str, *, hyphen_bound: bool = False) -> str:
    """A regular expression that finds `name` as a whole word (case-blind, unless a short acronym).

    With `hyphen_bound`, a name inside a hyphenated word ("pro-IS") does not count either.
    """
    escaped = re.escape(name)
    before, after = (r"(?<![\w-])", r"(?![\w-])") if hyphen_bound else (r"\b", r"\b")
    if exact_case(name):
        return rf"(?-i:{before}{escaped}{after})"
    return rf"(?i:{before}{escaped}{after})"


def exact_case(name: str) -> bool:
    """Whether `name_regex` finds `name` only in its own capitals: a short acronym ("IS", "EU", "X")."""
    return len(name) <= 3 and name.isupper()


# An institution's name: capitalised words joined by "of", "for", "on" or "to"
# ("Federal Office of Justice", "Global Internet Forum to Counter Terrorism").
_INSTITUTION = re.compile(r"\b[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*(?:\s+(?:of|for|on|to)(?:\s+the)?(?:\s+[A-Z][\w.-]*)+)+")


def institution_names(question: str) -> list[str]:
    """Names of institutions in a question, whose exact wording a source would use."""
    names = []
    for match in _INSTITUTION.finditer(question):
        name = match.group(0)
        first, _, rest = name.partition(" ")
        # A question's first word is capitalised by position, not because it is part of a name.
        if first.lower() in STOPWORDS | QUESTION_WORDS:
            name = rest
        capitalised = [w for w in name.split() if w[:1].isupper()]
        if _INSTITUTION.fullmatch(name) and not any(w.lower() in STOPWORDS for w in capitalised):
            names.append(name)
    return names


def new_names(text: str, asked: set[str]) -> bool:
    """A capitalised word inside the sentence (not its first) that is not among the `asked` words."""
    for raw in text.split()[1:]:
        if not raw[:1].isupper():
            continue  # decided before the word is tokenised: most words are not capitalised
        token = words(raw)
        if token and token[0] not in asked and token[0] not in STOPWORDS:
            return True
    return False
