"""The store adapter's translations: the core's typed filter into Chroma's `where`, and stored
metadata into `ChunkMeta`, without opening a store."""

from __future__ import annotations

from typing import Any

from assistant.adapters.chroma_store import _chunk_record, chunk_meta
from assistant.domain import LAST_DATE_NUM, Chunk, ChunkFilter, Document
from assistant.search.retrieval import Filters, document_allowed
from assistant.text.dates import date_number

# The keys every chunk record has carried since the first index format: an index built by an
# earlier version must keep answering, so these names are part of the format.
CHUNK_KEYS = {
    "source", "doc_id", "path", "source_path", "title", "publisher", "author", "date", "date_num",
    "url", "language", "format", "index", "start", "end", "tokens", "page", "context",
}  # fmt: skip


def _chunk(*, date: str = "2019-03-15", page: int | None = 4) -> Chunk:
    text = "Moderators removed the mirror channels within a day."
    document = Document(
        id="doc-1",
        path="reports/q1.pdf",
        source_path="reports/q1.pdf",
        text=text,
        format="pdf",
        content_hash="h",
        title="Quarterly report",
        publisher="Desk Weekly",
        author="A. Writer",
        date=date,
        url="https://example.org/q1",
        language="en",
    )
    return Chunk("doc-1:0", document, 0, text, 0, len(text), 11, page=page, context="Quarterly report")


def test_the_written_chunk_record_keeps_the_index_format() -> None:
    record = _chunk_record("source-key", _chunk())
    assert set(record) == CHUNK_KEYS
    assert record["date_num"] == 20190315 and record["source"] == "source-key"
    # None is never stored (Chroma refuses it): a chunk outside a PDF simply has no page.
    assert "page" not in _chunk_record("source-key", _chunk(page=None))


def test_a_stored_record_reads_back_as_the_chunk_it_came_from() -> None:
    chunk = _chunk()
    meta = chunk_meta(_chunk_record("source-key", chunk))
    document = chunk.document
    assert meta.source_key == "source-key"
    assert (meta.document.id, meta.document.path, meta.document.publisher) == ("doc-1", document.path, "Desk Weekly")
    assert (meta.document.date, meta.document.language, meta.document.format) == ("2019-03-15", "en", "pdf")
    assert meta.document.chunks == 0, "a chunk's record does not count its document's chunks"
    assert (meta.start, meta.end, meta.index, meta.tokens) == (chunk.start, chunk.end, chunk.index, chunk.tokens)
    assert (meta.page, meta.context, meta.date_num) == (4, "Quarterly report", 20190315)


def test_an_old_row_missing_newer_keys_still_reads() -> None:
    old: dict[str, Any] = {"source": "k", "doc_id": "d", "path": "notes/a.md", "start": 10, "end": 42}
    meta = chunk_meta(old)
    assert (meta.document.path, meta.start, meta.end) == ("notes/a.md", 10, 42)
    assert meta.page is None and meta.context == "" and meta.document.language == ""
    # No stored date number: undated, as Chroma's own range filter sees such a row.
    assert meta.date_num == 0
    assert not ChunkFilter(dates=(1, LAST_DATE_NUM)).allows(meta.document.path, "", meta.date_num)


def test_a_filter_is_one_rule_for_dates_sources_and_languages() -> None:
    scope = Filters(source="GUARDIAN", since="2019", until="2019-03").scope(language="EN ")
    assert scope.allows("news/a.md", "The Guardian", date_number("2019-03-31"), "en")
    assert not scope.allows("news/a.md", "The Guardian", date_number("2019-04-01"), "en")
    assert not scope.allows("news/a.md", "The Guardian", 0, "en"), "undated is outside any range"
    assert not scope.allows("news/a.md", "The Guardian", date_number("2019-03-01"), "de")
    assert scope.allows("guardian/b.md", "", date_number("2019-01-10"), "En"), "the path counts too"
    assert not ChunkFilter().active and ChunkFilter(language="en").active


def test_a_language_narrows_a_listing_of_documents() -> None:
    chunk = _chunk()
    info = chunk_meta(_chunk_record("k", chunk)).document
    assert document_allowed(info, ChunkFilter(language="EN"))
    assert not document_allowed(info, ChunkFilter(language="de"))
    assert document_allowed(info, Filters(since="2019-03-15"))
