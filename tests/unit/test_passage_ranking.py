"""Ranking the chunks inside the leading documents (made-up chunks, an in-memory chunk source)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt

from assistant.answer.evidence import answer_passages
from assistant.domain import ChunkFilter, ChunkMeta, DocumentInfo, Hit, StoredChunk
from assistant.search.lexical import ChunkRow, LexicalIndex
from assistant.search.passages import document_passages, interleave, rank_within
from assistant.search.retrieval import ChunkSource, Retrieval, Retriever
from assistant.text.aliases import default_aliases
from assistant.tuning import DEFAULTS, RetrievalTuning

from .fakes import GivenVector


def _vector(*values: float) -> npt.NDArray[np.float32]:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


QUESTION = _vector(1.0, 0.0, 0.0)


def _chunk(path: str, index: int, vector: npt.NDArray[np.float32], text: str = "") -> tuple[StoredChunk, np.ndarray]:
    document = DocumentInfo(path, path, path, path, "Desk", "", "2020-01-01", "", "en", "md", 0)
    meta = ChunkMeta(source_key=path, document=document, date_num=20200101, index=index, start=0, end=1, tokens=9)
    return StoredChunk(f"{path}-{index}", text or f"passage {index} of {path}", meta), vector


class MemorySource:
    """A chunk source over a few made-up chunks: cosine similarity, filters by `ChunkFilter.allows`."""

    def __init__(self, chunks: list[tuple[StoredChunk, np.ndarray]]) -> None:
        self.chunks = {chunk.id: (chunk, vector) for chunk, vector in chunks}
        self.fetched: list[str] = []

    def nearest(
        self, vector: npt.NDArray[np.float32], n: int, scope: ChunkFilter | None = None
    ) -> list[tuple[str, float]]:
        found = [
            (chunk.id, float(np.dot(stored, vector)))
            for chunk, stored in self.chunks.values()
            if scope is None or scope.allows(chunk.meta.document.path, "Desk", chunk.meta.date_num)
        ]
        return sorted(found, key=lambda pair: -pair[1])[:n]

    def fetch(self, ids: list[str], query_vector: npt.NDArray[np.float32] | None = None) -> dict[str, StoredChunk]:
        self.fetched += ids
        found = {}
        for chunk_id in ids:
            chunk, stored = self.chunks[chunk_id]
            similarity = float(np.dot(stored, query_vector)) if query_vector is not None else None
            found[chunk_id] = StoredChunk(chunk.id, chunk.text, chunk.meta, similarity)
        return found


def _scored(source: MemorySource, chunk_id: str) -> StoredChunk:
    return source.fetch([chunk_id], QUESTION)[chunk_id]


def _hit(source: MemorySource, chunk_id: str, score: float, rank: int) -> Hit:
    return _scored(source, chunk_id).as_hit(score, rank)


def test_in_document_bm25_lifts_the_chunk_that_names_what_is_asked() -> None:
    source = MemorySource([_chunk("a.md", 0, _vector(1.0, 0.55, 0.0)), _chunk("a.md", 5, _vector(1.0, 0.7, 0.0))])
    near, worded = _scored(source, "a.md-0"), _scored(source, "a.md-5")
    assert (near.similarity or 0) > (worded.similarity or 0)
    ranked = rank_within([near, worded], {"a.md-5": 7.5, "a.md-0": 0.5})
    assert [chunk.id for chunk, _ in ranked] == ["a.md-5", "a.md-0"]
    # Without the words, the nearer chunk leads.
    assert [chunk.id for chunk, _ in rank_within([near, worded], {})] == ["a.md-0", "a.md-5"]


def test_a_chunk_next_to_a_strong_one_outranks_an_equal_chunk_elsewhere() -> None:
    source = MemorySource(
        [
            _chunk("a.md", 3, _vector(1.0, 0.1, 0.0)),
            _chunk("a.md", 4, _vector(1.0, 0.9, 0.3)),
            _chunk("a.md", 9, _vector(1.0, 0.9, 0.3)),
        ]
    )
    chunks = [_scored(source, chunk_id) for chunk_id in ("a.md-9", "a.md-4", "a.md-3")]
    order = [chunk.id for chunk, _ in rank_within(chunks, {})]
    assert order == ["a.md-3", "a.md-4", "a.md-9"]


def test_a_far_ahead_document_gives_more_passages_before_the_next_one() -> None:
    ranked = {
        path: [(_chunk(path, i, QUESTION)[0], 1.0 - i / 10) for i in range(6)] for path in ("a.md", "b.md", "c.md")
    }
    close = [chunk.id for chunk, _ in interleave([("a.md", 1.0), ("b.md", 0.99), ("c.md", 0.98)], ranked)]
    assert close[:3] == ["a.md-0", "b.md-0", "c.md-0"]
    ahead = [chunk.id for chunk, _ in interleave([("a.md", 1.0), ("b.md", 0.2), ("c.md", 0.1)], ranked)]
    assert ahead[:2] == ["a.md-0", "a.md-1"]
    # Never more than a few passages of one document.
    assert sum(1 for chunk_id in ahead if chunk_id.startswith("a.md")) == DEFAULTS.retrieval.passages_per_document


def _library() -> MemorySource:
    """a.md won with its chunk 0; its answer is chunk 6, less similar than chunk 0 but worded like the question."""
    chunks = [_chunk("a.md", i, _vector(1.0, 1.5, 0.2)) for i in range(8)]
    chunks[0] = _chunk("a.md", 0, _vector(1.0, 0.3, 0.0))
    chunks[6] = _chunk("a.md", 6, _vector(1.0, 0.9, 0.2))
    chunks += [_chunk(f"{name}.md", 0, _vector(1.0, 0.5, 0.4)) for name in "bcdefg"]
    return MemorySource(chunks)


def _search(source: MemorySource) -> tuple[list[Hit], list[Hit]]:
    hits = [_hit(source, "a.md-0", 0.05, 1)] + [
        _hit(source, f"{name}.md-0", 0.03 - n / 1000, n + 2) for n, name in enumerate("bcdefg")
    ]
    lexical = {"a.md": {"a.md-6": 9.0, "a.md-0": 2.0}}
    found = document_passages(source, QUESTION, hits, lexical, {})
    return hits, found


def test_the_leading_document_s_answer_chunk_comes_before_other_documents() -> None:
    hits, found = _search(_library())
    order = [hit.chunk_id for hit in found]
    assert "a.md-6" in order[:2]
    # The answerer reads it early; the listed sources keep one hit per document.
    retrieval = Retrieval(hits, ["asked"], [], passages=found)
    read = [hit.chunk_id for hit in answer_passages(retrieval)]
    assert "a.md-6" in read[:2]
    assert [hit.chunk_id for hit in retrieval.hits] == [hit.chunk_id for hit in hits]


def test_only_the_leading_documents_are_looked_inside() -> None:
    source = _library()
    _, found = _search(source)
    leading = {f"{name}.md" for name in "abcdefg"[: DEFAULTS.retrieval.leading_documents]}
    assert {hit.document.path for hit in found} == leading


def test_the_answerer_reads_every_passage_once_and_keeps_each_source_s_rank() -> None:
    source = _library()
    hits, found = _search(source)
    support = [_hit(source, "a.md-3", 0.01, 8), _hit(source, "a.md-6", 0.01, 9)]
    read = answer_passages(Retrieval(hits, ["asked"], [], support=support, passages=found))
    ids = [hit.chunk_id for hit in read]
    assert len(ids) == len(set(ids))
    assert set(ids) >= {hit.chunk_id for hit in hits + support + found}
    # Without ranked passages the answerer reads as before: the first hits, then more of their documents.
    plain = answer_passages(Retrieval(hits, ["asked"], [], support=support))
    assert [hit.chunk_id for hit in plain] == [hit.chunk_id for hit in hits + support]


def _lantern_passages(tmp_path: Path, tuning: RetrievalTuning) -> list[str]:
    # One report about the Lantern Forum: every chunk names it, one over and over; only one says what the
    # forum asks for before it acts on conduct elsewhere. All are equally close in meaning.
    # Elsewhere in the library the forum is never named, while proof is a common word.
    texts = [
        "The Lantern Forum grew fast. Lantern Forum members praise the Lantern Forum and its Lantern Forum rules.",
        "The Lantern Forum published its rules in spring.",
        "Before the Lantern Forum moves against conduct elsewhere, it wants proof.",
        "The Lantern Forum hosts a weekly meeting.",
    ]
    others = [
        "Regulators want proof of age.",
        "The court asked for proof of the claim.",
        "Proof of purchase is needed for a refund.",
        "The board found no proof of fraud.",
    ]
    chunks = [_chunk("reports/lantern.md", index, QUESTION, text) for index, text in enumerate(texts)]
    chunks += [_chunk(f"news/other-{index}.md", 0, _vector(0.0, 1.0, 0.0), text) for index, text in enumerate(others)]
    source = MemorySource(chunks)
    rows = [
        ChunkRow(chunk.id, chunk.meta.document.path, chunk.meta.document.path, "Desk", 20200101) for chunk, _ in chunks
    ]
    lexical = LexicalIndex.build(tmp_path / f"lexical-{tuning.passage_word_discount}", rows, texts + others, "stamp")
    retriever = Retriever(cast(ChunkSource, source), lexical, GivenVector(3), default_aliases(), tuning)
    found = retriever.search("What proof does the Lantern Forum demand before acting?", vector=QUESTION)
    return [hit.chunk_id for hit in found.passages if hit.document.path == "reports/lantern.md"]


def test_the_word_every_chunk_of_a_document_holds_does_not_rank_its_chunks(tmp_path: Path) -> None:
    assert _lantern_passages(tmp_path, DEFAULTS.retrieval)[0] == "reports/lantern.md-2"
    # Counting the forum's name like any other word, the chunk repeating it comes first.
    repeated = _lantern_passages(tmp_path, DEFAULTS.retrieval.model_copy(update={"passage_word_discount": 0.0}))
    assert repeated[0] == "reports/lantern.md-0"
