"""The evidence layer: which sentences of retrieved passages are evidence, and how they relate.

Answers (`assistant.answer.extractive`) and briefs (`assistant.brief.builder`)
read passages through the same functions here:

- quotable or not: `quotable_sentences` / `quotable` (no instruction to a machine,
  no heading, no apparatus, at least five words);
- scored candidates: `candidate_sentences` (question words, similarity, rank and
  answer-shape bonuses) and `set_aside` (the instructions left out);
- enough to answer at all: `judge_coverage`;
- says the same thing: `repeats` (against an answer so far), `similar` (two
  sentences) and `agree` (two sources' distinctive words, for briefs);
- leans on the sentence before: `refers_back` (opens with a pronoun or "the
  company": an answer quotes it with the sentence it carries on from) and
  `needs_context` (that, a first person or a relative date: a brief will not
  state it as a finding).

The lower-level text judgments (sentences, figures, dates, names, speech,
apparatus) are in `assistant.text`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.answer.attribution import quoted_speaker
from assistant.domain import Hit
from assistant.search.retrieval import Retrieval
from assistant.text.aliases import AliasTable, default_aliases
from assistant.text.apparatus import looks_like_apparatus, skip_marks, without_markup
from assistant.text.dates import WEEKDAYS, asked_years
from assistant.text.figures import figures
from assistant.text.instructions import instruction_flags
from assistant.text.names import institution_names, new_names
from assistant.text.sentences import CONNECTIVES, sentence_pieces
from assistant.text.words import QUESTION_WORDS, content_words, words

SENTENCE_POOL = 8
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
        pieces = list(sentence_pieces(hit.text))
        for index, (start, end, tokens) in quotable_sentences(hit.text):
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
            if naming and new_names(text, asked):
                bonus += NAME_BONUS
            score = overlap + SIMILARITY_WEIGHT * similarity + RANK_WEIGHT / rank + bonus - length_penalty
            before, context = lead_in(hit, pieces, index, pool)
            speaker = quoted_speaker(text, before, aliases, context)
            found.append(Sentence(hit, start, end, score, overlap, speaker))
    return found


def set_aside(retrieval: Retrieval, *, pool_size: int = SENTENCE_POOL) -> list[str]:
    """The sentences of the candidate passages left out as instructions to the assistant, each once."""
    pool, _ = _pool(retrieval, pool_size)
    found: dict[tuple[str, str], str] = {}
    for hit in pool:
        pieces = list(sentence_pieces(hit.text))
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


def quotable_sentences(text: str) -> Iterator[tuple[int, tuple[int, int, list[str]]]]:
    """The sentences of a passage worth quoting: their piece number, offsets without layout marks, and words.

    A sentence is quotable unless it is addressed to a machine (`assistant.text.instructions`),
    a heading, a horizontal rule, shorter than five words, or report apparatus
    (`assistant.text.apparatus`). Piece numbers count every sentence of `sentence_pieces`.
    """
    pieces = list(sentence_pieces(text))
    for index, ((start, end), instruction) in enumerate(zip(pieces, _flags(text, pieces), strict=True)):
        if instruction:
            continue  # written for whatever reads the page, not for the analyst: never evidence
        if text[start] == "#":
            continue  # a heading names a topic; it states no fact
        # Markdown quote and list markers (bullets or "2.") are layout, not words: start after them.
        start = skip_marks(text, start, end)
        body = text[start:end]
        tokens = words(without_markup(body))
        if len(tokens) < 5 or body.startswith("---") or looks_like_apparatus(body):
            continue
        yield index, (start, end, tokens)


def quotable(sentence: str) -> bool:
    """Whether one sentence, taken alone, may be quoted as evidence (see `quotable_sentences`)."""
    return any(True for _ in quotable_sentences(sentence))


def lead_in(hit: Hit, pieces: list[tuple[int, int]], index: int, pool: list[Hit]) -> tuple[str, str]:
    """The sentence before piece `index` of a hit, and the text before that one (for `quoted_speaker`).

    `pieces` are the hit's `sentence_pieces`; `pool` the passages at hand.

    The first sentence of a passage is preceded by the end of an earlier,
    overlapping passage of the same document, when one was retrieved.
    """
    if index > 0:
        start, end = pieces[index - 1]
        return hit.text[start:end], hit.text[max(0, start - CONTEXT_CHARS) : start]
    for other in pool:
        if other.document.path == hit.document.path and other.start < hit.start <= other.end:
            earlier = other.text[: hit.start - other.start]
            spans = list(sentence_pieces(earlier)) if earlier.strip() else []
            if spans:
                start, end = spans[-1]
                return earlier[start:end], earlier[max(0, start - CONTEXT_CHARS) : start]
    return "", ""


#: How much text before a lead-in ("It read:") may name the group that is quoted.
CONTEXT_CHARS = 300


def _wants_name(question: str) -> bool:
    lowered = question.lower()
    return lowered.startswith(("who ", "which ")) or any(cue in lowered for cue in (" who ", " which ", "what company"))


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
    same_figure = bool(figures(a) & figures(b))
    return shared > 0.5 or (same_figure and shared > 0.25)


def repeats(text: str, chosen: list[Sentence]) -> bool:
    """The sentence mostly says what one chosen sentence says, or gives a figure already given.

    A figure the answer does not have yet makes a sentence worth its place
    unless nearly all its other words are already there.
    """
    own = set(content_words(text))
    if not own:
        return True
    given = figures(text)
    theirs = [set(content_words(other.text)) for other in chosen]
    new_figure = bool(given - set().union(*theirs)) if theirs else bool(given)
    for words_said in theirs:
        shared = len(own & words_said) / len(own)
        if shared > (NEW_FIGURE_REPEAT_SHARE if new_figure else REPEAT_SHARE):
            return True
        if given & words_said and not new_figure and shared > 0.25:
            return True
    return False


# Opening with a pronoun, a demonstrative or "the company": the sentence carries on the one before it.
# After a connective the pronoun is in lower case ("But they ...").
_REFERENCE = (
    r"(?:It|He|She|They|Its|His|Her|Their|This|These|Those"
    r"|The (?:company|firm|group|report|study|commission|inquiry|platform|site"
    r"|network|agency|court|government|spokesman|spokeswoman|spokesperson|researchers|authors))\b"
)
_REFERS_BACK = re.compile(rf"^(?:{CONNECTIVES},?\s+(?i:{_REFERENCE})|{_REFERENCE})")
# Speaking in the first person (outside a quotation), or a relative time ("last week", "on Wednesday")
# that means nothing once the article's date is gone.
_CONTEXT_BOUND = re.compile(
    r"^(?:We|I)\b|\b(?:we|our|us|I|my)\b(?![^“”\"]*[”\"])"
    r"|\b(?:[Ll]ast|[Tt]his|[Nn]ext) (?:week|month|year|weekend)\b|\b(?:[Yy]esterday|[Rr]ecent(?:ly)?)\b"
    rf"|\b(?:on|[Ll]ast|[Tt]his) (?:{'|'.join(day.capitalize() for day in WEEKDAYS)})\b"
)


def refers_back(sentence: str) -> bool:
    """Opens by referring to what came before ("It said …", "The company added …", "But they …")."""
    return bool(_REFERS_BACK.match(sentence))


def needs_context(sentence: str) -> bool:
    """Leans on what came before it: it refers back, speaks in the first person, or gives a relative date."""
    return refers_back(sentence) or bool(_CONTEXT_BOUND.search(sentence))


def agree(
    a_words: frozenset[str], a_figures: frozenset[str], b_words: frozenset[str], b_figures: frozenset[str]
) -> bool:
    """Two sources' sentences agree: they share most distinctive words and give no different figures.

    Distinctive words leave out the topic's own words (every source on the topic
    has them); a shared figure makes a smaller share of shared words enough.
    """
    if len(a_words) < 3 or len(b_words) < 3:
        return False
    if a_figures and b_figures and not (a_figures & b_figures):
        return False
    shared = len(a_words & b_words) / min(len(a_words), len(b_words))
    return shared >= 0.5 or (bool(a_figures & b_figures) and shared >= 0.3)
