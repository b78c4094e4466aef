"""Conversations: follow-up rewriting, the SQLite audit trail, and Markdown export.

This module owns everything about a conversation that is not drawing it, so
the TUI and `assistant ask --session` behave the same way:

- `FollowUpRewriter` turns a question that leans on earlier turns ("and
  YouTube?", "what happened after that?", "what did they do next?") into a
  standalone question before retrieval. It is rule-based: it carries over the
  names (capitalised names and the alias table's names) and the time frame
  (years and dates) of earlier turns. Retrieval only ever sees the rewritten
  question, so the analyst is shown it.
- `ConversationStore` keeps conversations in SQLite. Turns are append-only:
  every question, its rewritten form, the answer, its citations (with the
  exact passage quoted) and the state of the index it was answered against
  stay on record as an audit trail. Nothing here deletes a turn. Each
  conversation records the OS user who started it (its owner), so people
  sharing an index list their own conversations unless they ask for all.
- `AuditTrail` is how every front end records a question, answer or brief
  (or does not, when the `audit` setting is off).
- `export_markdown` writes a conversation with its full source list and quotes.

It imports no UI library.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from assistant.attribution import propaganda_label
from assistant.config import Settings
from assistant.domain import Answer, Citation, IndexStatus
from assistant.retrieval import Filters
from assistant.safe_text import markdown_text, web_link
from assistant.text import MONTH_NUMBERS, MONTHS, QUESTION_WORDS, STOPWORDS, AliasTable, content_words, default_aliases

if TYPE_CHECKING:
    from assistant.briefing import Brief, BriefQuote, BriefSource

STORE_FILE = "conversations.sqlite3"
#: Questions asked on the command line without `--session` are kept in the day's conversation, e.g. `cli-2024-03-15`.
DAILY_PREFIX = "cli-"

# --- finding names and time frames in a question -----------------------------------

_DATE = (
    r"(?:\d{4}-\d{2}(?:-\d{2})?"
    rf"|\d{{1,2}}\s+(?:{MONTHS})\.?\s+\d{{4}}"
    rf"|(?:{MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|(?:{MONTHS})\.?\s+\d{{4}}"
    r"|(?:19|20)\d{2}s?)"
)
_PREPOSITION = r"(?:in|on|during|since|before|after|until|by|from|between|around|through|throughout|early|late|mid)"
_TIME = re.compile(
    rf"\b(?:(?P<prep>{_PREPOSITION})\s+)?(?P<first>{_DATE})(?:\s*(?:and|to|until|-|–)\s*(?P<last>{_DATE}))?\b",
    re.IGNORECASE,
)
_MONTH_WORDS = frozenset(MONTH_NUMBERS)
_DAY_WORDS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])

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
# Kinds of alias groups that act (and so can be "they"); events and laws are acted upon.
_ACTOR_KINDS = frozenset({"platform", "group", "organisation", "movement", "person"})

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
        return self.kind is None or self.kind in _ACTOR_KINDS


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
        full_date = re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}\s.*|\D+\s\d{1,2},?\s+\d{4}", self.dates[0])
        return f"{'on' if full_date else 'in'} {self.text}"


def time_frames(text: str) -> list[TimeFrame]:
    """Every date expression in `text`, in order."""
    found = []
    for match in _TIME.finditer(text):
        dates = tuple(d for d in (match.group("first"), match.group("last")) if d)
        found.append(TimeFrame(match.start(), match.end(), match.group(0), match.group("prep") or "", dates))
    return found


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
            (re.compile(_alias_regex(name)), canonical, kind)
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


def _alias_regex(name: str) -> str:
    escaped = re.escape(name)
    if len(name) <= 3 and name.isupper():
        return rf"\b{escaped}\b"
    return rf"(?i:\b{escaped}\b)"


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


# --- records -------------------------------------------------------------------------


@dataclass(frozen=True)
class CitedSource:
    """A citation as the audit trail keeps it: the document, and the exact passage and quote."""

    n: int
    path: str
    title: str
    publisher: str
    date: str
    url: str
    page: int | None
    chunk_id: str
    quote: str
    score: float
    author: str = ""
    passage: str = ""
    #: The extremist group whose own words the quote is (propaganda), or "".
    attributed_to: str = ""

    @classmethod
    def from_citation(cls, citation: Citation) -> CitedSource:
        hit, doc = citation.hit, citation.hit.document
        return cls(
            n=citation.n,
            path=doc.path,
            title=doc.title,
            publisher=doc.publisher,
            date=doc.date,
            url=doc.url,
            page=hit.page,
            chunk_id=hit.chunk_id,
            quote=citation.quote,
            score=round(hit.score, 6),
            author=doc.author,
            passage=hit.text,
            attributed_to=citation.attributed_to,
        )

    @classmethod
    def from_brief_source(cls, source: BriefSource, quote: BriefQuote | None) -> CitedSource:
        """A brief's source, with the first passage the brief quotes from it (if any)."""
        doc = source.document
        return cls(
            n=source.n,
            path=doc.path,
            title=doc.title,
            publisher=doc.publisher,
            date=doc.date,
            url=doc.url,
            page=quote.page if quote else None,
            chunk_id=quote.chunk_id if quote else "",
            quote=quote.text if quote else "",
            score=0.0,
            author=doc.author,
            passage=quote.text if quote else "",
            attributed_to=quote.attributed_to if quote else "",
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CitedSource:
        return cls(
            n=int(data.get("n", 0)),
            path=str(data.get("path", "")),
            title=str(data.get("title", "")),
            publisher=str(data.get("publisher", "")),
            date=str(data.get("date", "")),
            url=str(data.get("url", "")),
            page=int(data["page"]) if data.get("page") is not None else None,
            chunk_id=str(data.get("chunk_id", "")),
            quote=str(data.get("quote", "")),
            score=float(data.get("score", 0.0)),
            author=str(data.get("author", "")),
            passage=str(data.get("passage", "")),
            attributed_to=str(data.get("attributed_to") or ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "path": self.path,
            "title": self.title,
            "publisher": self.publisher,
            "date": self.date,
            "url": self.url,
            "page": self.page,
            "chunk_id": self.chunk_id,
            "quote": self.quote,
            "score": self.score,
            "author": self.author,
            "passage": self.passage,
            "propaganda": bool(self.attributed_to),
            "attributed_to": self.attributed_to or None,
        }

    @property
    def where(self) -> str:
        """Path (and page), then URL: enough to find the document again."""
        place = self.path + (f", page {self.page}" if self.page else "")
        return f"{place} · {self.url}" if self.url else place

    def reference(self) -> str:
        """A one-line citation an analyst can paste into a briefing."""
        who = self.publisher or "unknown publisher"
        when = self.date or "undated"
        quote = " ".join(self.quote.split())
        label = f" ({self.label})" if self.label else ""
        return f'{self.title or self.path} — {who}, {when} ({self.where}): "{quote}"{label}'

    @property
    def label(self) -> str:
        """ "Propaganda: the words of …" when the quote is an extremist group's own words, else ""."""
        return propaganda_label(self.attributed_to) if self.attributed_to else ""


@dataclass(frozen=True)
class IndexState:
    """What the index held when a question was answered."""

    documents: int
    chunks: int
    last_indexed: str | None

    @classmethod
    def from_status(cls, status: IndexStatus) -> IndexState:
        return cls(status.documents, status.chunks, status.last_indexed)

    def to_json(self) -> dict[str, Any]:
        return {"documents": self.documents, "chunks": self.chunks, "last_indexed": self.last_indexed}


@dataclass(frozen=True)
class ConversationInfo:
    """A saved conversation, without its turns."""

    id: int
    name: str
    title: str
    created_at: str
    updated_at: str
    turns: int = 0
    #: The OS user who started it; empty for conversations saved before owners were recorded.
    owner: str = ""


@dataclass(frozen=True)
class Turn:
    """One question and what came back, as recorded."""

    question: str
    rewritten_question: str
    status: str
    answer: str
    citations: tuple[CitedSource, ...] = ()
    index_state: IndexState | None = None
    backend: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    note: str = ""
    #: For a question the documents do not cover: the nearest documents, one line each.
    nearest: tuple[str, ...] = ()
    asked_at: str = ""
    id: int = 0
    conversation: str = ""
    #: The owner of the conversation the turn belongs to (see `ConversationInfo.owner`).
    owner: str = ""

    @classmethod
    def from_answer(
        cls,
        question: str,
        rewritten: str,
        answer: Answer,
        state: IndexState | None,
        filters: Filters | None = None,
    ) -> Turn:
        return cls(
            question=question,
            rewritten_question=rewritten,
            status=answer.status,
            answer=answer.text,
            citations=tuple(CitedSource.from_citation(c) for c in answer.citations),
            index_state=state,
            backend=answer.backend,
            filters=filters_json(filters),
            note=answer.note,
            nearest=nearest_documents(answer) if answer.status == "not_covered" else (),
        )

    @classmethod
    def from_brief(
        cls, question: str, topic: str, brief: Brief, state: IndexState | None, filters: Filters | None = None
    ) -> Turn:
        """A brief as a turn: its Markdown as the answer, and one cited quote per source."""
        # Imported here: briefs are rare next to questions, and every command imports this module.
        from assistant.brief_render import brief_markdown
        from assistant.briefing import first_quotes

        quotes = first_quotes(brief)
        return cls(
            question=question,
            rewritten_question=topic,
            status=brief.status,
            answer=brief_markdown(brief),
            citations=tuple(CitedSource.from_brief_source(s, quotes.get(s.n)) for s in brief.sources),
            index_state=state,
            backend=brief.backend,
            filters=filters_json(filters),
            note="; ".join(brief.notes),
        )

    def to_json(self) -> dict[str, Any]:
        """The `assistant history --json` record."""
        return {
            "conversation": self.conversation,
            "owner": self.owner,
            "asked_at": self.asked_at,
            "question": self.question,
            "rewritten_question": self.rewritten_question,
            "status": self.status,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "index_state": self.index_state.to_json() if self.index_state else None,
            "backend": self.backend,
            "filters": self.filters,
        }


def nearest_documents(answer: Answer, limit: int = 5) -> tuple[str, ...]:
    """One line per retrieved document, best first, for an answer that found nothing to cite."""
    lines: dict[str, str] = {}
    for hit in answer.retrieved:
        doc = hit.document
        if doc.path not in lines and len(lines) < limit:
            lines[doc.path] = (
                f"{doc.title or doc.path} ({doc.publisher or 'unknown'}, {doc.date or 'undated'}) · {doc.path}"
            )
    return tuple(lines.values())


def filters_json(filters: Filters | None) -> dict[str, str]:
    if filters is None:
        return {}
    return {k: v for k, v in (("since", filters.since), ("until", filters.until), ("source", filters.source)) if v}


BRIEF_COMMAND = "/brief"


def shows_rewrite(question: str, rewritten: str) -> bool:
    """Whether `rewritten` is worth showing beside `question` as what was searched.

    A brief's topic is its command line without the command, not a rewritten question.
    """
    if not rewritten or rewritten == question:
        return False
    return question != brief_question(rewritten)


def memory(turns: Sequence[Turn]) -> list[Exchange]:
    """The earlier exchanges a follow-up can lean on (answered or not covered, not failed)."""
    return [
        Exchange(t.rewritten_question or t.question, t.answer, tuple(c.date for c in t.citations if c.date))
        for t in turns
        if t.status in ("answered", "not_covered")
    ]


# --- the store -----------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    rewritten_question TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    index_state TEXT,
    backend TEXT NOT NULL DEFAULT '',
    filters TEXT NOT NULL DEFAULT '{}',
    note TEXT NOT NULL DEFAULT '',
    nearest TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, id);
"""
TITLE_CHARS = 60
# The layout this code writes. A store from a newer version (a higher `PRAGMA user_version`)
# is used as it is and never altered.
SCHEMA_VERSION = 0


def default_store_path(settings: Settings) -> Path:
    """Beside the index's other local state (see Settings.state_dir)."""
    return settings.state_dir / STORE_FILE


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def current_user() -> str:
    """The OS user running the assistant, recorded as the owner of the conversations they start."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        # No login name in the environment and none in the password database (e.g. a bare container).
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _has_owner(db: sqlite3.Connection) -> bool:
    return any(row[1] == "owner" for row in db.execute("PRAGMA table_info(conversations)"))


def _add_owner_column(db: sqlite3.Connection) -> None:
    """Bring a store written before owners were recorded up to date, in place.

    Only a column is added (its rows keep everything and get an empty owner); a store
    whose `user_version` says a newer version wrote it is left alone.
    """
    if _has_owner(db) or int(db.execute("PRAGMA user_version").fetchone()[0]) > SCHEMA_VERSION:
        return
    try:
        db.execute("ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT ''")
    except sqlite3.OperationalError as exc:
        # Another process added it between our look and our change.
        if "duplicate column" not in str(exc):
            raise


class ConversationStore:
    """Conversations and their turns in one SQLite file.

    Every call opens its own short connection, so the store can be used from
    worker threads as well as the UI thread. Reading a store that does not
    exist yet returns nothing and creates no file. `owner` (default: the OS
    user) is recorded with every conversation created, and is whose
    conversations and turns are listed unless `everyone` is asked for.
    """

    def __init__(self, path: Path, *, clock: Callable[[], str] = _now, owner: str | None = None) -> None:
        self.path = Path(path)
        self._clock = clock
        self.owner = owner if owner is not None else current_user()

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection | None]:
        if not write and not self.path.is_file():
            yield None
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as connection:
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA foreign_keys = ON")
            if write:
                connection.executescript(_SCHEMA)
                _add_owner_column(connection)
            with connection:
                yield connection

    def _mine(self, db: sqlite3.Connection, everyone: bool) -> tuple[str, tuple[str, ...]]:
        """A condition (on `c`, the conversations) selecting this owner's, and its arguments.

        Conversations saved before owners were recorded have none: they are listed for
        everyone, since any of them may be this user's.
        """
        if everyone or not _has_owner(db):
            return "1", ()
        return "c.owner IN (?, '')", (self.owner,)

    def create(self, name: str | None = None, title: str = "") -> ConversationInfo:
        """A new conversation; without a name it is called `conversation-<id>`."""
        now = self._clock()
        with self._connect(write=True) as db:
            assert db is not None
            cursor = db.execute(
                "INSERT INTO conversations (name, title, created_at, updated_at, owner) VALUES (?, ?, ?, ?, ?)",
                (name or f"pending-{now}-{os.getpid()}-{id(self)}", title, now, now, self.owner),
            )
            new_id = int(cursor.lastrowid or 0)
            if not name:
                name = f"conversation-{new_id}"
                db.execute("UPDATE conversations SET name = ? WHERE id = ?", (name, new_id))
        return ConversationInfo(new_id, name, title, now, now, 0, self.owner)

    def find(self, name: str) -> ConversationInfo | None:
        with self._connect(write=False) as db:
            if db is None:
                return None
            row = db.execute(_info_query(db) + " WHERE c.name = ? GROUP BY c.id", (name,)).fetchone()
        return _info(row) if row else None

    def get(self, conversation_id: int) -> ConversationInfo | None:
        with self._connect(write=False) as db:
            if db is None:
                return None
            row = db.execute(_info_query(db) + " WHERE c.id = ? GROUP BY c.id", (conversation_id,)).fetchone()
        return _info(row) if row else None

    def open(self, name: str) -> ConversationInfo:
        """The conversation called `name`, created if it does not exist yet."""
        return self.find(name) or self.create(name)

    def conversations(self, *, everyone: bool = False) -> list[ConversationInfo]:
        """This owner's conversations (everyone's with `everyone`), the most recently used first."""
        with self._connect(write=False) as db:
            if db is None:
                return []
            mine, args = self._mine(db, everyone)
            rows = db.execute(
                _info_query(db) + f" WHERE {mine} GROUP BY c.id ORDER BY c.updated_at DESC, c.id DESC", args
            ).fetchall()
        return [_info(row) for row in rows]

    def add_turn(self, conversation_id: int, turn: Turn) -> Turn:
        """Append a turn (never replaced or deleted) and return it as stored."""
        asked_at = turn.asked_at or self._clock()
        with self._connect(write=True) as db:
            assert db is not None
            cursor = db.execute(
                "INSERT INTO turns (conversation_id, asked_at, question, rewritten_question, status, answer,"
                " citations, index_state, backend, filters, note, nearest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    asked_at,
                    turn.question,
                    turn.rewritten_question,
                    turn.status,
                    turn.answer,
                    json.dumps([c.to_json() for c in turn.citations], ensure_ascii=False),
                    json.dumps(turn.index_state.to_json()) if turn.index_state else None,
                    turn.backend,
                    json.dumps(turn.filters),
                    turn.note,
                    json.dumps(list(turn.nearest), ensure_ascii=False),
                ),
            )
            db.execute(
                "UPDATE conversations SET updated_at = ?,"
                " title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?",
                (asked_at, _title(turn.question), conversation_id),
            )
            found = db.execute("SELECT name, owner FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return _replace_turn(
            turn, id=int(cursor.lastrowid or 0), asked_at=asked_at, conversation=found[0], owner=found[1]
        )

    def turns(self, conversation_id: int) -> list[Turn]:
        """A conversation's turns, oldest first."""
        return self._turns(" WHERE t.conversation_id = ?", (conversation_id,))

    def history(
        self,
        conversation: str | None = None,
        *,
        everyone: bool = False,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[Turn]:
        """Recorded turns, oldest first: of one conversation (by name, whoever owns it) if given,
        else of this owner's conversations (everyone's with `everyone`); asked on or after `since`;
        only the last `limit`.

        `since` is a date like 2024, 2024-03 or 2024-03-15 (UTC, as `asked_at`
        is stored); `limit` keeps the most recent turns.
        """
        clauses: list[str] = []
        args: list[Any] = []
        if conversation is not None:
            clauses.append("c.name = ?")
            args.append(conversation)
        if since:
            # asked_at is ISO 8601, so a date prefix compares as text: "2024-03-15T09:00" >= "2024-03".
            clauses.append("t.asked_at >= ?")
            args.append(since)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        anyone = everyone or conversation is not None
        if limit is None:
            return self._turns(where, tuple(args), everyone=anyone)
        return self._turns(where, tuple(args), everyone=anyone, newest=limit)[::-1]

    def _turns(
        self, where: str, args: tuple[Any, ...], *, everyone: bool = True, newest: int | None = None
    ) -> list[Turn]:
        """Matching turns oldest first, or (with `newest`) that many of the latest, newest first."""
        order = " ORDER BY t.id" if newest is None else " ORDER BY t.id DESC LIMIT ?"
        with self._connect(write=False) as db:
            if db is None:
                return []
            mine, owner_args = self._mine(db, everyone)
            if mine != "1":
                where, args = (where + " AND " if where else " WHERE ") + mine, args + owner_args
            owner = "c.owner" if _has_owner(db) else "''"
            rows = db.execute(
                f"SELECT t.*, c.name AS conversation, {owner} AS owner"
                " FROM turns t JOIN conversations c ON c.id = t.conversation_id" + where + order,
                args if newest is None else (*args, newest),
            ).fetchall()
        return [_turn(row) for row in rows]


def daily_conversation(asked_at: str, owner: str = "") -> str:
    """The conversation of one user's questions asked on one day without a named session.

    `cli-YYYY-MM-DD-OWNER` (`cli-YYYY-MM-DD` when the owner is unknown): each
    person sharing an index gets their own, so `history` lists it as theirs.
    """
    day = f"{DAILY_PREFIX}{asked_at[:10]}"
    return f"{day}-{owner}" if owner else day


def brief_question(topic: str) -> str:
    """How a brief is recorded as a question, in the chat's own words."""
    return f"{BRIEF_COMMAND} {topic}"


class AuditTrail:
    """The one way a front end records what it answered: every question, answer and brief, as a turn.

    The CLI (`ask` with or without `--session`, `brief`) and the chat all
    record through here, so the rules live in one place: a turn goes into the
    conversation named (or given by id); without one (a plain `assistant ask`)
    into the day's conversation (`daily_conversation`), so `assistant history`
    lists it. When `enabled` is false (the `audit` setting, `--no-audit`)
    nothing is written and the turn comes back unsaved.
    """

    def __init__(self, store: ConversationStore, *, enabled: bool = True, clock: Callable[[], str] = _now) -> None:
        self.store = store
        self.enabled = enabled
        self._clock = clock

    @classmethod
    def for_settings(cls, settings: Settings, *, enabled: bool | None = None) -> AuditTrail:
        """The trail beside the index the settings point at; `enabled` overrides the `audit` setting."""
        return cls(
            ConversationStore(default_store_path(settings)), enabled=settings.audit if enabled is None else enabled
        )

    def record(self, turn: Turn, conversation: str | int | None = None) -> Turn:
        """Append `turn` (unless the trail is off) and return it as stored."""
        if not self.enabled:
            return turn
        conversation_id = conversation if isinstance(conversation, int) else self._open(conversation)
        return self.store.add_turn(conversation_id, turn)

    def answer(
        self,
        question: str,
        answer: Answer,
        state: IndexState | None,
        *,
        rewritten: str | None = None,
        filters: Filters | None = None,
        conversation: str | int | None = None,
    ) -> Turn:
        """Record an answered or not-covered question (`rewritten`: what was searched, if different)."""
        turn = Turn.from_answer(question, rewritten or question, answer, state, filters)
        return self.record(turn, conversation)

    def brief(
        self,
        topic: str,
        brief: Brief,
        state: IndexState | None,
        *,
        filters: Filters | None = None,
        conversation: str | int | None = None,
    ) -> Turn:
        """Record a brief on `topic` (as the question `/brief TOPIC`)."""
        return self.record(Turn.from_brief(brief_question(topic), topic, brief, state, filters), conversation)

    def _open(self, name: str | None) -> int:
        name = name or daily_conversation(self._clock(), self.store.owner)
        try:
            return self.store.open(name).id
        except sqlite3.IntegrityError:
            # Another process created the same conversation between our look-up and insert.
            found = self.store.find(name)
            if found is None:
                raise
            return found.id


def _info_query(db: sqlite3.Connection) -> str:
    # A store not written to since before owners were recorded has no owner column yet.
    owner = "c.owner" if _has_owner(db) else "''"
    return (
        f"SELECT c.id, c.name, c.title, c.created_at, c.updated_at, COUNT(t.id) AS turns, {owner} AS owner"
        " FROM conversations c LEFT JOIN turns t ON t.conversation_id = c.id"
    )


def _title(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def _info(row: sqlite3.Row) -> ConversationInfo:
    return ConversationInfo(
        int(row["id"]),
        row["name"],
        row["title"],
        row["created_at"],
        row["updated_at"],
        int(row["turns"]),
        row["owner"] or "",
    )


def _turn(row: sqlite3.Row) -> Turn:
    state = json.loads(row["index_state"]) if row["index_state"] else None
    return Turn(
        question=row["question"],
        rewritten_question=row["rewritten_question"],
        status=row["status"],
        answer=row["answer"],
        citations=tuple(CitedSource.from_json(c) for c in json.loads(row["citations"])),
        index_state=IndexState(int(state["documents"]), int(state["chunks"]), state.get("last_indexed"))
        if state
        else None,
        backend=row["backend"],
        filters=json.loads(row["filters"]),
        note=row["note"],
        nearest=tuple(json.loads(row["nearest"])),
        asked_at=row["asked_at"],
        id=int(row["id"]),
        conversation=row["conversation"],
        owner=row["owner"] or "",
    )


def _replace_turn(turn: Turn, **changes: Any) -> Turn:
    return replace(turn, **changes)


# --- export --------------------------------------------------------------------------


def export_markdown(title: str, turns: Sequence[Turn]) -> str:
    """A conversation as Markdown: every question and answer, each with its sources and quotes.

    The heading is the first question in full: the stored title is shortened for lists.
    """
    first = " ".join(turns[0].question.split()) if turns else ""
    if first and (not title or title == _title(first)):
        title = first
    lines = [f"# {title or 'Briefing conversation'}", ""]
    cited: dict[str, CitedSource] = {}
    for number, turn in enumerate(turns, 1):
        lines += [f"## {number}. {turn.question}", ""]
        if shows_rewrite(turn.question, turn.rewritten_question):
            lines += [f"*Searched as: {turn.rewritten_question}*", ""]
        details = [f"asked {turn.asked_at}"] if turn.asked_at else []
        if turn.index_state:
            details.append(f"index: {turn.index_state.documents} documents, {turn.index_state.chunks} chunks")
        if turn.backend:
            details.append(f"backend: {turn.backend}")
        if turn.filters:
            details.append("filters: " + ", ".join(f"{k} {v}" for k, v in turn.filters.items()))
        if details:
            lines += [f"<small>{' · '.join(details)}</small>", ""]
        if turn.status == "not_covered":
            lines += ["**Not covered by the indexed documents.**", ""]
        elif turn.status not in ("answered",):
            lines += [f"**{turn.status.replace('_', ' ').capitalize()}.**", ""]
        lines += [turn.answer or "(no answer)", ""]
        if turn.nearest:
            lines += ["Nearest documents:", "", *[f"- {line}" for line in turn.nearest], ""]
        if turn.citations:
            lines += ["**Sources**", ""]
            for c in turn.citations:
                lines.append(
                    f"[{c.n}] **{c.title or c.path}** — {c.publisher or 'unknown publisher'}, "
                    f"{c.date or 'undated'} · {c.where}"
                )
                lines.append("")
                lines.append("> " + " ".join(c.quote.split()))
                lines.append("")
                if c.label:
                    lines += [f"*{c.label}.*", ""]
                cited.setdefault(c.path, c)
    if cited:
        lines += ["## All sources cited", ""]
        for c in sorted(cited.values(), key=lambda c: (c.date, c.title)):
            # Only a web address becomes a link; a javascript: or data: URL stays text.
            link = (f" <{c.url}>" if web_link(c.url) else f" ({markdown_text(c.url)})") if c.url else ""
            lines.append(
                f"- **{c.title or c.path}** — {c.publisher or 'unknown publisher'}, "
                f"{c.date or 'undated'} · `{c.path}`{link}"
            )
        lines.append("")
    return "\n".join(lines)
