"""Typed domain objects: Document -> Chunk -> Hit -> Citation -> Answer.

These are plain frozen dataclasses with no dependency on LangChain or Chroma,
so the rest of the core reads in terms of the analyst's world: a document has
a title, publisher and date; a chunk is a span of its extracted text; a hit is
a chunk that retrieval returned; a citation is the exact quote backing part of
an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

Format = Literal["markdown", "text", "html", "pdf", "csv", "jsonl"]


@dataclass(frozen=True)
class PageSpan:
    """Where one PDF page starts in a document's extracted text."""

    page: int
    start: int


@dataclass(frozen=True)
class Document:
    """One article, report or record, as extracted text plus metadata.

    `path` is relative to the indexed root; a record of a CSV or JSONL file has
    the path `file.csv#row=N`, N counting records from 1.
    """

    id: str
    path: str
    source_path: str
    text: str
    format: Format
    content_hash: str
    title: str = ""
    publisher: str = ""
    author: str = ""
    date: str = ""
    url: str = ""
    language: str = ""
    pages: tuple[PageSpan, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The PDF page holding the character at `offset`, if paged."""
        page: int | None = None
        for span in self.pages:
            if span.start > offset:
                break
            page = span.page
        return page


@dataclass(frozen=True)
class Chunk:
    """A span of a document's text, small enough for the embedding model.

    `text == document.text[start:end]` always holds, so a citation can quote
    the exact extracted words.
    """

    id: str
    document: Document
    index: int
    text: str
    start: int
    end: int
    tokens: int
    page: int | None = None
    #: A short line (the document title) embedded in front of the text, so a
    #: chunk from the middle of a report still carries what it is about.
    context: str = ""


@dataclass(frozen=True)
class DocumentInfo:
    """A document as the index knows it, without its text."""

    id: str
    path: str
    source_path: str
    title: str
    publisher: str
    author: str
    date: str
    url: str
    language: str
    format: str
    chunks: int

    @property
    def is_record(self) -> bool:
        """Whether this is one record of a table (`file.csv#row=N`) rather than a whole file."""
        return self.path.startswith(f"{self.source_path}{RECORD_MARK}")


#: What joins a table file's path and a record's number in the record's path: `posts.csv#row=12`.
RECORD_MARK = "#row="


@dataclass(frozen=True)
class SourceRecord:
    """A source file as last committed to the index."""

    key: str
    abspath: str
    root: str
    relpath: str
    content_hash: str
    documents: int
    chunks: int
    indexed_at: str
    #: True while the file's records are being replaced or removed: none of them count.
    pending: bool = False

    @property
    def location(self) -> Path:
        """Where the file was found (a symlink's own place, not its target)."""
        return Path(self.root) / self.relpath


class Embedder(Protocol):
    """Anything that turns texts into normalised vectors (the embedding adapters)."""

    name: str

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class ChunkMeta:
    """What the index keeps beside a chunk's text and vector: its document and its place in it."""

    #: The indexed file the chunk came from (the key of that file's commit marker).
    source_key: str
    #: The chunk's document, with `chunks` 0: a chunk's record does not count its document's chunks.
    document: DocumentInfo
    #: The document's date as the number yyyymmdd (missing parts 0), 0 when undated: what date ranges compare.
    date_num: int
    index: int
    start: int
    end: int
    tokens: int
    page: int | None = None
    #: The line embedded in front of the text (see `Chunk.context`), "" when none.
    context: str = ""


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the index."""

    id: str
    text: str
    meta: ChunkMeta
    #: Cosine similarity to the query vector, when one was given.
    similarity: float | None = None

    def as_hit(self, score: float, rank: int) -> Hit:
        """This chunk as a search result with the given score and rank."""
        meta = self.meta
        return Hit(self.id, self.text, meta.document, meta.start, meta.end, meta.page, score, rank, self.similarity)


#: The upper bound of a date range open at the top (a yyyymmdd number beyond every date).
LAST_DATE_NUM = 99999999


@dataclass(frozen=True)
class ChunkFilter:
    """Which chunks (or documents) may answer, in the index's own terms.

    Exact search over the table of vectors and the BM25 rows both apply it
    through `allows`, so a passage passes or fails the same way on either side.
    Every part left empty lets everything through.
    """

    #: An inclusive range of yyyymmdd date numbers; undated documents fall outside any range.
    dates: tuple[int, int] | None = None
    #: A case-blind substring of the document's path or publisher.
    source: str = ""
    #: A language code such as `en`, compared case-blind.
    language: str = ""
    #: Only chunks of the documents at these paths (exact); empty: any document.
    paths: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.dates is not None or bool(self.source) or bool(self.language) or bool(self.paths)

    def allows(self, path: str, publisher: str, date_num: int, language: str = "") -> bool:
        """Whether a document with these fields passes (the one rule for chunks, table rows and documents)."""
        if self.paths and path not in self.paths:
            return False
        if self.dates is not None:
            low, high = self.dates
            if not date_num or not low <= date_num <= high:
                return False
        if self.source:
            needle = self.source.lower()
            if needle not in path.lower() and needle not in publisher.lower():
                return False
        return not self.language or language.lower() == self.language.strip().lower()


@dataclass(frozen=True)
class RecordGroup:
    """The indexed records of one table file (CSV or JSONL), listed as one line."""

    source_path: str
    records: tuple[DocumentInfo, ...]

    @property
    def dates(self) -> tuple[str, str]:
        """The earliest and latest record date ('' when no record is dated)."""
        dated = sorted(d.date for d in self.records if d.date)
        return (dated[0], dated[-1]) if dated else ("", "")

    def publishers(self) -> list[str]:
        """The records' publishers, the most frequent first."""
        counts: dict[str, int] = {}
        for record in self.records:
            if record.publisher:
                counts[record.publisher] = counts.get(record.publisher, 0) + 1
        return sorted(counts, key=lambda name: (-counts[name], name))


@dataclass(frozen=True)
class Hit:
    """A chunk returned by retrieval, with its score and rank."""

    chunk_id: str
    text: str
    document: DocumentInfo
    start: int
    end: int
    page: int | None
    score: float
    rank: int
    #: Cosine similarity between the question and the chunk, when known.
    similarity: float | None = None


@dataclass(frozen=True)
class Citation:
    """The evidence behind part of an answer: a verbatim quote of a hit."""

    n: int
    hit: Hit
    quote: str
    #: The extremist group whose own words the quote is (propaganda), or "".
    attributed_to: str = ""

    @property
    def propaganda(self) -> bool:
        return bool(self.attributed_to)


@dataclass(frozen=True)
class Answer:
    """An answer with its numbered citations.

    When the documents do not cover the question, `status` is "not_covered",
    `text` says so plainly, `note` gives the reason and `retrieved` holds the
    nearest documents.
    """

    question: str
    status: Literal["answered", "not_covered"]
    text: str
    citations: tuple[Citation, ...] = ()
    retrieved: tuple[Hit, ...] = ()
    backend: str = "extractive"
    model: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    note: str = ""
    sentences: tuple[AnswerSentence, ...] = ()
    #: Retrieved sentences left out because they address the assistant or tell the reader what to answer.
    set_aside: int = 0
    #: The passages the answer was composed from, in the order the answerer read them (`assistant eval`
    #: looks for the evidence in them): for the extractive backend, and for a question judged not covered,
    #: the sentence pool (see `answer_passages`); for a generative model, the passages it was shown.
    passages: tuple[Hit, ...] = ()


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer, the citation backing it, and whether any does."""

    text: str
    citations: tuple[int, ...]
    supported: bool = True


@dataclass(frozen=True)
class FileFailure:
    """A file that could not be indexed, and why."""

    path: str
    error: str


@dataclass
class IndexReport:
    """What one `index` run did. Counts of source files, except documents/chunks."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[FileFailure] = field(default_factory=list)
    #: Files and folders (ending "/") left out by an exclusion pattern; `error` holds the pattern.
    excluded: list[FileFailure] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0


@dataclass(frozen=True)
class IndexStatus:
    """A summary of the index for `status`."""

    location: str
    mode: Literal["local", "server"]
    exists: bool
    documents: int
    chunks: int
    sources: int
    embedding_model: str
    dimension: int | None
    chunker: str
    last_indexed: str | None
    #: Chunks of documents not in English that the multilingual encoder matches (None: off or not built yet).
    crosslingual_chunks: int | None = None
    #: Those documents by language code, most first.
    other_languages: dict[str, int] = field(default_factory=dict)
