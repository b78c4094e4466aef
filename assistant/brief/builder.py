"""Briefings on a topic: BLUF, key judgments, evidence, timeline, actors, graded sources, gaps.

A brief is built from several searches, one per facet of the topic (what
happened, what was done, the figures, the criticism, what followed). Every
sentence a brief states is a verbatim sentence of an indexed document, or
(with a generative backend) a generated sentence attributed after the fact
to one; nothing is taken from a model's memory.

The rules that turn evidence into estimative language are fixed and
documented here, so the same index and topic always give the same brief:

- Two sentences *agree* when they share most of their distinctive words
  (the topic's own words do not count) and do not give different figures.
  Sources are *independent* when both publisher and source file differ.
- A key judgment's likelihood (ICD 203 terms) comes from how many independent
  sources agree with it and how reliable the best of them is; its confidence
  (low, moderate, high) from how many of those sources are graded A or B.
  The two never share a sentence.
- A sentence in which an extremist group or its media speaks ("IS claimed",
  "in a video, the group said") is labelled with the group, is never the basis
  of a judgment, and does not confirm anything on its own.

The weights of a claim's score and the sizes of the sections come from a
`BriefTuning` (the sentence scores beneath them from an `AnswerTuning`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from assistant.answer.attribution import post_label
from assistant.answer.evidence import (
    Sentence,
    agree,
    candidate_sentences,
    judge_coverage,
    needs_context,
    overlap_share,
    set_aside,
    similar,
    term_weights,
)
from assistant.brief.grading import CREDIBILITY, RELIABILITY, GradeTable, credibility, publisher_name
from assistant.domain import DocumentInfo, Hit
from assistant.search.retrieval import Retrieval
from assistant.text.aliases import ACTOR_KINDS, AliasGroup, AliasTable
from assistant.text.apparatus import about_the_page, display_text, finished, reads_as_prose
from assistant.text.dates import event_date
from assistant.text.figures import NUMBER_WORDS, figures, has_figure
from assistant.text.instructions import strip_instructions
from assistant.text.names import name_regex
from assistant.text.sentences import CONNECTIVES
from assistant.text.speech import quotes_someone
from assistant.text.words import STOPWORDS, content_words, words
from assistant.tuning import DEFAULTS, Tuning

LIKELIHOOD_TERMS = (
    "almost no chance",
    "very unlikely",
    "unlikely",
    "roughly even chance",
    "likely",
    "very likely",
    "almost certain",
)
CONFIDENCE_LEVELS = ("low", "moderate", "high")

Status = Literal["answered", "not_covered"]


@dataclass(frozen=True)
class Facet:
    """One angle on the topic: its own search, and words that show a sentence speaks to it."""

    key: str
    heading: str
    question: str
    #: Words that show a sentence speaks to the facet (what happened and the figures have their own tests).
    cue: re.Pattern[str] | None = None

    def ask(self, topic: str) -> str:
        return self.question.format(topic=topic)


FACETS = (
    Facet("overview", "Overview", "{topic}"),
    # A sentence speaks to "what happened" when it names a date (see `_speaks_to`).
    Facet("events", "What happened", "What happened, and when? {topic}"),
    Facet(
        "actions",
        "Responses and measures",
        "What did platforms, companies and governments do: removals, bans, policy or legal changes? {topic}",
        re.compile(
            r"\b(remov|delet|ban(?:s|ned)?\b|block|suspend|took down|take down|taken down|hash|polic|law\b|laws\b"
            r"|rule|moderat|report(?:ed|ing)? to|flag|restrict|shut|terminat|prohibit|label|fine[ds]?\b|regulat"
            r"|launch|pledge|agree|commit|introduc|classif|crim)",
            re.IGNORECASE,
        ),
    ),
    # A sentence speaks to the scale when it reports a figure (see `_speaks_to`).
    Facet("scale", "Scale and figures", "How many posts, videos, accounts, views or removals, and how fast? {topic}"),
    Facet(
        "criticism",
        "Criticism and limits",
        "What criticism, failures or shortcomings were reported? {topic}",
        re.compile(
            r"\b(critici|critic|fail|slow|too late|despite|however|loophole|shortcom|limitation|struggl|accus"
            r"|inadequa|not enough|evad|circumvent|blame|concern|warn|unable|could not|did not|too little)",
            re.IGNORECASE,
        ),
    ),
    Facet(
        "outlook",
        "What followed",
        "What changed afterwards, and what is still unresolved? {topic}",
        re.compile(
            r"\b(since then|afterwards|after the|in the wake|led to|prompted|resulted|new\b|launched|introduc"
            r"|future|plans? to|call(?:ed)? for|summit|unresolved|open question|since the|years? later|anniversary)",
            re.IGNORECASE,
        ),
    ),
)
# Facets whose findings become key judgments (what happened is the timeline's).
_JUDGED = frozenset({"actions", "scale", "criticism", "outlook"})
_LIKELIHOOD_PHRASE = {
    "almost no chance": "there is almost no chance that",
    "very unlikely": "it is very unlikely that",
    "unlikely": "it is unlikely that",
    "roughly even chance": "there is a roughly even chance that",
    "likely": "it is likely that",
    "very likely": "it is very likely that",
    "almost certain": "it is almost certain that",
}


# --- the brief ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefQuote:
    """The exact words of a source behind a statement of the brief."""

    n: int
    text: str
    chunk_id: str
    page: int | None = None
    #: The extremist group or outlet whose words these are, when it is one speaking.
    attributed_to: str = ""
    #: Who posted them and when, when they are a post of a table of posts ("Post by @desk, 12 June 2014"):
    #: the brief says so as answers do (see `assistant.answer.attribution.post_label`).
    posted: str = ""


@dataclass(frozen=True)
class Statement:
    """A sentence of the bottom line, with its sources."""

    text: str
    citations: tuple[int, ...]
    quotes: tuple[BriefQuote, ...]
    supported: bool = True


@dataclass(frozen=True)
class Judgment:
    text: str
    likelihood: str
    confidence: str
    #: Why: the count of agreeing independent sources and their grades.
    basis: str
    citations: tuple[int, ...]
    quotes: tuple[BriefQuote, ...]


@dataclass(frozen=True)
class EvidenceItem:
    text: str
    facet: str
    citations: tuple[int, ...]
    quotes: tuple[BriefQuote, ...]
    attributed_to: str = ""


@dataclass(frozen=True)
class TimelineEvent:
    date: str
    event: str
    citations: tuple[int, ...]
    quotes: tuple[BriefQuote, ...]
    #: "text" when the sentence states the date; "publication" when it is the source's date.
    dated_by: str = "text"


@dataclass(frozen=True)
class Actor:
    name: str
    aliases: tuple[str, ...]
    kind: str
    mentions: int
    citations: tuple[int, ...]


@dataclass(frozen=True)
class BriefSource:
    """A cited document with its Admiralty grades."""

    n: int
    document: DocumentInfo
    reliability: str
    reliability_note: str
    credibility: int
    #: Independent sources that confirm something this one says.
    corroborated_by: tuple[int, ...] = ()

    @property
    def reliability_label(self) -> str:
        return RELIABILITY[self.reliability]

    @property
    def credibility_label(self) -> str:
        return CREDIBILITY[self.credibility]


@dataclass(frozen=True)
class Gap:
    question: str
    reason: str


@dataclass(frozen=True)
class Brief:
    topic: str
    status: Status
    bluf: tuple[Statement, ...]
    judgments: tuple[Judgment, ...]
    evidence: tuple[EvidenceItem, ...]
    timeline: tuple[TimelineEvent, ...]
    actors: tuple[Actor, ...]
    sources: tuple[BriefSource, ...]
    gaps: tuple[Gap, ...]
    generated: str = ""
    filters: str = ""
    backend: str = "extractive"
    model: str = ""
    notes: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: Retrieved sentences left out because they address the assistant or tell the reader what to answer.
    set_aside: int = 0

    @property
    def bluf_text(self) -> str:
        return " ".join(_with_markers(s.text, s.citations, s.supported) for s in self.bluf)


def _with_markers(text: str, citations: Iterable[int], supported: bool = True) -> str:
    markers = "".join(f"[{n}]" for n in citations)
    if not supported:
        markers = "[unsupported]"
    return f"{text} {markers}".strip()


# --- building blocks ------------------------------------------------------------------------


def _independent(a: DocumentInfo, b: DocumentInfo) -> bool:
    same_file = (a.source_path or a.path) == (b.source_path or b.path)
    return not same_file and _publisher_key(a) != _publisher_key(b)


def _publisher_key(doc: DocumentInfo) -> str:
    return publisher_name(doc.publisher).lower() or doc.source_path or doc.path


@dataclass
class _Claim:
    sentence: Sentence
    #: The facets whose searches found this sentence and whose cue it matches, first finder first.
    facets: list[str]
    relevance: float
    #: How much the sentence itself (not its passage) is about the topic.
    own_relevance: float
    score: float
    distinctive: frozenset[str]
    figures: frozenset[str]
    speaker: str
    date: str
    #: "text" when the sentence names the date, "publication" when it is the document's date.
    dated_by: str
    #: Whether the sentence reads as a finding (no quotation, no talk about the page itself).
    plain: bool
    agrees_with: list[_Claim] = field(default_factory=list)

    @property
    def hit(self) -> Hit:
        return self.sentence.hit

    @property
    def doc(self) -> DocumentInfo:
        return self.sentence.hit.document

    @property
    def quote(self) -> str:
        return self.sentence.text

    @property
    def text(self) -> str:
        return display_text(self.sentence.text)

    def independent_support(self) -> list[_Claim]:
        """One agreeing claim per other independent publisher (group words never count)."""
        chosen: dict[str, _Claim] = {}
        for other in sorted(self.agrees_with, key=lambda c: -c.score):
            if other.speaker:
                continue
            chosen.setdefault(_publisher_key(other.doc), other)
        return list(chosen.values())


class _Numbering:
    """Brief-wide source numbers, given in order of first citation."""

    def __init__(self, grades: GradeTable) -> None:
        self.grades = grades
        self.order: list[DocumentInfo] = []
        self.claims: dict[str, list[_Claim]] = {}

    def number(self, doc: DocumentInfo) -> int:
        for n, known in enumerate(self.order, 1):
            if known.path == doc.path:
                return n
        self.order.append(doc)
        return len(self.order)

    def cite(self, claim: _Claim) -> tuple[int, BriefQuote]:
        n = self.number(claim.doc)
        self.claims.setdefault(claim.doc.path, [])
        if claim not in self.claims[claim.doc.path]:
            self.claims[claim.doc.path].append(claim)
        return n, BriefQuote(n, claim.quote, claim.hit.chunk_id, claim.hit.page, claim.speaker, post_label(claim.doc))

    def cite_all(self, claims: Iterable[_Claim]) -> tuple[tuple[int, ...], tuple[BriefQuote, ...]]:
        numbers: list[int] = []
        quotes: list[BriefQuote] = []
        for claim in claims:
            n, quote = self.cite(claim)
            if n not in numbers:
                numbers.append(n)
            quotes.append(quote)
        return tuple(numbers), tuple(quotes)

    def sources(self) -> tuple[BriefSource, ...]:
        listed = []
        by_path = {doc.path: n for n, doc in enumerate(self.order, 1)}
        for n, doc in enumerate(self.order, 1):
            grade = self.grades.grade_document(doc)
            claims = self.claims.get(doc.path, [])
            confirming = sorted(
                {
                    by_path[other.doc.path]
                    for claim in claims
                    if not claim.speaker
                    for other in claim.independent_support()
                    if other.doc.path in by_path
                }
            )
            only_group_words = bool(claims) and all(c.speaker for c in claims)
            listed.append(
                BriefSource(
                    n=n,
                    document=doc,
                    reliability=grade.reliability,
                    reliability_note=grade.note,
                    credibility=credibility(
                        grade.reliability, confirmed=bool(confirming), only_group_words=only_group_words
                    ),
                    corroborated_by=tuple(confirming),
                )
            )
        return tuple(listed)


def likelihood_of(independent: int, grades: list[str]) -> str:
    """The ICD 203 term for a claim made by `independent` agreeing sources with these grades."""
    best = min(grades) if grades else "F"
    strong = best in ("A", "B")
    if independent >= 3:
        return "almost certain" if strong else "very likely"
    if independent == 2:
        return "very likely" if strong else "likely"
    if strong:
        return "likely"
    if best == "C":
        return "roughly even chance"
    if best in ("D", "E"):
        return "unlikely"
    return "roughly even chance"


def confidence_of(independent: int, grades: list[str]) -> str:
    """How much the analyst can rest on the judgment, from the quality of its sources."""
    strong = sum(1 for g in grades if g in ("A", "B"))
    if independent >= 3 and strong >= 2:
        return "high"
    if independent >= 2 or strong >= 1:
        return "moderate"
    return "low"


# Words that open sentences without being names, beyond the stop words (with numbers spelled
# out at the start of a sentence: "Fifty people died ...").
_OPENERS = NUMBER_WORDS | frozenset(
    [
        "since",
        "although",
        "though",
        "despite",
        "many",
        "several",
        "most",
        "few",
        "last",
        "earlier",
        "later",
        "initially",
        "instead",
        "overall",
        "previously",
        "today",
        "now",
    ]
)


def judgment_text(likelihood: str, claim: str, common: set[str]) -> str:
    """'We assess it is likely that ...' around a source sentence turned into a clause.

    The sentence's first word loses its capital only when it is known to be an
    ordinary word (`common`, stop words, usual openers): lowering a name does
    more harm than keeping an ordinary word capitalised.
    """
    clause = re.sub(rf"^{CONNECTIVES},?\s+", "", claim)
    first = clause.split(" ", 1)[0].strip("\"'“”,").lower()
    if first in common or first in STOPWORDS or first in _OPENERS:
        clause = clause[0].lower() + clause[1:]
    clause = clause.rstrip(" .")
    return f"We assess {_LIKELIHOOD_PHRASE[likelihood]} {clause}."


def _common_words(texts: Iterable[str]) -> set[str]:
    """Words (lower-cased) written in lower case mid-sentence more often than capitalised."""
    upper: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        for match in re.finditer(r"(?<=[a-z0-9,;] )([A-Za-z][\w'’-]*)", text):
            word = match.group(1)
            (upper if word[0].isupper() else lower)[word.lower()] += 1
    return {w for w in lower if lower[w] > upper[w]}


# --- the builder -----------------------------------------------------------------------------


Search = Callable[[str], Retrieval]
#: Writes a bottom line from passages and attributes each sentence: (sentence, supporting hit, quote).
Writer = Callable[[str, list[Hit]], list[tuple[str, Hit | None, str]]]


class BriefBuilder:
    """Builds a `Brief` from searches over the index (extractive and deterministic)."""

    def __init__(self, search: Search, aliases: AliasTable, grades: GradeTable, tuning: Tuning = DEFAULTS) -> None:
        self.search = search
        self.aliases = aliases
        self.grades = grades
        #: The brief's own numbers; `answer` scores the sentences beneath them.
        self.tuning = tuning.brief
        self.answer_tuning = tuning.answer

    def _similar(self, a: str, b: str) -> bool:
        """The two sentences make the same point, so a section keeps one of them."""
        return similar(a, b, share=self.tuning.same_point_share, figure_share=self.tuning.same_point_figure_share)

    def _agree(self, a: _Claim, b: _Claim) -> bool:
        """The two claims' sources say the same thing, by the brief's agreement thresholds."""
        return agree(
            a.distinctive,
            a.figures,
            b.distinctive,
            b.figures,
            min_words=self.tuning.agree_min_words,
            share=self.tuning.agree_share,
            figure_share=self.tuning.agree_figure_share,
        )

    def build(self, topic: str, *, filters: str = "", today: date | None = None, writer: Writer | None = None) -> Brief:
        topic = " ".join(topic.split())
        results = {facet.key: self.search(facet.ask(topic)) for facet in FACETS}
        overview = results["overview"]
        language = _main_language(overview.hits)
        tuning = self.tuning
        topic_weights = term_weights(topic, overview, self.answer_tuning)
        topic_words = topic_weights.terms | {w for n in self.aliases.expansion(topic) for w in content_words(n)}

        claims: list[_Claim] = []
        seen: dict[tuple[str, str], _Claim] = {}
        gaps: list[Gap] = []
        other_languages: Counter[str] = Counter()
        # Sentences addressed to the assistant, set aside in every facet's search (each counted once).
        instructions: set[str] = set()
        for facet in FACETS:
            retrieval = results[facet.key]
            question = facet.ask(topic)
            # An answer reads the first few passages; a brief reads every one it retrieved.
            sentences = candidate_sentences(
                question, retrieval, pool_size=len(retrieval.hits), aliases=self.aliases, tuning=self.answer_tuning
            )
            instructions.update(set_aside(retrieval, pool_size=len(retrieval.hits), tuning=self.answer_tuning))
            # Whether the corpus covers the topic at all is the answerer's judgment on the
            # topic itself. A facet's question adds generic words ("removals, bans, …")
            # that dilute its similarity, so a facet is judged by its own on-topic evidence.
            coverage = judge_coverage(question, retrieval, sentences, self.answer_tuning)
            if facet.key == "overview" and not coverage.covered:
                gaps.append(Gap(_gap_question(facet, topic), coverage.reason))
                continue
            found = 0
            for sentence in sentences:
                doc = sentence.hit.document
                if language and doc.language and doc.language != language:
                    other_languages[doc.language] += 1
                    continue
                if not _speaks_to(facet, sentence.text):
                    continue
                own = overlap_share(words(sentence.text), topic_weights, self.answer_tuning)
                around = overlap_share(words(f"{doc.title} {sentence.hit.text}"), topic_weights, self.answer_tuning)
                relevance = max(own, tuning.context_relevance_share * around)
                if relevance < tuning.min_relevance:
                    continue
                key = (doc.path, " ".join(words(sentence.text)))
                found += 1
                if key in seen:
                    if facet.key not in seen[key].facets:
                        seen[key].facets.append(facet.key)
                    continue
                tokens = content_words(sentence.text)
                stated = _dated(event_date(sentence.text, doc.date), doc.date)
                if len(stated) == 4 and len(doc.date) >= 7:
                    # "in 2019" is usually background; the report's own date places the event better.
                    stated = ""
                named = len([g for g in self.aliases.groups_in(sentence.text) if g.kind in ACTOR_KINDS])
                meta = about_the_page(sentence.text)
                speaker_bound = needs_context(sentence.text)
                claim = _Claim(
                    sentence=sentence,
                    facets=[facet.key],
                    relevance=relevance,
                    own_relevance=own,
                    # Sentences naming who did what make better briefs than general remarks;
                    # a sentence leaning on a pronoun or a first person needs context it lacks.
                    score=sentence.score
                    + tuning.own_relevance_weight * own
                    + tuning.context_relevance_weight * around
                    + tuning.actor_weight * min(named, tuning.max_actors_scored)
                    - (tuning.page_talk_penalty if meta else 0.0)
                    - (tuning.context_bound_penalty if speaker_bound else 0.0),
                    distinctive=frozenset(t for t in tokens if t not in topic_words),
                    figures=figures(sentence.text),
                    speaker=sentence.speaker,
                    date=stated or (doc.date if len(doc.date) >= 7 else ""),
                    dated_by="text" if stated else "publication",
                    plain=not meta
                    and not speaker_bound
                    and not quotes_someone(sentence.text)
                    # A headline has no closing stop; it announces rather than states.
                    and finished(sentence.text),
                )
                seen[key] = claim
                claims.append(claim)
            if not found:
                gaps.append(Gap(_gap_question(facet, topic), "no passage on the topic addresses it"))

        notes = []
        if instructions:
            notes.append(
                f"{len(instructions)} sentence(s) addressed to an AI assistant or telling the reader what to answer "
                "were set aside; they are never evidence."
            )
        if other_languages:
            listed = ", ".join(sorted(other_languages))
            notes.append(f"Passages in other languages ({listed}) were left out; the brief is written from {language}.")
        for a_index, a in enumerate(claims):
            for b in claims[a_index + 1 :]:
                if _independent(a.doc, b.doc) and self._agree(a, b):
                    a.agrees_with.append(b)
                    b.agrees_with.append(a)

        generated = (today or date.today()).isoformat()
        if not any("overview" in c.facets for c in claims):
            return Brief(
                topic=topic,
                status="not_covered",
                bluf=(),
                judgments=(),
                evidence=(),
                timeline=(),
                actors=(),
                sources=(),
                gaps=tuple(gaps),
                generated=generated,
                filters=filters,
                notes=tuple(notes),
                set_aside=len(instructions),
            )

        numbering = _Numbering(self.grades)
        common = _common_words(c.sentence.hit.text for c in claims)
        bluf_claims = self._bluf(claims)
        bluf = []
        for claim in bluf_claims:
            citations, quotes = numbering.cite_all([claim, *claim.independent_support()[: tuning.bluf_support]])
            bluf.append(Statement(claim.text, citations, quotes))
        if writer is not None:
            written = self._written_bluf(topic, writer, bluf_claims, numbering)
            if any(s.supported for s in written):
                bluf = written
            else:
                notes.append("The model's bottom line had no support in the sources; the extractive one is kept.")
        judgments, judged = self._judgments(claims, bluf_claims, numbering, common)
        used = {id(c) for c in [*bluf_claims, *judged]}
        evidence = self._evidence([c for c in claims if id(c) not in used], numbering)
        timeline = self._timeline(claims, numbering)
        actors = self._actors(results, claims, numbering, language)
        return Brief(
            topic=topic,
            status="answered",
            bluf=tuple(bluf),
            judgments=judgments,
            evidence=evidence,
            timeline=timeline,
            actors=actors,
            sources=numbering.sources(),
            gaps=tuple(gaps),
            generated=generated,
            filters=filters,
            notes=tuple(notes),
            set_aside=len(instructions),
        )

    # -- sections ---------------------------------------------------------------------------

    @staticmethod
    def _written_bluf(topic: str, writer: Writer, bluf: list[_Claim], numbering: _Numbering) -> list[Statement]:
        hits = list({c.hit.chunk_id: c.hit for c in bluf}.values())
        statements = []
        for text, hit, quote in writer(topic, hits):
            if hit is None:
                statements.append(Statement(text, (), (), supported=False))
                continue
            n = numbering.number(hit.document)
            speaker = next((c.speaker for c in bluf if c.hit.chunk_id == hit.chunk_id), "")
            cited = BriefQuote(n, quote, hit.chunk_id, hit.page, speaker, post_label(hit.document))
            statements.append(Statement(text, (n,), (cited,)))
        return statements

    def _bluf(self, claims: list[_Claim]) -> list[_Claim]:
        """The most central statements on the topic: high score, widely confirmed, short."""
        tuning = self.tuning
        pool = [
            c
            for c in claims
            if c.facets[0] in ("overview", "actions", "scale")
            and c.plain
            and not c.speaker
            and len(words(c.quote)) <= tuning.bluf_max_words
        ]
        pool.sort(
            key=lambda c: (
                -(c.score + tuning.support_bonus * len(c.independent_support())),
                c.hit.chunk_id,
                c.sentence.start,
            )
        )
        chosen: list[_Claim] = []
        for claim in pool:
            if len(chosen) >= tuning.bluf_sentences:
                break
            if any(claim.doc.path == c.doc.path or self._similar(claim.quote, c.quote) for c in chosen):
                continue
            chosen.append(claim)
        return chosen

    def _judgments(
        self, claims: list[_Claim], bluf: list[_Claim], numbering: _Numbering, common: set[str]
    ) -> tuple[tuple[Judgment, ...], list[_Claim]]:
        pool = [
            c
            for c in claims
            if c.plain
            and not c.speaker
            and c not in bluf
            and set(c.facets) & _JUDGED
            and c.own_relevance >= self.tuning.min_relevance
        ]
        pool.sort(key=lambda c: (-len(c.independent_support()), -c.score, c.hit.chunk_id, c.sentence.start))
        chosen: list[_Claim] = []
        per_facet: Counter[str] = Counter()
        for claim in pool:
            if len(chosen) >= self.tuning.max_judgments:
                break
            facet = next(f for f in claim.facets if f in _JUDGED)
            if per_facet[facet] >= self.tuning.judgments_per_facet or any(
                self._similar(claim.quote, c.quote) for c in chosen + bluf
            ):
                continue
            chosen.append(claim)
            per_facet[facet] += 1
        judgments = []
        for claim in chosen:
            support = [claim, *claim.independent_support()]
            grades = [self.grades.grade_document(c.doc).reliability for c in support]
            likelihood = likelihood_of(len(support), grades)
            confidence = confidence_of(len(support), grades)
            strong = sum(1 for g in grades if g in ("A", "B"))
            sources = "source" if len(support) == 1 else "independent sources"
            basis = f"{len(support)} {sources}; {strong} graded A or B; best reliability {min(grades)}"
            citations, quotes = numbering.cite_all(support[: self.tuning.judgment_citations])
            judgments.append(
                Judgment(
                    judgment_text(likelihood, claim.text, common), likelihood, confidence, basis, citations, quotes
                )
            )
        return tuple(judgments), chosen

    def _evidence(self, claims: list[_Claim], numbering: _Numbering) -> tuple[EvidenceItem, ...]:
        items: list[EvidenceItem] = []
        chosen: list[_Claim] = []
        for facet in FACETS:
            pool = sorted(
                (c for c in claims if facet.key in c.facets and c not in chosen and reads_as_prose(c.quote)),
                key=lambda c: (-c.score, c.hit.chunk_id, c.sentence.start),
            )
            taken = 0
            for claim in pool:
                if taken >= self.tuning.evidence_per_facet:
                    break
                if any(self._similar(claim.quote, c.quote) for c in chosen):
                    continue
                chosen.append(claim)
                taken += 1
                citations, quotes = numbering.cite_all([claim])
                items.append(EvidenceItem(claim.text, facet.key, citations, quotes, claim.speaker))
        return tuple(items)

    def _timeline(self, claims: list[_Claim], numbering: _Numbering) -> tuple[TimelineEvent, ...]:
        """Dated events, one per source and date, the strongest first, then put in date order."""
        dated = sorted(
            (c for c in claims if c.date and not c.speaker and not about_the_page(c.quote)),
            # A date the sentence states beats the date its document was published.
            key=lambda c: (c.dated_by != "text", -c.score, c.hit.chunk_id, c.sentence.start),
        )
        chosen: list[_Claim] = []
        taken: set[tuple[str, str]] = set()
        for claim in dated:
            if len(chosen) >= self.tuning.max_timeline:
                break
            key = (claim.doc.path, claim.date)
            if key in taken or any(c.doc.path == claim.doc.path and c.dated_by == "publication" for c in chosen):
                continue
            if any(self._similar(claim.quote, c.quote) for c in chosen):
                continue
            taken.add(key)
            chosen.append(claim)
        chosen.sort(key=lambda c: (c.date, c.doc.date, c.hit.chunk_id, c.sentence.start))
        events = []
        for claim in chosen:
            citations, quotes = numbering.cite_all([claim])
            events.append(TimelineEvent(claim.date, claim.text, citations, quotes, claim.dated_by))
        return tuple(events)

    def _actors(
        self, results: dict[str, Retrieval], claims: list[_Claim], numbering: _Numbering, language: str
    ) -> tuple[Actor, ...]:
        cited_paths = {doc.path for doc in numbering.order}
        relevant_paths = {c.doc.path for c in claims}
        chunks: dict[str, Hit] = {}
        for retrieval in results.values():
            for hit in retrieval.hits:
                if hit.document.path in relevant_paths and (not language or hit.document.language in ("", language)):
                    chunks.setdefault(hit.chunk_id, hit)
        counted: dict[str, tuple[AliasGroup, Counter[str], list[Hit]]] = {}
        for chunk_id in sorted(chunks):
            hit = chunks[chunk_id]
            # A planted instruction's names are no mention of an actor.
            text = strip_instructions(hit.text, " ")[0]
            for group in self.aliases.groups_in(text):
                if group.kind not in ACTOR_KINDS:
                    continue
                entry = counted.setdefault(group.canonical, (group, Counter(), []))
                for name in group.names:
                    hits_of_name = len(re.findall(name_regex(name, hyphen_bound=True), text))
                    if hits_of_name:
                        entry[1][name] += hits_of_name
                entry[2].append(hit)
        ranked = sorted(counted.values(), key=lambda e: (-sum(e[1].values()), e[0].canonical))
        actors = []
        for group, names, hits in ranked[: self.tuning.max_actors]:
            mentions = sum(names.values())
            if not mentions:
                continue
            docs = sorted({h.document.path: h.document for h in hits}.values(), key=lambda d: d.path)
            cited = [d for d in docs if d.path in cited_paths][: self.tuning.actor_citations]
            if not cited:
                best = min(hits, key=lambda h: h.rank).document
                cited = [best]
            actors.append(
                Actor(
                    name=group.canonical,
                    aliases=tuple(sorted((n for n in names if n != group.canonical), key=lambda n: -names[n])),
                    kind=group.kind,
                    mentions=mentions,
                    citations=tuple(sorted(numbering.number(d) for d in cited)),
                )
            )
        return tuple(actors)


def _speaks_to(facet: Facet, text: str) -> bool:
    if facet.key == "events":
        return bool(event_date(text)) or bool(_EVENT.search(text))
    if facet.key == "scale":
        return has_figure(text)
    return facet.cue is None or bool(facet.cue.search(text))


_EVENT = re.compile(
    r"\b(?:announced|launched|removed|banned|suspended|took down|livestreamed|streamed|uploaded|posted|attacked"
    r"|killed|arrested|passed|adopted|signed|published|released|began|started|shut)\b",
    re.IGNORECASE,
)


def _dated(found: str, document_date: str) -> str:
    """A sentence's date, unless it lies after its own document's date (a plan, not an event)."""
    if found and document_date and found[: len(document_date)] > document_date[: len(found)]:
        return ""
    return found


def _gap_question(facet: Facet, topic: str) -> str:
    return topic if facet.key == "overview" else f"{facet.question.split('?')[0]}?"


def _main_language(hits: list[Hit]) -> str:
    counts = Counter(h.document.language for h in hits if h.document.language)
    return counts.most_common(1)[0][0] if counts else ""


def first_quotes(brief: Brief) -> dict[int, BriefQuote]:
    """The first quote the brief takes from each source, by source number."""
    found: dict[int, BriefQuote] = {}
    groups: list[Iterable[BriefQuote]] = [s.quotes for s in brief.bluf]
    groups += [j.quotes for j in brief.judgments]
    groups += [e.quotes for e in brief.evidence]
    groups += [t.quotes for t in brief.timeline]
    for quotes in groups:
        for quote in quotes:
            found.setdefault(quote.n, quote)
    return found
