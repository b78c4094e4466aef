"""Composing cited answers from retrieved chunks, and deciding when not to answer.

The extractive backend picks the sentences of the retrieved chunks (and of the
further passages retrieval kept of the same documents) that best cover the
question, skips repeats and report apparatus (reference lists, contents lines),
keeps a source's sentence together with the one that carries it on, puts them
in a readable order (by source rank, then position) and cites each with the
exact sentence as its quote, so every claim can be found in the source by a
plain string search.

`judge_coverage` decides whether the evidence is enough to answer at all:
names in the question that no indexed document contains, an institution no
retrieved passage names, or weak similarity and word overlap, mean "not
covered" rather than a guess.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.answer.attribution import labelled, quoted_speaker
from assistant.domain import Citation, Hit
from assistant.ingest.chunking import sentence_spans
from assistant.search.retrieval import Retrieval
from assistant.text.aliases import AliasTable, default_aliases
from assistant.text.dates import MONTHS, asked_years
from assistant.text.instructions import instruction_flags
from assistant.text.words import QUESTION_WORDS, STOPWORDS, content_words, words

MAX_SENTENCES = 7
SENTENCE_POOL = 8
#: Characters of quoted text an answer may hold: room for seven short sentences or four long ones.
ANSWER_CHARS = 1400
#: A sentence scoring under this share of the best one adds more noise than help.
SCORE_FLOOR = 0.5

# Sentence score: share of question words + chunk similarity + source rank + answer-shape
# bonuses - a length damper. Tuned with `assistant eval` on the development questions.
SIMILARITY_WEIGHT = 0.5
RANK_WEIGHT = 0.25
LENGTH_WEIGHT = 0.1
NUMBER_BONUS = 0.1
NAME_BONUS = 0.1
#: Bonus for sentences from a source dated in a year the question names.
YEAR_BONUS = 0.1
#: Weight of words that only set the scene of a question, against 1 for the asked part.
PREMISE_WEIGHT = 0.7
#: A sentence sharing more than this share of its words with a chosen one is a repeat;
#: one that brings a new figure must share more.
REPEAT_SHARE = 0.6
NEW_FIGURE_REPEAT_SHARE = 0.8

# Calibrated on the unanswerable and answerable questions of the development
# set (see `assistant eval` and the closing note of the answering work).
MIN_SIMILARITY = 0.55
MIN_OVERLAP = 0.08


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence inside a hit, with its offsets in the chunk text."""

    hit: Hit
    start: int
    end: int
    score: float
    overlap: float
    #: The extremist group whose own words the sentence is (see `assistant.answer.attribution`), or "".
    speaker: str = ""

    @property
    def text(self) -> str:
        return self.hit.text[self.start : self.end]


@dataclass(frozen=True)
class Coverage:
    covered: bool
    reason: str
    best_overlap: float
    best_similarity: float


def term_weights(question: str, retrieval: Retrieval) -> dict[str, float]:
    """How much each question word matters: names and numbers most, aliases least.

    Words that only set the scene ("after the 2018 shooting, which company...")
    count for less than the words of what is asked: every source about the
    scene repeats them, but only the answer speaks to the asked part.
    """
    scene = premise_words(question)
    weights: dict[str, float] = {}
    for term in retrieval.query_terms:
        if term in QUESTION_WORDS:
            continue
        weights[term] = max(retrieval.idf.get(term, 1.0), 0.1) * (PREMISE_WEIGHT if term in scene else 1.0)
    for term in retrieval.expanded_terms:
        # Aliases stand in for a name the question already weighs: count once, lightly.
        weights.setdefault(term, -0.5 * max(retrieval.idf.get(term, 1.0), 0.1))
    return weights


# Clauses of a question are told apart only where the writer put a comma or semicolon:
# "before" or "after" without one often belongs to what is asked ("... before it treats an attack as ...").
_CLAUSE = re.compile(r"[,;]")
# Verbs that open a question without being question words themselves ("Can a streamer ...").
_OPENING = frozenset({"can", "could", "has", "had", "should", "would", "will"})


def premise_words(question: str) -> set[str]:
    """Words of the question's scene-setting clauses, which hold no question word.

    "After providers dropped Gab following the shooting, which company brought
    it back, and when?" sets the scene in its first clause; the asked part is
    "which company brought it back" and "when".
    """
    asked: set[str] = set()
    scene: set[str] = set()
    for part in _CLAUSE.split(question):
        tokens = words(part)
        asking = (bool(tokens) and tokens[0] in _OPENING) or any(t in QUESTION_WORDS for t in tokens)
        (asked if asking else scene).update(tokens)
    return scene - asked if asked else set()


def overlap_share(sentence_words: set[str], weights: dict[str, float], own_total: float) -> float:
    """Share of the question's (IDF-weighted) words that the sentence contains.

    Alias terms carry negative weights as a marker; one matching alias adds its
    weight's size once.
    """
    if own_total <= 0:
        return 0.0
    own = sum(w for t, w in weights.items() if w > 0 and t in sentence_words)
    alias = max((-w for t, w in weights.items() if w < 0 and t in sentence_words), default=0.0)
    return min(1.0, (own + alias) / own_total)


def _wants_number(question: str) -> bool:
    lowered = question.lower()
    return any(
        cue in lowered
        for cue in (
            "how many",
            "how much",
            "how large",
            "how big",
            "what number",
            "death toll",
            "what percentage",
            "how long",
            "how fast",
            "how often",
            "when ",
        )
    )


def candidate_sentences(
    question: str, retrieval: Retrieval, *, pool_size: int = SENTENCE_POOL, aliases: AliasTable | None = None
) -> list[Sentence]:
    """Every sentence of the first `pool_size` hits (and of further passages of their documents), scored.

    Sentences addressed to the assistant are never candidates (`set_aside` counts them); each
    candidate knows whether it is an extremist group's own words.
    """
    aliases = aliases or default_aliases()
    weights = term_weights(question, retrieval)
    own_total = sum(w for w in weights.values() if w > 0) or 1.0
    numeric = _wants_number(question)
    naming = _wants_name(question)
    asked = set(words(question))
    years, _ = asked_years(question)
    found: list[Sentence] = []
    pool, source_rank = _pool(retrieval, pool_size)
    seen: set[tuple[str, str]] = set()
    for hit in pool:
        rank = source_rank[hit.document.path]
        similarity = hit.similarity if hit.similarity is not None else 0.0
        # A year the question names is a soft hint about which sources speak to it.
        dated = YEAR_BONUS if years and hit.document.date[:4] in years else 0.0
        pieces = list(_pieces(hit.text))
        for index, (start, end, tokens) in _sentences(hit.text, pieces):
            # Overlapping passages of one document repeat sentences; keep the first copy.
            key = (hit.document.path, " ".join(tokens))
            if key in seen:
                continue
            seen.add(key)
            overlap = overlap_share(set(tokens), weights, own_total)
            text = hit.text[start:end]
            # A long sentence matches more words by chance; damp it a little.
            length_penalty = LENGTH_WEIGHT * math.log(max(len(tokens), 10) / 10)
            # The answer to "how many" or "who" is a figure or a name the question does not already contain.
            bonus = dated
            if numeric and any(t[0].isdigit() and t not in asked for t in tokens):
                bonus += NUMBER_BONUS
            if naming and _new_names(text, asked):
                bonus += NAME_BONUS
            score = overlap + SIMILARITY_WEIGHT * similarity + RANK_WEIGHT / rank + bonus - length_penalty
            before, context = _lead_in(hit, pieces, index, pool)
            speaker = quoted_speaker(text, before, aliases, context)
            found.append(Sentence(hit, start, end, score, overlap, speaker))
    return found


def set_aside(retrieval: Retrieval, *, pool_size: int = SENTENCE_POOL) -> list[str]:
    """The sentences of the candidate passages left out as instructions to the assistant, each once."""
    pool, _ = _pool(retrieval, pool_size)
    found: dict[tuple[str, str], str] = {}
    for hit in pool:
        pieces = list(_pieces(hit.text))
        for (start, end), flagged in zip(pieces, _flags(hit.text, pieces), strict=True):
            if flagged:
                found.setdefault((hit.document.path, " ".join(words(hit.text[start:end]))), hit.text[start:end])
    return list(found.values())


def answer_passages(retrieval: Retrieval, *, pool_size: int = SENTENCE_POOL) -> list[Hit]:
    """The passages `candidate_sentences` reads, in its order: the first hits, then more of their documents."""
    return _pool(retrieval, pool_size)[0]


def _pool(retrieval: Retrieval, pool_size: int) -> tuple[list[Hit], dict[str, int]]:
    """The passages answers read (the first hits, and further passages of their documents), and source ranks."""
    pool = retrieval.hits[:pool_size]
    source_rank: dict[str, int] = {}
    for hit in pool:
        source_rank.setdefault(hit.document.path, hit.rank)
    # Other passages of the sources already chosen often hold the rest of the answer.
    pool += [hit for hit in retrieval.hits[pool_size:] + retrieval.support if hit.document.path in source_rank]
    return pool, source_rank


def _flags(text: str, pieces: list[tuple[int, int]]) -> list[bool]:
    return instruction_flags([text[start:end] for start, end in pieces])


def _sentences(text: str, pieces: list[tuple[int, int]]) -> Iterator[tuple[int, tuple[int, int, list[str]]]]:
    """The sentences of a chunk worth quoting: their piece number, offsets without layout marks, and words."""
    for index, ((start, end), instruction) in enumerate(zip(pieces, _flags(text, pieces), strict=True)):
        if instruction:
            continue  # written for whatever reads the page, not for the analyst: never evidence
        if text[start] == "#":
            continue  # a heading names a topic; it states no fact
        # Markdown quote and list markers (bullets or "2.") are layout, not words: start after them.
        while start < end and text[start] in "#>*-|•◦○▪● \t":
            start += 1
        numbered = _LIST_NUMBER.match(text, start, end)
        if numbered:
            start = numbered.end()
        body = text[start:end]
        # Link targets and markup are not read by anyone: they neither match the question nor make a sentence.
        tokens = words(_MARKUP.sub(" ", body))
        if len(tokens) < 5 or body.startswith("---") or looks_like_apparatus(body):
            continue
        yield index, (start, end, tokens)


def _lead_in(hit: Hit, pieces: list[tuple[int, int]], index: int, pool: list[Hit]) -> tuple[str, str]:
    """The sentence before piece `index` of a hit, and the text before that one (for `quoted_speaker`).

    The first sentence of a passage is preceded by the end of an earlier,
    overlapping passage of the same document, when one was retrieved.
    """
    if index > 0:
        start, end = pieces[index - 1]
        return hit.text[start:end], hit.text[max(0, start - CONTEXT_CHARS) : start]
    for other in pool:
        if other.document.path == hit.document.path and other.start < hit.start <= other.end:
            earlier = other.text[: hit.start - other.start]
            spans = list(_pieces(earlier)) if earlier.strip() else []
            if spans:
                start, end = spans[-1]
                return earlier[start:end], earlier[max(0, start - CONTEXT_CHARS) : start]
    return "", ""


#: How much text before a lead-in ("It read:") may name the group that is quoted.
CONTEXT_CHARS = 300


# Apparatus of a report or page rather than its statements: a reference-list
# entry (authors, then a quoted title followed by a venue or year, or volume and
# page numbers), a contents line with dot leaders, a keyword line, and page furniture.
_REFERENCE = re.compile(
    r"^\W*\d*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3},\s.*[“\"][^”\"]{8,}[,.]?[”\"],?\s+[A-Z0-9(]"
    r"|\bvol\.\s*\d|\bpp?\.\s*\d+\s*[-–]|\bdoi:|\barxiv:|\bet al\.,"
)
_SPEECH = re.compile(r"\b(?:said|says|told|added|asked|wrote)\b")
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}|(?:\s\.){2,}\s*$|…\s?…")
_FURNITURE = re.compile(
    r"^\s*(?:keywords|key words|index terms|posted on|published|updated|last updated|full story|read more|"
    r"related|source|photograph|image|copyright)\b[^:—]{0,30}[:—]",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"<[^<>]*>|\]\([^()\s]*\)|https?://\S+")


def looks_like_apparatus(sentence: str) -> bool:
    """A bibliography entry, contents line, keyword list or image: found in reports, but not an answer."""
    if _DOT_LEADER.search(sentence) or _FURNITURE.match(sentence) or sentence.lstrip().startswith("!["):
        return True
    return bool(_REFERENCE.search(sentence)) and not _SPEECH.search(sentence)


_LIST_NUMBER = re.compile(r"\d{1,2}[.)]\s+(?=\S)")

# Paragraph and line-break tags left in web pages end a sentence as surely as a full stop does.
_BLOCK_TAGS = re.compile(r"(?:\s*</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|span)\b[^<>]*>\s*)+", re.IGNORECASE)


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    """Sentence offsets in a chunk, also split at HTML block tags, with the tags left out."""
    for span in sentence_spans(text):
        start = span.start
        for tag in _BLOCK_TAGS.finditer(text, span.start, span.end):
            if tag.start() > start:
                yield start, tag.start()
            start = tag.end()
        if start < span.end:
            yield start, span.end


def _wants_name(question: str) -> bool:
    lowered = question.lower()
    return lowered.startswith(("who ", "which ")) or any(cue in lowered for cue in (" who ", " which ", "what company"))


def _new_names(text: str, asked: set[str]) -> bool:
    """A capitalised word inside the sentence that the question does not mention."""
    for raw in text.split()[1:]:
        token = words(raw)
        if raw[:1].isupper() and token and token[0] not in asked and token[0] not in STOPWORDS:
            return True
    return False


def judge_coverage(question: str, retrieval: Retrieval, sentences: list[Sentence]) -> Coverage:
    if not retrieval.hits:
        return Coverage(False, "nothing in the index matches the question", 0.0, 0.0)
    best_similarity = max((h.similarity or 0.0) for h in retrieval.hits)
    best_overlap = max((s.overlap for s in sentences), default=0.0)
    names = _missing_names(question, retrieval)
    if names:
        return Coverage(False, f"no indexed document mentions {', '.join(names)}", best_overlap, best_similarity)
    absent = [name for name in institution_names(question) if not _mentioned(name, retrieval)]
    if absent:
        listed = ", ".join(f"“{name}”" for name in absent)
        return Coverage(False, f"no retrieved passage mentions {listed}", best_overlap, best_similarity)
    if best_similarity < MIN_SIMILARITY:
        return Coverage(False, "the closest passages are only loosely related", best_overlap, best_similarity)
    if best_overlap < MIN_OVERLAP:
        return Coverage(False, "no passage addresses the question's key terms", best_overlap, best_similarity)
    return Coverage(True, "", best_overlap, best_similarity)


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


def _mentioned(name: str, retrieval: Retrieval) -> bool:
    """The name, or another name for the same thing, appears in one of the retrieved passages."""
    spellings = [name] + [other for group in default_aliases().groups_in(name) for other in group.names]
    wanted = [f" {' '.join(words(spelling))} " for spelling in spellings]
    for hit in retrieval.hits + retrieval.support:
        text = f" {' '.join(words(hit.text))} "
        if any(spelling in text for spelling in wanted):
            return True
    return False


def _missing_names(question: str, retrieval: Retrieval) -> list[str]:
    """Capitalised words of the question that appear in no indexed chunk at all."""
    unknown = set(retrieval.unknown_terms)
    missing = []
    for raw in question.split()[1:]:
        token = words(raw)
        if raw[:1].isupper() and token and token[0] in unknown and token[0] not in QUESTION_WORDS:
            missing.append(raw.strip("?,.;:!'\"()"))
    return missing


def similar(a: str, b: str) -> bool:
    """Two sentences say much the same thing (the same figure in other words counts)."""
    first, second = set(content_words(a)), set(content_words(b))
    if not first or not second:
        return False
    shared = len(first & second) / min(len(first), len(second))
    same_figure = bool(_figures(a) & _figures(b))
    return shared > 0.5 or (same_figure and shared > 0.25)


def select_sentences(sentences: list[Sentence], limit: int = MAX_SENTENCES) -> list[Sentence]:
    """The best sentences without repeats: the best first, the rest in reading order.

    A sentence that carries on from a chosen one ("It said...") comes with it,
    and brings the one it carries on from, without counting as a further
    point. Short sentences leave room for more of them: the answer stops at
    `limit` points or at a reading budget of characters, whichever comes first.
    """
    if not sentences:
        return []
    floor = max(s.score for s in sentences) * SCORE_FLOOR
    remaining = [s for s in sentences if s.score >= floor]
    chosen: list[Sentence] = []
    length = 0
    pairs = list(_pairs(sentences))
    follower = {id(first): second for first, second in pairs}
    leader = {id(second): first for first, second in pairs}
    attached: list[Sentence] = []
    points = 0
    while (remaining and points < limit) or attached:
        carried_on = bool(attached)
        best = attached.pop() if attached else max(remaining, key=lambda s: (s.score, -s.hit.rank, -s.start))
        if best in remaining:
            remaining.remove(best)
        if _repeats(best.text, chosen):
            continue
        if chosen and length + len(best.text) > ANSWER_CHARS:
            continue
        chosen.append(best)
        points += 0 if carried_on else 1
        # "It said it is expanding the team" continues the chosen sentence before it:
        # it goes in next, or the answer keeps half of what the source said.
        nxt = follower.get(id(best))
        if nxt is not None and nxt not in chosen and CONTINUES.match(nxt.text):
            attached.append(nxt)
        # And a sentence that carries on from another brings the one it carries on from.
        previous = leader.get(id(best))
        if previous is not None and previous not in chosen and CONTINUES.match(best.text):
            attached.append(previous)
        length += len(best.text)
    if not chosen:
        return []
    # A group's own words never lead: the best sentence of the sources' own does, even from below the floor.
    if all(s.speaker for s in chosen):
        own = [s for s in sentences if not s.speaker and not _repeats(s.text, chosen)]
        if own:
            chosen.insert(0, max(own, key=lambda s: (s.score, -s.hit.rank, -s.start)))
    # The best sentence leads, after any sentence it carries on from; the rest follow
    # in reading order: sources as first retrieved, each in the order of its text.
    head = [next((s for s in chosen if not s.speaker), chosen[0])]
    while (
        (previous := leader.get(id(head[0]))) is not None
        and previous in chosen
        and previous not in head
        and not previous.speaker
    ):
        head.insert(0, previous)
    others = [s for s in chosen if s not in head]
    source_order: dict[str, int] = {}
    for sentence in sorted(others, key=lambda s: s.hit.rank):
        source_order.setdefault(sentence.hit.document.path, len(source_order))
    rest = sorted(others, key=lambda s: (source_order[s.hit.document.path], s.hit.start + s.start))
    return head + rest


#: A sentence opening with a pronoun or "the company" carries on the one before it.
CONTINUES = re.compile(
    r"^(?:(?:But|And|However|Also|Meanwhile|In addition),?\s+)?"
    r"(?:It|He|She|They|Its|His|Her|Their|The (?:company|firm|group|report|study|commission|inquiry|platform|site"
    r"|network|agency|court|government|spokesman|spokeswoman|spokesperson|researchers|authors))\b"
)


def _pairs(sentences: list[Sentence]) -> Iterator[tuple[Sentence, Sentence]]:
    """Candidates that follow each other directly in the same document, in reading order.

    Positions are the document's own, so a sentence at the end of one passage
    pairs with the first of the next passage retrieved. Only layout (spaces,
    tags, list markers) may stand between them: a heading or a skipped line
    ends the run.
    """
    by_document: dict[str, list[Sentence]] = {}
    for sentence in sentences:
        by_document.setdefault(sentence.hit.document.path, []).append(sentence)
    for group in by_document.values():
        group.sort(key=lambda s: s.hit.start + s.start)
        for first, second in itertools.pairwise(group):
            if _LAYOUT.fullmatch(_between(first, second) or "?"):
                yield first, second


_LAYOUT = re.compile(r"(?:\s|<[^<>]*>|[-*•◦○▪●>|]\s|\d{1,2}[.)]\s)*")


def _between(first: Sentence, second: Sentence) -> str | None:
    """The document text between two sentences, when a passage at hand holds it."""
    end = first.hit.start + first.end
    start = second.hit.start + second.start
    if start < end:
        return None
    for hit in (second.hit, first.hit):
        if hit.start <= end and start <= hit.end:
            return hit.text[end - hit.start : start - hit.start]
    if second.hit.start <= first.hit.end <= start:
        # The gap runs from the end of one passage into the next.
        tail = first.hit.text[end - first.hit.start :]
        return tail + second.hit.text[first.hit.end - second.hit.start : start - second.hit.start]
    return None


def _repeats(text: str, chosen: list[Sentence]) -> bool:
    """The sentence mostly says what one chosen sentence says, or gives a figure already given.

    A figure the answer does not have yet makes a sentence worth its place
    unless nearly all its other words are already there.
    """
    own = set(content_words(text))
    if not own:
        return True
    figures = _figures(text)
    theirs = [set(content_words(other.text)) for other in chosen]
    new_figure = bool(figures - set().union(*theirs)) if theirs else bool(figures)
    for words_said in theirs:
        shared = len(own & words_said) / len(own)
        if shared > (NEW_FIGURE_REPEAT_SHARE if new_figure else REPEAT_SHARE):
            return True
        if figures & words_said and not new_figure and shared > 0.25:
            return True
    return False


# A day of the month is part of a date, not a figure: "15 March", "March 15th".
_DAY = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\b|\b(?:{MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b")


def _figures(text: str) -> set[str]:
    """Numbers a sentence reports, leaving out years and days of the month."""
    return {
        w
        for w in content_words(_DAY.sub(" ", text))
        if w[0].isdigit() and len(w) > 1 and not w.startswith(("19", "20"))
    }


def compose_extractive(sentences: list[Sentence]) -> tuple[str, list[Citation]]:
    """Answer text with [n] after each sentence, and the matching citations."""
    citations: list[Citation] = []
    parts: list[str] = []
    for n, sentence in enumerate(sentences, 1):
        citations.append(Citation(n=n, hit=sentence.hit, quote=sentence.text, attributed_to=sentence.speaker))
        # The quote keeps the source's exact characters; the answer drops Markdown emphasis.
        body = re.sub(r"(\*\*|__|`)", "", " ".join(sentence.text.split()))
        parts.append(f"{labelled(body, sentence.speaker)} [{n}]")
    return " ".join(parts), citations
