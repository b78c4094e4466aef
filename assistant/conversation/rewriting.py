"""Follow-up rewriting: a question that leans on earlier turns becomes a standalone one.

`FollowUpRewriter` turns a question that leans on earlier turns ("and
YouTube?", "what happened after that?", "what did they do next?") into a
standalone question before retrieval. It is rule-based: it carries over the
names (capitalised names and the alias table's names) and the time frame
(years and dates, read by `assistant.text.dates.time_frames`) of earlier turns. Retrieval only ever sees the rewritten
question, so the analyst is shown it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from assistant.text.aliases import ACTOR_KINDS, AliasTable, default_aliases
from assistant.text.dates import MONTH_NUMBERS, WEEKDAYS, TimeFrame, time_frames
from assistant.text.names import name_regex
from assistant.text.words import QUESTION_WORDS, STOPWORDS, content_words

# --- finding names in a question ---------------------------------------------------

_MONTH_WORDS = frozenset(MONTH_NUMBERS)
_DAY_WORDS = frozenset(WEEKDAYS)

# Small words that may sit inside a name ("Islamic State of Iraq", "Life for Hate").
_JOINERS = frozenset({"of", "the", "for", "al", "de", "du", "la", "von", "van", "bin"})
# Capitalised words that start a sentence without naming anything.
_STARTERS = (
    STOPWORDS
    | QUESTION_WORDS
    | frozenset(
        """
        tell give show list summarise summarize compare explain describe has have had did does do
        which who whose please also and but so then now ok okay yes no i
        """.split()  # noqa: SIM905 - a word list reads better as prose
    )
)
_CONNECTOR = re.compile(
    r"^\s*(?:(?:and|but|also|so|ok|okay|then)\b[\s,]*)*"
    r"(?:(?:what|how)\s+about|what\s+of|same\s+for|and\s+for|as\s+for|now)?\s*",
    re.IGNORECASE,
)
_LEADING_CONJUNCTION = re.compile(r"^\s*(?:and|but|also|so|then)\b[\s,]*", re.IGNORECASE)
_TEMPORAL_REFERENCE = re.compile(
    r"\b(?P<prep>after|before|since|until|by|following|prior to|at|in|during)\s+(?:that|then|this)"
    r"(?:\s+(?:time|year|period|point))?\b"
    r"|\b(?:that|the same|that same)\s+(?:year|period|time)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(they|them|their|theirs|it|its|he|him|his|she|her)\b", re.IGNORECASE)
_POSSESSIVES = frozenset({"their", "theirs", "its", "his", "her"})
_PERSONAL = frozenset({"he", "him", "his", "she", "her"})
# Words that may surround the names in an elliptical follow-up ("and for YouTube too?").
_FILLER = frozenset(
    {"the", "a", "an", "in", "on", "for", "of", "about", "then", "too", "also", "as", "well"}
    | {"with", "regarding", "case", "same", "and", "or", "at", "during"}
)
# Words a complete question starts with; a connector-led fragment without one is a "what about".
_QUESTION_STARTS = QUESTION_WORDS | frozenset(
    {"can", "could", "should", "would", "will", "has", "have", "had", "tell", "show", "list", "give"}
    | {"compare", "explain", "describe", "summarise", "summarize", "what", "how", "why", "is", "was"}
)
# A follow-up this short, naming nothing, can only make sense with what came before.
SHORT_QUESTION_WORDS = 3


@dataclass(frozen=True)
class Mention:
    """A name found in a text: where, as written, and what it stands for."""

    start: int
    end: int
    text: str
    canonical: str
    kind: str | None
    #: Written after "the" ("the Redirect Method"): a pronoun replaced by it needs the article.
    article: bool = False

    @property
    def referent(self) -> str:
        return f"the {self.text}" if self.article else self.text

    @property
    def key(self) -> str:
        return self.canonical.lower()

    @property
    def actor(self) -> bool:
        return self.kind is None or self.kind in ACTOR_KINDS


class Exchange(NamedTuple):
    """An earlier turn as the rewriter sees it."""

    #: The standalone (already rewritten) question.
    question: str
    answer: str
    #: Dates of the documents the answer cites, first citation first.
    source_dates: tuple[str, ...] = ()


class FollowUpRewriter:
    """Rewrites a follow-up question into a standalone one, by rules.

    A question is treated as a follow-up when it starts with a connector
    ("and ...", "what about ..."), refers back in time ("after that"), uses a
    pronoun for something it does not name, or is too short to stand alone.
    Anything else is returned unchanged.
    """

    def __init__(self, aliases: AliasTable | None = None) -> None:
        self.aliases = aliases or default_aliases()
        # Longest names first, so "Facebook Live" wins over "Facebook".
        names = sorted(
            ((name, group.canonical, group.kind or None) for group in self.aliases.groups for name in group.names),
            key=lambda item: -len(item[0]),
        )
        self._alias_patterns = [
            (re.compile(name_regex(name)), canonical, kind)
            for name, canonical, kind in names
            # Plain lower-case words in the table ("tweets") are topics, not names to carry.
            if not (name.isalpha() and name.islower())
        ]

    # --- analysis ---------------------------------------------------------------

    def mentions(self, text: str) -> list[Mention]:
        """Names in `text`: alias-table names first, then other capitalised names."""
        taken: list[Mention] = []
        for pattern, canonical, kind in self._alias_patterns:
            for match in pattern.finditer(text):
                if all(match.end() <= m.start or match.start() >= m.end for m in taken):
                    article = text[: match.start()].lower().endswith("the ")
                    taken.append(Mention(match.start(), match.end(), match.group(0), canonical, kind, article))
        # Names and dates already found are blanked out, so "the EU Terrorist Content
        # Online Regulation" still yields "EU" beside the table's name.
        masked = text
        for start, end in [(m.start, m.end) for m in taken] + [(t.start, t.end) for t in time_frames(text)]:
            masked = masked[:start] + "|" * (end - start) + masked[end:]
        for start, end in self._capitalised_runs(masked):
            name = text[start:end]
            article = text[:start].lower().endswith("the ")
            taken.append(Mention(start, end, name, name, None, article))
        unique: dict[str, Mention] = {}
        for mention in sorted(taken, key=lambda m: m.start):
            unique.setdefault(mention.key, mention)
        return list(unique.values())

    @staticmethod
    def _capitalised_runs(text: str) -> Iterator[tuple[int, int]]:
        """Spans of runs of capitalised words that are not just a capitalised sentence start."""
        run: list[tuple[int, int, str]] = []
        previous_end = 0

        def flush() -> Iterator[tuple[int, int]]:
            while run and run[-1][2].lower() in _JOINERS:
                run.pop()
            if run:
                yield run[0][0], run[-1][1]
            run.clear()

        for token in re.finditer(r"[\w'’.-]+", text):
            start, word = token.start(), re.sub(r"(?:['’]s)?\.*$", "", token.group(0))
            end = start + len(word)
            gap = text[previous_end:start]
            previous_end = token.end()
            if run and not re.fullmatch(r"\s+", gap):
                yield from flush()
            if not word:
                yield from flush()
                continue
            lowered = word.lower()
            sentence_start = start == 0 or bool(re.search(r"[.?!:;\"“(]\s*$", gap))
            if word[0].isupper():
                if (sentence_start and lowered in _STARTERS) or lowered in _MONTH_WORDS | _DAY_WORDS or word == "I":
                    yield from flush()
                else:
                    run.append((start, end, word))
            elif run and lowered in _JOINERS:
                run.append((start, end, word))
            else:
                yield from flush()
        yield from flush()

    # --- rewriting --------------------------------------------------------------

    def rewrite(self, question: str, earlier: Sequence[Exchange | tuple[str, str]]) -> str:
        """A standalone form of `question`, given the earlier exchanges (oldest first)."""
        text = " ".join(question.split())
        if not earlier or not text:
            return text
        exchanges = [Exchange(*item) for item in earlier]
        own = self.mentions(text)
        own_times = time_frames(text)
        # Names come from the latest question that has any ("why?" names nothing).
        named = (e.question for e in reversed(exchanges) if self.mentions(e.question))
        context_question = next(named, exchanges[-1].question)
        before = self.mentions(context_question)
        before_time, asked_time = self._earlier_time(exchanges)

        connector = _CONNECTOR.match(text)
        led = bool(connector and connector.end() > 0)
        if (own or own_times) and self._only_names(text, own, own_times):
            base = exchanges[-1].question
            return self._substitute(base, own, own_times[0] if own_times else None)

        pronouns = [m for m in _PRONOUN.finditer(text) if not self._expletive(text, m)]
        temporal = _TEMPORAL_REFERENCE.search(text)
        short = len(content_words(text)) <= SHORT_QUESTION_WORDS and not own and not own_times
        if not (led or pronouns or temporal or short):
            return text

        body = _LEADING_CONJUNCTION.sub("", text)
        if led and body.split(" ", 1)[0].lower().strip("?,.") not in _QUESTION_STARTS:
            # "and their funding?" is a fragment; asked on its own it means "what about ...".
            body = "What about " + body
        body = body[:1].upper() + body[1:]
        time_used = False
        if before_time is not None and not own_times:
            reference = _TEMPORAL_REFERENCE.search(body)
            if reference is not None:
                body = body[: reference.start()] + _resolve_time(reference, before_time) + body[reference.end() :]
                time_used = True
        if not own and before:
            body = self._replace_pronoun(body, before)
        present = {m.key for m in self.mentions(body)}
        missing = [m.text for m in before if m.key not in present]
        parts = []
        if missing:
            parts.append("about " + _join(missing))
        # A date taken from an answer resolves "after that", but is not added on its own:
        # it may be incidental to what was asked.
        if before_time is not None and asked_time and not own_times and not time_used:
            parts.append(before_time.phrase())
        if not parts:
            return body
        stem = body.rstrip(" ?.!")
        return f"{stem} ({', '.join(parts)})?"

    @staticmethod
    def _earlier_time(earlier: Sequence[Exchange]) -> tuple[TimeFrame | None, bool]:
        """The time frame of the conversation so far, and whether a question (not an answer) set it."""
        for exchange in reversed(earlier):
            found = time_frames(exchange.question)
            if found:
                return found[0], True
        # "When did ...?" is answered with a date: that date is what "after that" means;
        # failing that, the date of the document the answer rests on most.
        last = earlier[-1]
        found = time_frames(last.answer) or [t for date in last.source_dates[:1] for t in time_frames(date)]
        return (found[0] if found else None), False

    @staticmethod
    def _only_names(text: str, own: list[Mention], times: list[TimeFrame]) -> bool:
        """Whether the question is nothing but names and dates ("and YouTube?", "what about 2020?")."""
        rest = text
        for start, end in sorted([(m.start, m.end) for m in own] + [(t.start, t.end) for t in times], reverse=True):
            rest = rest[:start] + " " + rest[end:]
        connector = _CONNECTOR.match(rest)
        if connector:
            rest = rest[connector.end() :]
        leftover = [w for w in re.findall(r"[\w'’]+", rest.lower()) if w not in _FILLER]
        return not leftover

    def _substitute(self, base: str, own: list[Mention], own_time: TimeFrame | None) -> str:
        """Put the new names and dates in place of their counterparts in the earlier question."""
        targets = self.mentions(base)
        own_keys = {m.key for m in own}
        edits: list[tuple[int, int, str]] = []
        used: set[str] = set()
        extras: list[str] = []
        for mention in own:
            if any(t.key == mention.key for t in targets):
                continue
            candidates = [t for t in targets if t.key not in own_keys and t.key not in used]
            target = next((t for t in candidates if mention.kind and t.kind == mention.kind), None)
            if target is None and mention.kind is None:
                target = next((t for t in candidates if t.actor and t.kind != "person"), None)
            if target is None:
                extras.append(mention.text)
                continue
            # "Facebook and YouTube" are replaced together by "Telegram", not one of them.
            group = _coordinated(base, target, [t for t in candidates if t.kind == target.kind])
            used.update(t.key for t in group)
            edits.append((group[0].start, group[-1].end, mention.text))
        result = _apply(base, edits)
        if own_time is not None:
            found = time_frames(result)
            if found:
                old = found[0]
                if own_time.preposition:
                    result = result[: old.start] + own_time.text + result[old.end :]
                else:
                    result = result[: old.date_start] + own_time.text + result[old.end :]
            else:
                result = f"{result.rstrip(' ?.!')} {own_time.phrase()}?"
        if extras:
            result = f"{result.rstrip(' ?.!')}, and {_join(extras)}?"
        return result

    @staticmethod
    def _expletive(text: str, match: re.Match[str]) -> bool:
        """ "it" that refers to nothing: "is it true", "it seems", "how was it possible"."""
        if match.group(0).lower() != "it":
            return False
        after = text[match.end() : match.end() + 24].lower()
        return bool(re.match(r"\s+(?:seems|appears|true|possible|likely|clear|known|said|reported)\b", after)) or bool(
            re.match(r"\s+(?:is|was)\s+(?:true|possible|likely|clear|known|said|reported)\b", after)
        )

    def _replace_pronoun(self, body: str, before: list[Mention]) -> str:
        """Replace the first pronoun with the names it stands for."""
        for match in _PRONOUN.finditer(body):
            if self._expletive(body, match):
                continue
            word = match.group(0).lower()
            if word in _PERSONAL:
                people = [m for m in before if m.kind == "person" or (m.kind is None and " " in m.text)]
                referents = people[:1]
            elif word in ("it", "its"):
                referents = before[:1]
            else:
                referents = [m for m in before if m.actor][:3] or before[:3]
            if not referents:
                return body
            phrase = _join([m.referent for m in referents])
            if word in _POSSESSIVES and not (word == "her" and _object_her(body, match)):
                phrase += "'s"
            return body[: match.start()] + phrase + body[match.end() :]
        return body


def _coordinated(text: str, target: Mention, peers: list[Mention]) -> list[Mention]:
    """`target` and the mentions joined to it by "and", "or" or commas ("A, B and C")."""
    ordered = sorted(peers, key=lambda m: m.start)
    group = [target]
    index = ordered.index(target) if target in ordered else -1
    if index < 0:
        return group
    for step in (-1, 1):
        position = index + step
        while 0 <= position < len(ordered):
            left, right = (ordered[position], group[0]) if step < 0 else (group[-1], ordered[position])
            if not re.fullmatch(r"\s*(?:,|,?\s*(?:and|or))\s*", text[left.end : right.start]):
                break
            if step < 0:
                group.insert(0, left)
            else:
                group.append(right)
            position += step
    return group


def _object_her(body: str, match: re.Match[str]) -> bool:
    """ "her" as an object ("ban her"), not a possessive ("her account")."""
    after = body[match.end() :].lstrip()
    return not after or not after[0].isalpha() or after.split()[0].lower() in STOPWORDS


def _resolve_time(reference: re.Match[str], frame: TimeFrame) -> str:
    preposition = (reference.group("prep") or "in").lower()
    if preposition in ("at", "during"):
        preposition = "in"
    if preposition in ("in",) and frame.preposition:
        return frame.text
    # After a range means after its end; before a range means before its start.
    date = frame.dates[-1] if preposition in ("after", "since", "following") else frame.dates[0]
    return f"{preposition} {date}"


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _join(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
