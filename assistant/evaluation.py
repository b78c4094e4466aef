"""Measuring answer quality on a question set (`assistant eval`).

The question file is JSON Lines with `id`, `question` (a string, or a list of
turns asked in order as one conversation), `type`, `gold_docs` (paths
relative to the indexed root; empty for unanswerable questions), `key_facts`,
and optionally `evidence` (verbatim snippets of a gold document that hold the
facts) and `split` (such as `tune` or `check`). For each question type and
overall, and again per split, it reports document recall@1/5/10 and MRR,
passage recall (`evidence@1/3/10`: the share of questions with evidence whose
snippet lies in the first k passages the answerer read), key-fact coverage of
the answer text, citation-quote validity (each quote found verbatim in the
cited document's extracted text), refusal accuracy on unanswerable questions,
the false-refusal rate, how often an answer opens with a key fact (`lead`: of
the answers that state any key fact, the share whose first sentence states
one), the median length of the answers given, the share of
answer sentences no retrieved sentence supports (a generative backend's
`[unsupported]` sentences; an extractive answer only quotes) and the median
time to answer.

A conversation is asked through a `Session` with no audit trail (see
`AssistantService.evaluate`): each turn is rewritten from the earlier ones as
`ask --session` does, but measuring never writes to the conversation store.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain import RECORD_MARK, Answer, Hit
from assistant.errors import UsageError
from assistant.text.apparatus import display_text
from assistant.text.words import LIGATURES, content_words, words

#: The k of passage recall: the first passage, a few, and all the answerer usually reads.
EVIDENCE_AT = (1, 3, 10)
#: A snippet that runs over the end of a passage (or starts before it) counts as in that passage when the
#: passage holds at least this share of it: the other part is in the next (or previous) passage.
BOUNDARY_SHARE = 0.5
#: The order splits are reported in; any other split follows, by name.
SPLIT_ORDER = ("tune", "check")


@dataclass(frozen=True)
class Question:
    id: str
    #: The question scored: the only turn, or the last one of a conversation.
    question: str
    type: str
    gold_docs: tuple[str, ...]
    key_facts: tuple[str, ...]
    #: Verbatim snippets of a gold document that hold the answer.
    evidence: tuple[str, ...] = ()
    split: str = ""
    #: The turns asked before `question`, oldest first (empty for a single question).
    earlier: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.gold_docs)

    @property
    def turns(self) -> tuple[str, ...]:
        return (*self.earlier, self.question)


def read_questions(path: Path) -> list[Question]:
    if not path.is_file():
        raise UsageError(f"{path}: no such question file")
    questions = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            turns = _turns(raw["question"])
            questions.append(
                Question(
                    id=str(raw.get("id", lineno)),
                    question=turns[-1],
                    type=str(raw.get("type", "all")),
                    gold_docs=tuple(raw.get("gold_docs") or ()),
                    key_facts=tuple(raw.get("key_facts") or ()),
                    evidence=_snippets(raw.get("evidence")),
                    split=str(raw.get("split") or ""),
                    earlier=turns[:-1],
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise UsageError(f"{path}: line {lineno} is not a question record ({exc})") from exc
    if not questions:
        raise UsageError(f"{path}: no questions")
    return questions


def _turns(value: Any) -> tuple[str, ...]:
    """A question's turns: one string, or a non-empty list of strings asked in order."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not value or not all(isinstance(turn, str) for turn in value):
        raise ValueError("'question' must be a string or a non-empty list of strings")
    return tuple(value)


def _snippets(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(snippet, str) for snippet in value):
        raise ValueError("'evidence' must be a string or a list of strings")
    return tuple(snippet for snippet in value if snippet.strip())


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


def comparable(text: str) -> str:
    """Text as passage matching compares it: markup, emphasis, quote styles, case and spacing set aside.

    A snippet copied from a page may keep or drop Markdown emphasis, link
    syntax, curly quotes and line breaks; none of them changes what the
    passage says.
    """
    # A quote's prose form (`display_text`) is the one rule for this; the rest are a snippet's own liberties.
    # Emphasis marks, quote styles and the brackets a snippet may keep of a link ("[text]") are set aside.
    text = display_text(text).translate(_MARKS).translate(LIGATURES)
    return " ".join(text.split()).casefold()


_MARKS = str.maketrans(
    {"‘": "'", "’": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-"} | dict.fromkeys("*_[]", None)
)


def snippet_in_passage(snippet: str, passage: str) -> bool:
    """Whether a passage holds an evidence snippet, both compared in their `comparable` form.

    The passage holds it when it contains the whole snippet, or when the
    snippet runs over one of its ends: the passage ends with the snippet's
    first part, or starts with its last part, and that part is at least
    `BOUNDARY_SHARE` of the snippet (the rest lies in the neighbouring passage).
    """
    wanted, text = comparable(snippet), comparable(passage)
    if not wanted or not text:
        return False
    if wanted in text:
        return True
    least = max(1, int(len(wanted) * BOUNDARY_SHARE + 0.999))
    for size in range(len(wanted) - 1, least - 1, -1):
        if text.endswith(wanted[:size]) or text.startswith(wanted[-size:]):
            return True
    return False


def evidence_ranks(snippets: Sequence[str], passages: Sequence[Hit]) -> list[int | None]:
    """For each snippet, the position (from 1) of the first passage that holds it, or None."""
    return [
        next((n for n, hit in enumerate(passages, 1) if snippet_in_passage(snippet, hit.text)), None)
        for snippet in snippets
    ]


@dataclass
class QuestionResult:
    question: Question
    answer: Answer
    rank: int | None
    facts_found: int
    quotes_valid: int
    quotes_total: int
    #: Per evidence snippet, the position of the first passage the answerer read that holds it.
    snippet_ranks: tuple[int | None, ...] = ()
    #: Each turn as it was searched (a follow-up rewritten from the turns before it).
    searched: tuple[str, ...] = ()

    @property
    def evidence_rank(self) -> int | None:
        """The first passage that holds any of the question's evidence, or None."""
        found = [rank for rank in self.snippet_ranks if rank is not None]
        return min(found) if found else None

    @property
    def has_evidence(self) -> bool:
        return self.question.answerable and bool(self.question.evidence)

    @property
    def answer_chars(self) -> int | None:
        return len(self.answer.text) if self.answer.status == "answered" else None

    @property
    def lead_fact(self) -> bool | None:
        """Whether the answer's first sentence states a key fact; None unless the answer states any.

        An analyst reads the first sentence first: the fact asked for belongs there, not fifth.
        """
        if self.answer.status != "answered" or not self.facts_found or not self.answer.sentences:
            return None
        first = self.answer.sentences[0].text
        return any(fact_found(fact, first) for fact in self.question.key_facts)

    @property
    def unsupported(self) -> tuple[int, int] | None:
        """(unsupported, all) sentences of an answer given; None for a refusal."""
        if self.answer.status != "answered":
            return None
        sentences = self.answer.sentences
        return sum(1 for sentence in sentences if not sentence.supported), len(sentences)

    @property
    def unsupported_share(self) -> float | None:
        counts = self.unsupported
        return None if counts is None or not counts[1] else counts[0] / counts[1]

    @property
    def latency_ms(self) -> float | None:
        """Retrieval plus answer of the scored turn, as `ask` reports it."""
        return self.answer.timings_ms.get("total")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.question.id,
            "type": self.question.type,
            "split": self.question.split or None,
            "status": self.answer.status,
            "not_covered_reason": self.answer.note if self.answer.status == "not_covered" else None,
            "gold_rank": self.rank,
            "evidence_rank": self.evidence_rank,
            "evidence_ranks": list(self.snippet_ranks),
            "facts_found": self.facts_found,
            "facts_total": len(self.question.key_facts),
            "answer_chars": self.answer_chars,
            "lead_has_fact": self.lead_fact,
            "unsupported_share": None if self.unsupported_share is None else round(self.unsupported_share, 3),
            "latency_ms": self.latency_ms,
            "quotes_valid": self.quotes_valid,
            "quotes_total": self.quotes_total,
            "turns": len(self.question.turns),
            "searched_as": list(self.searched) or [self.question.question],
            "top_documents": ranked_documents(self.answer)[:5],
            # What was said and which facts it missed, so a reader can see why a question scored as it did.
            "answer": self.answer.text,
            "facts_missed": [fact for fact in self.question.key_facts if not fact_found(fact, self.answer.text)]
            if self.answer.status == "answered"
            else list(self.question.key_facts),
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
    #: Answerable questions that have evidence snippets (the denominator of evidence@k).
    with_evidence: int = 0
    evidence_at: dict[int, float] = field(default_factory=dict)
    median_answer_chars: float | None = None
    #: Of the answers stating a key fact, the share whose first sentence states one (None when none does).
    lead_fact_share: float | None = None
    #: Unsupported sentences over all sentences of the answers given (None when none was given).
    unsupported_share: float | None = None
    latency_p50_ms: float | None = None

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
            "with_evidence": self.with_evidence,
            **{f"evidence@{k}": round(self.evidence_at[k], 3) if k in self.evidence_at else None for k in EVIDENCE_AT},
            "median_answer_chars": self.median_answer_chars,
            "lead_fact_share": None if self.lead_fact_share is None else round(self.lead_fact_share, 3),
            "unsupported_share": None if self.unsupported_share is None else round(self.unsupported_share, 3),
            "latency_p50_ms": self.latency_p50_ms,
        }


def score_question(
    question: Question,
    answer: Answer,
    document_text: Callable[[str], str | None],
    searched: tuple[str, ...] = (),
) -> QuestionResult:
    docs = ranked_documents(answer)
    gold = {_doc_of(g) for g in question.gold_docs}
    rank = next((i for i, doc in enumerate(docs, 1) if doc in gold), None)
    facts = sum(1 for fact in question.key_facts if fact_found(fact, answer.text)) if answer.status == "answered" else 0
    valid = 0
    for citation in answer.citations:
        text = document_text(citation.hit.document.path)
        if text is not None and citation.quote in text:
            valid += 1
    snippets = evidence_ranks(question.evidence, answer.passages) if question.answerable else []
    return QuestionResult(question, answer, rank, facts, valid, len(answer.citations), tuple(snippets), searched)


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
    with_evidence = [r for r in items if r.has_evidence]
    summary.with_evidence = len(with_evidence)
    if with_evidence:
        for k in EVIDENCE_AT:
            found = sum(1 for r in with_evidence if r.evidence_rank is not None and r.evidence_rank <= k)
            summary.evidence_at[k] = found / len(with_evidence)
    lengths = [r.answer_chars for r in items if r.answer_chars is not None]
    summary.median_answer_chars = statistics.median(lengths) if lengths else None
    leads = [r.lead_fact for r in items if r.lead_fact is not None]
    summary.lead_fact_share = sum(leads) / len(leads) if leads else None
    counts = [r.unsupported for r in items if r.unsupported is not None]
    sentences = sum(total for _, total in counts)
    summary.unsupported_share = sum(bad for bad, _ in counts) / sentences if sentences else None
    latencies = [r.latency_ms for r in items if r.latency_ms is not None]
    summary.latency_p50_ms = round(statistics.median(latencies), 1) if latencies else None
    return summary


def by_type(results: list[QuestionResult]) -> dict[str, Summary]:
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        groups[result.question.type].append(result)
    table = {name: summarise(group) for name, group in sorted(groups.items())}
    table["overall"] = summarise(results)
    return table


def by_split(results: list[QuestionResult]) -> dict[str, dict[str, Summary]]:
    """A `by_type` table for each split the questions name (`tune`, `check`, then others); {} if none does."""
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        if result.question.split:
            groups[result.question.split].append(result)
    order = sorted(
        groups, key=lambda name: (SPLIT_ORDER.index(name) if name in SPLIT_ORDER else len(SPLIT_ORDER), name)
    )
    return {name: by_type(groups[name]) for name in order}


def normalise_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text)
