"""Composing cited answers from retrieved chunks, and deciding when not to answer.

The extractive backend picks the sentences of the retrieved chunks that best
cover the question, skips near-repeats, keeps them in a readable order (by
source rank, then position) and cites each with the exact sentence as its
quote, so every claim can be found in the source by a plain string search.

`judge_coverage` decides whether the evidence is enough to answer at all:
names in the question that no indexed document contains, or weak similarity
and word overlap, mean "not covered" rather than a guess.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.chunking import sentence_spans
from assistant.domain import Citation, Hit
from assistant.retrieval import Retrieval
from assistant.text import QUESTION_WORDS, content_words, looks_like_instruction, words

MAX_SENTENCES = 5
SENTENCE_POOL = 8

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


def _overlap(sentence_words: set[str], weights: dict[str, float], own_total: float) -> float:
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


def candidate_sentences(question: str, retrieval: Retrieval) -> list[Sentence]:
    weights = term_weights(question, retrieval)
    own_total = sum(w for w in weights.values() if w > 0) or 1.0
    numeric = _wants_number(question)
    found: list[Sentence] = []
    for hit in retrieval.hits[:SENTENCE_POOL]:
        for span in sentence_spans(hit.text):
            if hit.text[span.start] == "#":
                continue  # a heading names a topic; it states no fact
            start = span.start
            # Markdown quote and list markers are layout, not words: start after them.
            while start < span.end and hit.text[start] in "#>*-|• \t":
                start += 1
            text = hit.text[start : span.end]
            tokens = words(text)
            if len(tokens) < 5 or text.startswith("---") or looks_like_instruction(text):
                continue
            overlap = _overlap(set(tokens), weights, own_total)
            similarity = hit.similarity if hit.similarity is not None else 0.0
            # A long sentence matches more words by chance; damp it a little.
            length_penalty = 0.05 * math.log(max(len(tokens), 10) / 10)
            number_bonus = 0.1 if numeric and any(t[0].isdigit() for t in tokens) else 0.0
            score = overlap + 0.5 * similarity + 0.25 / hit.rank + number_bonus - length_penalty
            found.append(Sentence(hit, start, span.end, score, overlap))
    return found


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


def _similar(a: str, b: str) -> bool:
    """Two sentences say much the same thing (the same figure in other words counts)."""
    first, second = set(content_words(a)), set(content_words(b))
    if not first or not second:
        return False
    shared = len(first & second) / min(len(first), len(second))
    same_figure = any(w[0].isdigit() and len(w) > 1 and not w.startswith(("19", "20")) for w in first & second)
    return shared > 0.5 or (same_figure and shared > 0.25)


def select_sentences(sentences: list[Sentence], limit: int = MAX_SENTENCES) -> list[Sentence]:
    """The best sentences without near-repeats: the best first, the rest in reading order."""
    chosen: list[Sentence] = []
    ranked = sorted(sentences, key=lambda s: -s.score)
    if not ranked:
        return []
    floor = ranked[0].score * 0.6
    for sentence in ranked:
        if len(chosen) >= limit or sentence.score < floor:
            break
        if any(_similar(sentence.text, other.text) for other in chosen):
            continue
        chosen.append(sentence)
    return chosen[:1] + sorted(chosen[1:], key=lambda s: (s.hit.rank, s.start))


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
