"""Follow-up rewriting: a question that leans on earlier turns becomes a standalone one.

`FollowUpRewriter` turns a question that leans on earlier turns ("and
YouTube?", "what happened after that?", "what did they do next?") into a
standalone question before retrieval. It is rule-based: it carries over the
names (capitalised names and the alias table's names), the key noun phrases
("US federal prosecutors", "the legal tool") and the time frame (years and
dates, read by `assistant.text.dates.time_frames`) of earlier turns. A pronoun
or a phrase that points back ("that approach", "the domestic groups") is
replaced by the earlier noun phrase it stands for; a person the earlier answer
named stands in for "he" or "she". Retrieval only ever sees the rewritten
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
from assistant.text.sentences import sentence_spans
from assistant.text.words import QUESTION_WORDS, STOPWORDS, content_words, words

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
# "after that" points back in time by itself; "in that" only with a word for time ("in that
# year"), since "in that operation" points back at an event, not a date.
_TEMPORAL_REFERENCE = re.compile(
    r"\b(?P<prep>after|before|since|until|following|prior to)\s+(?:that|then|this)"
    r"(?:\s+(?:time|year|period|point))?\b"
    r"|\b(?P<at>by|at|in|during)\s+(?:that|then|this)\s+(?:time|year|period|point)\b"
    r"|\b(?P<at_then>by|at|in|during)\s+then\b"
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

# --- noun phrases that a follow-up points back to --------------------------------------

# Head nouns that name a kind of thing rather than the thing itself: "that approach" means the
# earlier turn's technique, "the domestic groups" its domestic extremists. Nouns of one set may
# stand for each other.
_NOUN_KINDS: tuple[frozenset[str], ...] = tuple(
    frozenset(line.split())
    for line in """
    approach method technique tactic strategy tool system measure practice technology process mechanism
    programme program policy law rule initiative effort campaign plan scheme power provision statute
    study report paper research survey analysis article document investigation review book transcript
    group organisation organization movement network people individuals members supporters extremists
    militants activists users followers actors
    platform site website service company firm app forum channel
    operation takedown crackdown raid sweep action attack shooting incident event
    """.strip().splitlines()
)
_KIND_NOUNS = frozenset().union(*_NOUN_KINDS)
# "that approach", "these groups": a determiner that points back, and the words of its noun phrase.
_DEMONSTRATIVE = re.compile(
    # A lookahead, so "the limits of that approach" yields "that approach" as well.
    r"\b(?P<det>that|this|those|these|the)\s+(?=(?P<words>(?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*))",
    re.IGNORECASE,
)
# After these a question's subject comes, then its verb ("did the forum adopt ...").
_AUXILIARIES = frozenset({"do", "does", "did", "can", "could", "would", "will", "should", "might", "may", "must"})
# The other verbs a question puts before its subject ("what tool were prosecutors using").
_INVERTED = frozenset({"is", "are", "was", "were", "has", "have", "had"})
_MODALS = _AUXILIARIES - {"do", "does", "did"}
# Words after an asked-for phrase that start no clause worth carrying: a preposition or article ("what tool
# in 2019"), or "do", "does", "did", whose verb would need inflecting ("did the forum adopt").
_NO_CLAUSE = (STOPWORDS - _INVERTED - _MODALS) | (_AUXILIARIES - _MODALS)
# Where the first part of a question ends: "what tool did they use, and how well did it work?"
_CLAUSE_END = re.compile(r"[?;]|,?\s+(?:and|but)\s+(?:what|which|who|how|when|where|why)\b", re.IGNORECASE)
# Verbs among the stopwords: a run that ends at one of them holds no verb of its own.
_VERB_STOPWORDS = frozenset({"have", "has", "had", "be", "been", "being", "do", "does", "did", "said", "says"})
# The word a noun phrase ends before: a question's verb or a preposition is not part of it.
_PHRASE_WORD = re.compile(r"[\w'’-]+|[^\w\s]")


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


@dataclass(frozen=True)
class NounPhrase:
    """A run of content words in a text ("US federal prosecutors", "legal tool")."""

    start: int
    end: int
    text: str
    #: Asked for by "what" or "which" ("what legal tool did ..."): the thing the answer names.
    asked: bool = False

    @property
    def words(self) -> list[str]:
        return [_base(w) for w in words(self.text)]

    @property
    def head(self) -> str:
        return self.words[-1] if self.words else ""

    @property
    def plural(self) -> bool:
        """Ends in a plural common noun ("prosecutors"), so "they" may stand for it."""
        return _plural(self.text.split()[-1])


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
    def noun_phrases(text: str) -> list[NounPhrase]:
        """Runs of content words in `text`, in order; dates, question words and verbs of asking end a run."""
        dated = [(t.start, t.end) for t in time_frames(text)]
        found: list[NounPhrase] = []
        run: list[re.Match[str]] = []
        previous = ""  # the word before the run
        auxiliary = False  # "did", "can" ... since the last run: the run ends in the question's verb
        for token in [*_PHRASE_WORD.finditer(text), None]:
            word = token.group(0) if token else "."
            lowered = word.lower().strip("'’")
            ends = (
                token is None
                or not word[0].isalnum()
                or any(start <= token.start() < end for start, end in dated)
                or lowered in _STARTERS | _QUESTION_STARTS | _MONTH_WORDS | _DAY_WORDS
                or lowered.isdigit()
            )
            if not ends and token is not None:
                run.append(token)
                continue
            if run:
                # "did neo-Nazi forums move": the last word is the verb, unless a verb ended the run.
                if auxiliary and len(run) > 1 and lowered not in _VERB_STOPWORDS:
                    run.pop()
                # "which search technique sent people looking": what is asked for ends at its kind noun.
                kinds = [i for i, t in enumerate(run) if _base(t.group(0).lower()) in _KIND_NOUNS]
                if previous in ("what", "which") and kinds and len(run) - kinds[0] > 2:
                    del run[kinds[0] + 1 :]
                start, end = run[0].start(), run[-1].end()
                found.append(NounPhrase(start, end, text[start:end], previous in ("what", "which")))
                run.clear()
                auxiliary = False
            auxiliary = auxiliary or lowered in _AUXILIARIES
            previous = lowered
        return found

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

        phrases = self.noun_phrases(context_question)
        lead = _lead_sentence(exchanges[-1].answer, context_question + " " + text)
        pronouns = [m for m in _PRONOUN.finditer(text) if not self._expletive(text, m)]
        temporal = _TEMPORAL_REFERENCE.search(text)
        short = len(content_words(text)) <= SHORT_QUESTION_WORDS and not own and not own_times
        # "that approach", "these groups": a determiner that points back to an earlier phrase.
        pointing = any(det.lower() != "the" for det, _, _, _ in self._pointers(text, phrases, lead))
        if not (led or pronouns or temporal or short or pointing):
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
                start = reference.start()
                if not _preposition(reference):
                    # "in the same period": the date brings its own preposition.
                    before_date = re.search(r"\b(?:in|during|at|over|for)\s+$", body[:start], re.IGNORECASE)
                    start = before_date.start() if before_date else start
                body = body[:start] + _resolve_time(reference, before_time) + body[reference.end() :]
                time_used = True
        pointers = self._pointers(body, phrases, lead, asked_in=context_question)
        body = _apply(body, [(start, end, text) for _, start, end, text in pointers])
        if not own:
            known = {m.key for m in before}
            body = self._replace_pronoun(body, before, phrases, [m for m in self.mentions(lead) if m.key not in known])
        present = {m.key for m in self.mentions(body)}
        missing = [m.text for m in before if m.key not in present]
        parts = []
        if missing:
            parts.append("about " + _join(missing))
        # A date taken from an answer resolves "after that", but is not added on its own:
        # it may be incidental to what was asked.
        # An earlier question's clause brought in with what it asked for may bring its date along.
        time_used = time_used or bool(time_frames(body))
        if before_time is not None and asked_time and not own_times and not time_used:
            phrase = before_time.phrase()
            parts.append(phrase[:1].lower() + phrase[1:] if before_time.preposition else phrase)
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

    def _pointers(
        self, text: str, phrases: list[NounPhrase], lead: str = "", asked_in: str = ""
    ) -> list[tuple[str, int, int, str]]:
        """Phrases of `text` that point back ("that approach", "the domestic groups"), with what they stand for.

        Each is (determiner, start, end, the earlier noun phrase that replaces it). "that", "this",
        "those" and "these" stand for an earlier phrase that shares a word with them, else one whose
        head is the same kind of thing ("approach" for "technique"), else the thing the earlier
        question asked for ("what technique ..."); "the" only for a phrase that shares a word. The
        earlier answer's `lead` sentence is looked at after the question ("that study" the answer cited).
        The thing an earlier question (`asked_in`, whose `phrases` they are) asked for is only known by
        what that question said of it, so it comes with that clause: "that approach" after "what technique
        were YouTube and Facebook using to take videos down?" is "the technique YouTube and Facebook were
        using to take videos down".
        """
        found = []
        own_phrases = phrases
        phrases = phrases + self.noun_phrases(lead)
        for match in _DEMONSTRATIVE.finditer(text):
            det = match.group("det")
            kept: list[str] = []
            for word in match.group("words").split():
                if word.lower() in STOPWORDS | _QUESTION_STARTS:
                    break
                kept.append(word)
            # "that approach work": the longest start of the words that names something earlier.
            for size in range(len(kept), 0, -1):
                target = self._antecedent(det, kept[:size], phrases)
                head = _base(kept[size - 1].lower())
                if target is not None and (size == 1 or head in _KIND_NOUNS or head in target.words):
                    article = "The" if det[0].isupper() else "the"
                    end = match.start("words") + len(" ".join(kept[:size]))
                    said = self._defining_clause(asked_in, target) if target.asked and target in own_phrases else ""
                    found.append((det, match.start(), end, " ".join(filter(None, (article, target.text, said)))))
                    break
        return found

    def _defining_clause(self, question: str, phrase: NounPhrase) -> str:
        """What `question` says of the thing it asks for (`phrase`), as a clause after it, or "".

        "what technique were YouTube and Facebook using to ..." gives "YouTube and Facebook were using to
        ...": an auxiliary before named subjects moves after them, and a verb straight after the phrase gets
        "that" ("what tool let them ..." gives "that let them ..."). The clause ends with the question's
        first part. Two forms give "": an auxiliary before a subject that is not a name (where that subject
        ends cannot be told without parsing), and "do", "does" or "did" ("did the forum adopt" would need
        the verb inflected: "the forum adopted").
        """
        rest = _CLAUSE_END.split(question[phrase.end :], maxsplit=1)[0].strip(" ,")
        first, _, after = rest.partition(" ")
        if not rest or first.lower() in _NO_CLAUSE:
            return ""
        if first.lower() not in _MODALS | _INVERTED:
            return f"that {rest}"
        mentions = self.mentions(after)
        opening = next((m for m in mentions if m.start == 0), None)
        if opening is None:
            return ""
        end = _coordinated(after, opening, mentions)[-1].end
        # "can Copper County prosecutors use": the name is only the start of the subject.
        following = re.match(r" ([a-z][\w-]*)", after[end:])
        if following is None or _plural(following.group(1)):
            return ""
        return f"{after[:end]} {first}{after[end:]}"

    @staticmethod
    def _antecedent(det: str, kept: list[str], phrases: list[NounPhrase]) -> NounPhrase | None:
        """The earlier noun phrase that `det` + `kept` ("that approach") stands for, if any."""
        own = [_base(w) for w in words(" ".join(kept))]
        if not own:
            return None
        head = own[-1]
        plural = head != words(kept[-1])[-1]
        # "found that platforms removed": "that" before a plural noun joins clauses, it points nowhere.
        if (det.lower() in ("that", "this") and plural) or (det.lower() in ("those", "these") and not plural):
            return None
        # "that tool" after "which tool let ...": the same words, but the earlier tool is known by its clause.
        candidates = [p for p in phrases if p.words and (p.words != own or p.asked)]
        target = next((p for p in candidates if set(own) & set(p.words)), None)
        if target is None and det.lower() != "the" and head in _KIND_NOUNS:
            kind = next(k for k in _NOUN_KINDS if head in k)
            target = next((p for p in candidates if p.head in kind), None)
            target = target or next((p for p in candidates if p.asked), None)
        if det.lower() == "the" and head not in _KIND_NOUNS:
            return None
        return target

    def _replace_pronoun(
        self, body: str, before: list[Mention], phrases: list[NounPhrase], answered: list[Mention]
    ) -> str:
        """Replace the first pronoun of each kind (he/she, it, they) with what it stands for.

        `phrases` are the earlier question's noun phrases, `answered` the new names in the earlier
        answer's lead sentence (who "he" is when the question asked "which organiser ...").
        """
        # A name inside a plural phrase ("Islamic State supporters") is not what "it" stands for.
        plural = [p for p in phrases if p.plural]
        alone = [m for m in before if not any(p.start <= m.start < p.end for p in plural)]
        edits: list[tuple[int, int, str]] = []
        done: set[str] = set()
        for match in _PRONOUN.finditer(body):
            if self._expletive(body, match):
                continue
            word = match.group(0).lower()
            kind = "person" if word in _PERSONAL else "thing" if word in ("it", "its") else "group"
            if kind in done:
                continue
            done.add(kind)
            if kind == "person":
                people = [m for m in before if m.kind == "person" or (m.kind is None and " " in m.text)]
                people = people or [m for m in answered if m.kind == "person" or (m.kind is None and " " in m.text)]
                referents = [m.referent for m in people[:1]]
            elif kind == "thing":
                things = [m.referent for m in alone if m.kind != "person"][:1]
                asked = [f"the {p.text}" for p in phrases if p.asked and not p.plural]
                # "Which campaign did the State Department launch? Who ran it?": the thing asked for,
                # when it is a kind of thing (a campaign, a tool, a report), not the name beside it.
                kinds = [a for a in asked if _base(a.split()[-1].lower()) in _KIND_NOUNS]
                referents = kinds[:1] or things or asked[:1] or [m.referent for m in before[:1]]
            else:
                referents = self._group(body, before, phrases)
            if not referents:
                continue
            phrase = _join(referents)
            if word in _POSSESSIVES and not (word == "her" and _object_her(body, match)):
                phrase += "'s"
            edits.append((match.start(), match.end(), phrase))
        return _apply(body, edits)

    @staticmethod
    def _group(body: str, before: list[Mention], phrases: list[NounPhrase]) -> list[str]:
        """What "they" stands for: the earlier question's first plural phrase ("US federal prosecutors")
        if it comes before its first name, else its actors by name."""
        own = set(words(body))
        for phrase in phrases:
            named = any(phrase.start <= m.start < phrase.end or m.start <= phrase.start < m.end for m in before)
            if phrase.plural and not own & set(phrase.words):
                return [phrase.text]
            if named:
                break
        return [m.referent for m in before if m.actor][:3] or [m.referent for m in before[:3]]


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


def _preposition(reference: re.Match[str]) -> str:
    """The preposition of a reference back in time ("after" in "after that"); "" for "that year"."""
    return reference.group("prep") or reference.group("at") or reference.group("at_then") or ""


def _resolve_time(reference: re.Match[str], frame: TimeFrame) -> str:
    preposition = (_preposition(reference) or "in").lower()
    if preposition in ("at", "during"):
        preposition = "in"
    if preposition in ("in",) and frame.preposition:
        return frame.text
    # After a range means after its end; before a range means before its start.
    date = frame.dates[-1] if preposition in ("after", "since", "following") else frame.dates[0]
    return f"{preposition} {date}"


def _lead_sentence(answer: str, asked: str) -> str:
    """The sentence of `answer` that shares most words with what was asked (the earliest of equals)."""
    wanted = set(content_words(asked))
    best, score = "", 0
    for span in sentence_spans(answer):
        sentence = answer[span.start : span.end]
        shared = len(wanted & set(content_words(sentence)))
        if shared > score:
            best, score = sentence, shared
    return best


def _plural(word: str) -> bool:
    """A plural common noun by its look ("prosecutors", not "Paris", "press" or "status")."""
    return word.islower() and len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _base(word: str) -> str:
    """A word without its plural ending, so "groups" and "group" compare equal."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _join(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
