"""Composing cited answers from retrieved chunks, and deciding when not to answer.

The extractive backend picks the sentences of the retrieved chunks (and of the
further passages retrieval kept of the same documents) that best cover the
question, skips near-repeats, keeps them in a readable order (by source rank,
then position) and cites each with the exact sentence as its quote, so every
claim can be found in the source by a plain string search.

`judge_coverage` decides whether the evidence is enough to answer at all:
names in the question that no indexed document contains, or weak similarity
and word overlap, mean "not covered" rather than a guess.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.chunking import sentence_spans
from assistant.domain import Citation, Hit
from assistant.retrieval import Retrieval
from assistant.text import QUESTION_WORDS, STOPWORDS, content_words, looks_like_instruction, words

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
    """How much each question word matters: names and numbers most, aliases least."""
    weights: dict[str, float] = {}
    for term in retrieval.query_terms:
        if term in QUESTION_WORDS:
            continue
        weights[term] = max(retrieval.idf.get(term, 1.0), 0.1)
    for term in retrieval.expanded_terms:
        # Aliases stand in for a name the question already weighs: count once, lightly.
        weights.setdefault(term, -0.5 * max(retrieval.idf.get(term, 1.0), 0.1))
    return weights


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


def candidate_sentences(question: str, retrieval: Retrieval, *, pool_size: int = SENTENCE_POOL) -> list[Sentence]:
    """Every sentence of the first `pool_size` hits (and of further passages of their documents), scored."""
    weights = term_weights(question, retrieval)
    own_total = sum(w for w in weights.values() if w > 0) or 1.0
    numeric = _wants_number(question)
    naming = _wants_name(question)
    asked = set(words(question))
    found: list[Sentence] = []
    pool = retrieval.hits[:pool_size]
    source_rank: dict[str, int] = {}
    for hit in pool:
        source_rank.setdefault(hit.document.path, hit.rank)
    # Other passages of the sources already chosen often hold the rest of the answer.
    pool += [hit for hit in retrieval.hits[pool_size:] + retrieval.support if hit.document.path in source_rank]
    for hit in pool:
        rank = source_rank[hit.document.path]
        for start, end in _pieces(hit.text):
            if hit.text[start] == "#":
                continue  # a heading names a topic; it states no fact
            # Markdown quote and list markers (bullets or "2.") are layout, not words: start after them.
            while start < end and hit.text[start] in "#>*-|• \t":
                start += 1
            numbered = _LIST_NUMBER.match(hit.text, start, end)
            if numbered:
                start = numbered.end()
            text = hit.text[start:end]
            tokens = words(text)
            if len(tokens) < 5 or text.startswith("---") or looks_like_instruction(text):
                continue
            overlap = overlap_share(set(tokens), weights, own_total)
            similarity = hit.similarity if hit.similarity is not None else 0.0
            # A long sentence matches more words by chance; damp it a little.
            length_penalty = LENGTH_WEIGHT * math.log(max(len(tokens), 10) / 10)
            # The answer to "how many" or "who" is a figure or a name the question does not already contain.
            bonus = 0.0
            if numeric and any(t[0].isdigit() and t not in asked for t in tokens):
                bonus += NUMBER_BONUS
            if naming and _new_names(text, asked):
                bonus += NAME_BONUS
            score = overlap + SIMILARITY_WEIGHT * similarity + RANK_WEIGHT / rank + bonus - length_penalty
            found.append(Sentence(hit, start, end, score, overlap))
    return found


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
    if best_similarity < MIN_SIMILARITY:
        return Coverage(False, "the closest passages are only loosely related", best_overlap, best_similarity)
    if best_overlap < MIN_OVERLAP:
        return Coverage(False, "no passage addresses the question's key terms", best_overlap, best_similarity)
    return Coverage(True, "", best_overlap, best_similarity)


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
    same_figure = any(w[0].isdigit() and len(w) > 1 and not w.startswith(("19", "20")) for w in first & second)
    return shared > 0.5 or (same_figure and shared > 0.25)


def select_sentences(sentences: list[Sentence], limit: int = MAX_SENTENCES) -> list[Sentence]:
    """The best sentences without near-repeats: the best first, the rest in reading order.

    Short sentences leave room for more of them: the answer stops at `limit`
    sentences or at a reading budget of characters, whichever comes first.
    """
    chosen: list[Sentence] = []
    ranked = sorted(sentences, key=lambda s: -s.score)
    if not ranked:
        return []
    floor = ranked[0].score * SCORE_FLOOR
    length = 0
    for sentence in ranked:
        if len(chosen) >= limit or sentence.score < floor:
            break
        if any(similar(sentence.text, other.text) for other in chosen):
            continue
        if chosen and length + len(sentence.text) > ANSWER_CHARS:
            continue
        chosen.append(sentence)
        length += len(sentence.text)
    # Reading order: sources as first retrieved, each in the order of its text.
    source_order: dict[str, int] = {}
    for sentence in sorted(chosen[1:], key=lambda s: s.hit.rank):
        source_order.setdefault(sentence.hit.document.path, len(source_order))
    rest = sorted(chosen[1:], key=lambda s: (source_order[s.hit.document.path], s.hit.start + s.start))
    return chosen[:1] + rest


def compose_extractive(sentences: list[Sentence]) -> tuple[str, list[Citation]]:
    """Answer text with [n] after each sentence, and the matching citations."""
    citations: list[Citation] = []
    parts: list[str] = []
    for n, sentence in enumerate(sentences, 1):
        citations.append(Citation(n=n, hit=sentence.hit, quote=sentence.text))
        # The quote keeps the source's exact characters; the answer drops Markdown emphasis.
        body = re.sub(r"(\*\*|__|`)", "", " ".join(sentence.text.split()))
        parts.append(f"{body} [{n}]")
    return " ".join(parts), citations
