"""Passages inside the leading documents: which chunks of a found document answer the question.

Document-level fusion keeps one chunk per document near the top (the spread
that listing sources needs), and the chunk that wins it is often not the one
holding the answer: the small encoder ranks a document's own chunks poorly
and the spread pushes the document's other chunks down. So once documents
are ranked, every chunk of each leading document is ranked again by the
question alone: its cosine similarity (read with the stored vectors), its
BM25 score within the document (scaled to that document's best), and the
strength of the chunks on either side (an answer often carries on from the
passage that matched). The best few of each document, documents in their
ranked order, are what the answerer reads first (`Retrieval.passages`).
Every weight here is a field of `RetrievalTuning` (`passage_*`, `leading_documents`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from assistant.domain import ChunkFilter, Hit, StoredChunk
from assistant.tuning import DEFAULTS, RetrievalTuning

if TYPE_CHECKING:
    from assistant.search.retrieval import ChunkSource


def rank_within(
    chunks: Sequence[StoredChunk], lexical: Mapping[str, float], tuning: RetrievalTuning = DEFAULTS.retrieval
) -> list[tuple[StoredChunk, float]]:
    """One document's chunks, best first, scored by similarity, in-document BM25 and their neighbours.

    `lexical` maps chunk ids to BM25 scores (missing: 0); a chunk without a
    known similarity counts as 0 on that side.
    """
    if not chunks:
        return []
    top = max((lexical.get(chunk.id, 0.0) for chunk in chunks), default=0.0) or 1.0
    base = {
        chunk.meta.index: (chunk.similarity or 0.0) + tuning.passage_lexical_share * lexical.get(chunk.id, 0.0) / top
        for chunk in chunks
    }
    scored = []
    for chunk in chunks:
        index = chunk.meta.index
        neighbour = max(base.get(index - 1, 0.0), base.get(index + 1, 0.0))
        scored.append((chunk, base[index] + tuning.passage_neighbour_share * max(neighbour, 0.0)))
    scored.sort(key=lambda pair: (-pair[1], pair[0].meta.index))
    return scored


def interleave(
    documents: Sequence[tuple[str, float]],
    ranked: Mapping[str, Sequence[tuple[StoredChunk, float]]],
    tuning: RetrievalTuning = DEFAULTS.retrieval,
) -> list[tuple[StoredChunk, float]]:
    """The first passages of each document, in one list: a document's n-th passage weighs its score x discount^n.

    `documents` are (path, document score) best first; ties keep that order.
    """
    placed: list[tuple[float, int, int, StoredChunk]] = []
    for order, (path, score) in enumerate(documents):
        for position, (chunk, _) in enumerate(ranked.get(path, ())[: tuning.passages_per_document]):
            placed.append((score * tuning.passage_discount**position, order, position, chunk))
    placed.sort(key=lambda item: (-item[0], item[1], item[2]))
    return [(chunk, weight) for weight, _, _, chunk in placed]


def leading_documents(hits: Sequence[Hit], tuning: RetrievalTuning = DEFAULTS.retrieval) -> list[tuple[str, float]]:
    """(path, score of its first hit) of the first `tuning.leading_documents` documents among the hits."""
    found: dict[str, float] = {}
    for hit in hits:
        if hit.document.path not in found:
            found[hit.document.path] = hit.score
            if len(found) == tuning.leading_documents:
                break
    return list(found.items())


def document_passages(
    reader: ChunkSource,
    vector: npt.NDArray[np.float32],
    hits: Sequence[Hit],
    lexical: Mapping[str, Mapping[str, float]],
    known: Mapping[str, StoredChunk],
    tuning: RetrievalTuning = DEFAULTS.retrieval,
) -> list[Hit]:
    """The best passages of the leading documents among `hits`, for the answerer to read first.

    `lexical` maps a document's path to its chunks' BM25 scores; `known`
    holds chunks already read (with their similarity to `vector`).
    """
    documents = leading_documents(hits, tuning)
    if not documents:
        return []
    paths = tuple(path for path, _ in documents)
    wanted = [chunk_id for chunk_id, _ in reader.nearest(vector, tuning.passage_candidates, ChunkFilter(paths=paths))]
    for path in paths:
        scores = lexical.get(path, {})
        wanted += sorted(scores, key=lambda chunk_id: -scores[chunk_id])[: tuning.passage_lexical_chunks]
    wanted += [hit.chunk_id for hit in hits if hit.document.path in paths]
    chunks = {chunk_id: known[chunk_id] for chunk_id in wanted if chunk_id in known}
    missing = [chunk_id for chunk_id in dict.fromkeys(wanted) if chunk_id not in chunks]
    chunks.update(reader.fetch(missing, vector))
    grouped: dict[str, list[StoredChunk]] = {}
    for chunk in chunks.values():
        if chunk.meta.document.path in paths:
            grouped.setdefault(chunk.meta.document.path, []).append(chunk)
    ranked = {path: rank_within(found, lexical.get(path, {}), tuning) for path, found in grouped.items()}
    return [chunk.as_hit(score, rank) for rank, (chunk, score) in enumerate(interleave(documents, ranked, tuning), 1)]
