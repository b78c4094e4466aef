"""What a conversation turn records: its question, rewrite, answer, citations and the index state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.answer.attribution import propaganda_label
from assistant.domain import Answer, Citation, IndexStatus
from assistant.search.retrieval import Filters

if TYPE_CHECKING:
    from assistant.brief.builder import Brief, BriefQuote, BriefSource
from assistant.conversation.rewriting import Exchange

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
        from assistant.brief.builder import first_quotes
        from assistant.brief.render import brief_markdown

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


def brief_question(topic: str) -> str:
    """How a brief is recorded as a question, in the chat's own words."""
    return f"{BRIEF_COMMAND} {topic}"


TITLE_CHARS = 60


def conversation_title(question: str) -> str:
    """The title a conversation is listed under: its first question, shortened for lists."""
    text = " ".join(question.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"
