"""Measuring answer quality on a question set (`assistant eval`).

The question file is JSON Lines with `id`, `question`, `type`, `gold_docs`
(paths relative to the indexed root; empty for unanswerable questions) and
`key_facts`. For each question type and overall it reports document
recall@1/5/10 and MRR, key-fact coverage of the answer text, citation-quote
validity (each quote found verbatim in the cited document's extracted text),
refusal accuracy on unanswerable questions and the false-refusal rate.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain import RECORD_MARK, Answer
from assistant.errors import UsageError
from assistant.text.words import content_words, words


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    type: str
    gold_docs: tuple[str, ...]
    key_facts: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.gold_docs)


def read_questions(path: Path) -> list[Question]:
    if not path.is_file():
        raise UsageError(f"{path}: no such question file")
    questions = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            questions.append(
                Question(
                    id=str(raw.get("id", lineno)),
                    question=str(raw["question"]),
                    type=str(raw.get("type", "all")),
                    gold_docs=tuple(raw.get("gold_docs") or ()),
                    key_facts=tuple(raw.get("key_facts") or ()),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise UsageError(f"{path}: line {lineno} is not a question record ({exc})") from exc
    if not questions:
        raise UsageError(f"{path}: no questions")
    return questions


def _doc_of(path: str) -> str:
    return path.split(RECORD_MARK, 1)[0]


def ranked_documents(answer: Answer) -> list[str]:
    """Distinct documents (rows count as their file) in retrieval order."""
    seen: list[str] = []
    for hit in answer.retrieved:
        doc = _doc_of(hit.document.path)
        if doc not in seen:
            seen.append(doc)
    return seen


def fact_found(fact: str, text: str) -> bool:
    """A key fact counts as covered when most of its content words appear.

    A hyphenated word also counts as present when all its parts are, so
    "September-December 2014" is found in "between September and December
    2014". A fact of only common words ("No") is looked for word by word.
    """
    units = set(content_words(fact)) or set(words(fact))
    if not units:
        return False
    present = set(words(text))
    found = sum(1 for unit in units if unit in present or _parts_present(unit, present))
    return found / len(units) >= 0.6


def _parts_present(unit: str, present: set[str]) -> bool:
    parts = [part for part in unit.split("-") if part]
    return len(parts) > 1 and all(part in present for part in parts)


@dataclass
class QuestionResult:
    question: Question
    answer: Answer
    rank: int | None
    facts_found: int
    quotes_valid: int
    quotes_total: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.question.id,
            "type": self.question.type,
            "status": self.answer.status,
            "gold_rank": self.rank,
            "facts_found": self.facts_found,
            "facts_total": len(self.question.key_facts),
            "quotes_valid": self.quotes_valid,
            "quotes_total": self.quotes_total,
            "top_documents": ranked_documents(self.answer)[:5],
        }


@dataclass
class Summary:
    questions: int = 0
    answerable: int = 0
    recall_at: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0
    key_fact_coverage: float = 0.0
    citation_validity: float = 1.0
    refusal_accuracy: float | None = None
    false_refusals: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "questions": self.questions,
            "answerable": self.answerable,
            "recall@1": round(self.recall_at.get(1, 0.0), 3),
            "recall@5": round(self.recall_at.get(5, 0.0), 3),
            "recall@10": round(self.recall_at.get(10, 0.0), 3),
            "mrr": round(self.mrr, 3),
            "key_fact_coverage": round(self.key_fact_coverage, 3),
            "citation_validity": round(self.citation_validity, 3),
            "refusal_accuracy": None if self.refusal_accuracy is None else round(self.refusal_accuracy, 3),
            "false_refusals": round(self.false_refusals, 3),
        }


def score_question(question: Question, answer: Answer, document_text: Callable[[str], str | None]) -> QuestionResult:
    docs = ranked_documents(answer)
    gold = {_doc_of(g) for g in question.gold_docs}
    rank = next((i for i, doc in enumerate(docs, 1) if doc in gold), None)
    facts = sum(1 for fact in question.key_facts if fact_found(fact, answer.text)) if answer.status == "answered" else 0
    valid = 0
    for citation in answer.citations:
        text = document_text(citation.hit.document.path)
        if text is not None and citation.quote in text:
            valid += 1
    return QuestionResult(question, answer, rank, facts, valid, len(answer.citations))


def summarise(results: Iterable[QuestionResult]) -> Summary:
    items = list(results)
    summary = Summary(questions=len(items))
    answerable = [r for r in items if r.question.answerable]
    unanswerable = [r for r in items if not r.question.answerable]
    summary.answerable = len(answerable)
    if answerable:
        for k in (1, 5, 10):
            summary.recall_at[k] = sum(1 for r in answerable if r.rank is not None and r.rank <= k) / len(answerable)
        summary.mrr = sum(1 / r.rank for r in answerable if r.rank) / len(answerable)
        with_facts = [r for r in answerable if r.question.key_facts]
        if with_facts:
            summary.key_fact_coverage = sum(r.facts_found / len(r.question.key_facts) for r in with_facts) / len(
                with_facts
            )
        summary.false_refusals = sum(1 for r in answerable if r.answer.status == "not_covered") / len(answerable)
    quotes = sum(r.quotes_total for r in items)
    summary.citation_validity = sum(r.quotes_valid for r in items) / quotes if quotes else 1.0
    if unanswerable:
        summary.refusal_accuracy = sum(1 for r in unanswerable if r.answer.status == "not_covered") / len(unanswerable)
    return summary


def by_type(results: list[QuestionResult]) -> dict[str, Summary]:
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        groups[result.question.type].append(result)
    table = {name: summarise(group) for name, group in sorted(groups.items())}
    table["overall"] = summarise(results)
    return table


def normalise_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text)
