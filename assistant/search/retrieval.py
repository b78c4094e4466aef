"""Hybrid retrieval: dense (Chroma) plus BM25, fused, de-duplicated and spread.

A question is embedded with the torch-free `NumpyEncoder` (same vectors as
indexing) and searched in Chroma; in parallel its words, expanded with every
alias of the actors and platforms it names, are searched with BM25. The two
rankings are fused by reciprocal rank, near-duplicate chunks (retweets,
repeated boilerplate) are collapsed, and further chunks of an
already-represented document are discounted so the top results cover more
documents. The chunks that discount pushed out are kept aside as `support`:
an answer about a document often needs more than its single best passage.
Chunks of documents not written in English come in by a third ranking, from
the multilingual encoder (`assistant.search.crosslingual`), when the library
has any. Every weight and limit of this comes from a `RetrievalTuning`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from assistant.domain import LAST_DATE_NUM, ChunkFilter, DocumentInfo, Embedder, Hit, StoredChunk
from assistant.search.crosslingual import CrossLingualSearch
from assistant.search.lexical import ChunkRow, LexicalIndex
from assistant.search.passages import document_passages, leading_documents
from assistant.text.aliases import AliasTable
from assistant.text.dates import asked_years, date_number
from assistant.text.words import content_words, leading_words
from assistant.tuning import DEFAULTS, RetrievalTuning

RetrieverMode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class Filters:
    """Restrictions on which documents may answer."""

    since: str | None = None
    until: str | None = None
    source: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.since or self.until or self.source)

    def scope(self, language: str = "") -> ChunkFilter:
        """The same restrictions in the index's terms (plus a language, which only listings ask for)."""
        dates = _range(self) if self.since or self.until else None
        return ChunkFilter(dates=dates, source=self.source or "", language=language)

    def describe(self) -> str:
        parts = []
        if self.since:
            parts.append(f"since {self.since}")
        if self.until:
            parts.append(f"until {self.until}")
        if self.source:
            parts.append(f"source ~ {self.source!r}")
        return ", ".join(parts)


@dataclass
class Retrieval:
    """The outcome of one search, with what the answerer needs to judge it."""

    hits: list[Hit]
    query_terms: list[str]
    expanded_terms: list[str]
    unknown_terms: list[str] = field(default_factory=list)
    #: Inverse document frequency of every query and alias term.
    idf: dict[str, float] = field(default_factory=dict)
    #: Further well-matching chunks of the documents in `hits`, best first,
    #: ranked after them: passages the spread over documents left out.
    support: list[Hit] = field(default_factory=list)
    #: The best passages of the leading documents, ranked inside each (see `assistant.search.passages`):
    #: what the answerer reads first. `hits` keep the spread over documents for listing sources.
    passages: list[Hit] = field(default_factory=list)


class ChunkSource(Protocol):
    """The index as retrieval reads it (the store adapter's reader)."""

    def nearest(
        self, vector: npt.NDArray[np.float32], n: int, scope: ChunkFilter | None = None
    ) -> list[tuple[str, float]]: ...

    def fetch(self, ids: list[str], query_vector: npt.NDArray[np.float32] | None = None) -> dict[str, StoredChunk]: ...


def _range(filters: Filters) -> tuple[int, int]:
    low = date_number(filters.since) if filters.since else 0
    high = date_number(filters.until) if filters.until else 0
    if filters.until and len(filters.until) < 10:
        # An "until 2019" or "until 2019-03" includes the whole year or month.
        high = int(str(high)[:4] + ("1231" if len(filters.until) == 4 else str(high)[4:6] + "31"))
    return low, high or LAST_DATE_NUM


def row_allowed(row: ChunkRow, scope: ChunkFilter) -> bool:
    return scope.allows(row.path, row.publisher, row.date_num)


def document_allowed(document: DocumentInfo, filters: Filters | ChunkFilter) -> bool:
    """Whether the filters let this document answer (the same rule as for its chunks)."""
    scope = filters.scope() if isinstance(filters, Filters) else filters
    return scope.allows(document.path, document.publisher, date_number(document.date), document.language)


# Two chunks whose first this many characters of words agree are the same text (a retweet, a mirror).
_DEDUP_CHARS = 240


def _dedup_key(text: str) -> str:
    """The first 240 characters of the text's words, without links, handles and a retweet mark."""
    text = re.sub(r"https?://\S+|@\w+|^rt\b", " ", text.lower())
    key = ""
    for token in leading_words(text):  # a chunk has far more words than the key holds
        key = f"{key} {token}" if key else token
        if len(key) >= _DEDUP_CHARS:
            break
    return key[:_DEDUP_CHARS]


class Retriever:
    """Finds the chunks that best answer a question."""

    def __init__(
        self,
        reader: ChunkSource,
        lexical: LexicalIndex,
        encoder: Embedder,
        aliases: AliasTable,
        tuning: RetrievalTuning = DEFAULTS.retrieval,
        crosslingual: CrossLingualSearch | None = None,
    ) -> None:
        self.reader = reader
        self.lexical = lexical
        self.encoder = encoder
        self.aliases = aliases
        self.tuning = tuning
        self.crosslingual = crosslingual

    def search(
        self,
        question: str,
        *,
        k: int = 10,
        mode: RetrieverMode = "hybrid",
        filters: Filters | None = None,
        vector: npt.NDArray[np.float32] | None = None,
        thread: Collection[str] = (),
    ) -> Retrieval:
        """The hits for `question`, and the best passages of the leading documents.

        `thread` names the documents a conversation's previous answer cited: a follow-up prefers them
        (`tuning.thread_boost`), since its answer usually lies further on in what was just read.
        """
        filters = filters or Filters()
        scope = filters.scope()
        tuning = self.tuning
        terms = content_words(question)
        expansion = [w for name in self.aliases.expansion(question) for w in content_words(name)]
        unknown = [t for t in terms if not self.lexical.known(t)]

        # The multilingual side encodes the question meanwhile (see CrossLingualSearch).
        crosslingual = self.crosslingual if mode in ("hybrid", "dense") and tuning.crosslingual_weight > 0 else None
        pending = crosslingual.start(question) if crosslingual is not None else None

        mask: npt.NDArray[np.bool_] | None = None
        if filters.active:
            mask = np.array([row_allowed(row, scope) for row in self.lexical.rows], dtype=bool)
        allowed_ids = None if mask is None else {self.lexical.rows[i].id for i in np.flatnonzero(mask)}

        ranked: dict[str, float] = {}
        tokens = terms + [t for t in expansion if t not in terms]
        lexical_scores = self.lexical.scores(tokens)
        if mode in ("hybrid", "bm25") and lexical_scores is not None:
            for rank, (row, _) in enumerate(self.lexical.best(lexical_scores, tuning.candidates, mask)):
                chunk_id = self.lexical.rows[row].id
                ranked[chunk_id] = ranked.get(chunk_id, 0.0) + tuning.lexical_weight / (tuning.rrf_k + rank)
        if vector is None and mode in ("hybrid", "dense"):
            vector = self.encoder.embed([question])[0]
        if mode in ("hybrid", "dense") and vector is not None:
            wanted = tuning.candidates * (tuning.source_filter_overfetch if filters.source else 1)
            dense = self.reader.nearest(vector, wanted, scope)
            rank = 0
            for chunk_id, _ in dense:
                if allowed_ids is not None and chunk_id not in allowed_ids:
                    continue
                ranked[chunk_id] = ranked.get(chunk_id, 0.0) + tuning.dense_weight / (tuning.rrf_k + rank)
                rank += 1
                if rank >= tuning.candidates:
                    break
        if crosslingual is not None:
            # Chunks in other languages: MiniLM and BM25 read English, so this is their only way in.
            nearest = crosslingual.nearest(pending, tuning.crosslingual_candidates, allowed_ids)
            for rank, (chunk_id, _) in enumerate(nearest):
                ranked[chunk_id] = ranked.get(chunk_id, 0.0) + tuning.crosslingual_weight / (tuning.rrf_k + rank)
        idf = {t: self.lexical.idf(t) for t in set(terms) | set(expansion)}
        if not ranked:
            return Retrieval([], terms, expansion, unknown, idf)

        order = sorted(ranked, key=lambda cid: -ranked[cid])[: max(k * tuning.fetch_per_result, tuning.min_fetched)]
        if vector is None:
            vector = self.encoder.embed([question])[0]
        stored = self.reader.fetch(order, vector)
        if mode == "hybrid":
            # Reciprocal ranks hide how far ahead a passage is in meaning; a clear
            # lead in similarity should survive the lexical side's disagreement.
            for chunk_id, chunk in stored.items():
                ranked[chunk_id] += tuning.dense_similarity_weight * (chunk.similarity or 0.0)
        years, earliest = asked_years(question)
        if earliest:
            # A year in the question is a soft hint: prefer sources from then. A
            # source written before the earliest year asked about cannot report on it.
            for chunk_id, chunk in stored.items():
                dated = chunk.meta.document.date[:4]
                if dated in years:
                    ranked[chunk_id] *= tuning.year_boost
                elif dated.isdigit() and dated < earliest:
                    ranked[chunk_id] *= tuning.earlier_discount
        if thread and tuning.thread_boost != 1.0:
            for chunk_id, chunk in stored.items():
                if chunk.meta.document.path in thread:
                    ranked[chunk_id] *= tuning.thread_boost
        hits, support = self._diversify(order, ranked, stored, k)
        passages = document_passages(
            self.reader, vector, hits, self._within(hits, lexical_scores, tokens), stored, self.tuning
        )
        return Retrieval(hits, terms, expansion, unknown, idf, support, passages)

    def _within(
        self, hits: list[Hit], scores: npt.NDArray[np.float32] | None, tokens: list[str]
    ) -> dict[str, dict[str, float]]:
        """The BM25 scores of every chunk of the leading documents, by document path (none scoring 0).

        A word in most of a document's chunks (its own subject) tells them apart least: its score there shrinks
        by `tuning.passage_word_discount` times the share of the document's chunks holding it.
        """
        found: dict[str, dict[str, float]] = {}
        if scores is None:
            return found
        discount = self.tuning.passage_word_discount
        per_term = self.lexical.term_scores(tokens) if discount else None
        for path, _ in leading_documents(hits, self.tuning):
            rows = self.lexical.rows_at(path)
            if not rows:
                continue
            within = scores[rows]
            if per_term is not None:
                in_document = per_term[:, rows]
                share = (in_document > 0).mean(axis=1, keepdims=True)
                within = ((1.0 - discount * share) * in_document).sum(axis=0)
            found[path] = {
                self.lexical.rows[row].id: float(score) for row, score in zip(rows, within, strict=True) if score > 0
            }
        return found

    def _diversify(
        self, order: list[str], ranked: dict[str, float], stored: dict[str, StoredChunk], k: int
    ) -> tuple[list[Hit], list[Hit]]:
        seen_text: set[str] = set()
        per_doc: dict[str, int] = {}
        scored: list[tuple[float, StoredChunk]] = []
        for chunk_id in order:
            chunk = stored.get(chunk_id)
            if chunk is None:
                continue
            key = _dedup_key(chunk.text)
            if key in seen_text:
                continue
            seen_text.add(key)
            # Records of one table (thousands of posts) count as one source here,
            # or a single CSV could fill every slot.
            group = chunk.meta.document.source_path or chunk.meta.document.id or chunk_id
            count = per_doc.get(group, 0)
            per_doc[group] = count + 1
            scored.append((ranked[chunk_id] * self.tuning.same_document_discount**count, chunk))
        scored.sort(key=lambda pair: -pair[0])
        hits = [chunk.as_hit(score, rank) for rank, (score, chunk) in enumerate(scored[:k], 1)]
        documents = {hit.document.path for hit in hits}
        rest = [(ranked[chunk.id], chunk) for _, chunk in scored[k:]]
        rest = [pair for pair in rest if pair[1].meta.document.path in documents]
        rest.sort(key=lambda pair: -pair[0])
        kept = rest[: self.tuning.support_chunks]
        support = [chunk.as_hit(score, rank) for rank, (score, chunk) in enumerate(kept, k + 1)]
        return hits, support
