"""The dense side of retrieval: every chunk's MiniLM vector, kept beside the store and searched exactly.

The store's own nearest-neighbour search is approximate: its graph can leave a
whole region unreachable, and on the evaluation library it hid every chunk of a
300-page report from a question whose best match was in it (similarity 0.67,
against 0.60 for the best chunk it did return). Two builds of the same library
also gave different graphs, so a rebuilt index could answer the same question
differently. Comparing the question with every vector costs a few milliseconds
at 25,000 chunks, returns the true nearest chunks, and ranks them the same way
after every rebuild (up to the last digits the embedding model's batches move).

Like the BM25 index it is derived data: one file stamped with the store's
generation, rebuilt from the store's stored vectors (nothing is embedded again)
when the stamp differs, and safe to lose. Only committed chunks are in it, so a
file half-way through indexing never answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from assistant.config import Settings
from assistant.domain import ChunkFilter, ChunkMeta, StoredChunk
from assistant.search.saved import load_arrays, save_arrays

FORMAT_VERSION = 1
_COLUMNS = ("stamp", "ids", "vectors", "documents", "date_nums", "paths", "publishers", "languages")


def dense_path(settings: Settings) -> Path:
    """Beside the index's other local state (see Settings.state_dir)."""
    return settings.state_dir / f"dense-{settings.collection}.npz"


@dataclass(frozen=True)
class VectorRow:
    """One committed chunk's stored vector, with the fields the filters read."""

    id: str
    path: str
    publisher: str
    date_num: int
    language: str
    vector: npt.NDArray[np.float32]

    @classmethod
    def of(cls, chunk_id: str, meta: ChunkMeta, vector: npt.NDArray[np.float32]) -> VectorRow:
        document = meta.document
        return cls(chunk_id, document.path, document.publisher, meta.date_num, document.language, vector)


class DenseIndex:
    """The chunks' unit vectors in one matrix, each row pointing at its document for the filters' fields."""

    def __init__(
        self,
        ids: list[str],
        vectors: npt.NDArray[np.float32],
        stamp: str,
        documents: npt.NDArray[np.int32],
        date_nums: npt.NDArray[np.int64],
        paths: list[str],
        publishers: list[str],
        languages: list[str],
    ) -> None:
        self.ids = ids
        self.vectors = vectors
        self.stamp = stamp
        #: Per row, the position of its document in `paths`, `publishers` and `languages`.
        self.documents = documents
        self.date_nums = date_nums
        self.paths = paths
        self.publishers = publishers
        self.languages = languages
        self._position = {path: document for document, path in enumerate(paths)}

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, rows: Iterable[VectorRow], stamp: str) -> DenseIndex:
        """The index of these rows; vectors are scaled to unit length, so a dot product is the cosine."""
        listed = list(rows)
        if listed:
            vectors = np.stack([np.asarray(row.vector, dtype=np.float32) for row in listed])
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        else:
            vectors = np.zeros((0, 0), dtype=np.float32)
        # A document's fields are kept once: a 300-page report has hundreds of chunks and one path.
        position: dict[str, int] = {}
        publishers: list[str] = []
        languages: list[str] = []
        for row in listed:
            if row.path not in position:
                position[row.path] = len(position)
                publishers.append(row.publisher)
                languages.append(row.language)
        return cls(
            [row.id for row in listed],
            vectors,
            stamp,
            np.array([position[row.path] for row in listed], dtype=np.int32),
            np.array([row.date_num for row in listed], dtype=np.int64),
            list(position),
            publishers,
            languages,
        )

    def save(self, path: Path) -> None:
        """Written whole or not at all (see `save_arrays`)."""
        save_arrays(
            path,
            FORMAT_VERSION,
            {
                "stamp": np.array(self.stamp),
                "ids": _pack(self.ids),
                "vectors": self.vectors,
                "documents": self.documents,
                "date_nums": self.date_nums,
                "paths": _pack(self.paths),
                "publishers": _pack(self.publishers),
                "languages": _pack(self.languages),
            },
        )

    @classmethod
    def load(cls, path: Path) -> DenseIndex | None:
        """The saved index, or None when it is absent or malformed in any way (it is then rebuilt)."""
        data = load_arrays(path, FORMAT_VERSION, _COLUMNS)
        if data is None:
            return None
        try:
            ids, paths = _unpack(data["ids"]), _unpack(data["paths"])
            publishers, languages = _unpack(data["publishers"]), _unpack(data["languages"])
            vectors = data["vectors"].astype(np.float32, copy=False)
            documents = data["documents"].astype(np.int32, copy=False)
            date_nums = data["date_nums"].astype(np.int64, copy=False)
            rows = {len(ids), len(documents), len(date_nums), vectors.shape[0] if ids else len(ids)}
            pointing = not ids or 0 <= documents.min() <= documents.max() < len(paths)
        except (ValueError, TypeError, IndexError):  # arrays of the wrong kind or shape where the columns belong
            return None
        if len(rows) != 1 or not len(paths) == len(publishers) == len(languages) or not pointing:
            return None
        return cls(ids, vectors, str(data["stamp"]), documents, date_nums, paths, publishers, languages)

    def allowed(self, scope: ChunkFilter) -> npt.NDArray[np.bool_]:
        """Which rows `scope` lets through: the rule of `ChunkFilter.allows`, applied once per document."""
        # Paths, publishers and languages are the document's; dates are the chunk's own (a table's rows are
        # dated one by one), so they are compared row by row below.
        undated = replace(scope, dates=None)
        if scope.paths:  # a handful of documents (the leading ones, whose passages are ranked again)
            candidates = [self._position[path] for path in scope.paths if path in self._position]
        elif scope.source or scope.language:
            candidates = list(range(len(self.paths)))
        else:
            candidates = None
        if candidates is None:
            mask = np.ones(len(self.ids), dtype=bool)
        else:
            passing = [
                document
                for document in candidates
                if undated.allows(self.paths[document], self.publishers[document], 0, self.languages[document])
            ]
            mask = np.isin(self.documents, np.array(passing, dtype=np.int32))
        if scope.dates is not None:
            # An undated chunk falls outside any range.
            low, high = scope.dates
            mask &= (self.date_nums != 0) & (self.date_nums >= low) & (self.date_nums <= high)
        return mask

    def nearest(
        self, vector: npt.NDArray[np.float32], n: int, scope: ChunkFilter | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the `n` chunks nearest `vector` that `scope` allows, nearest first.

        Equal similarities (a tweet and its retweets) keep the store's order, so the answer is the same every time.
        """
        if not self.ids or n <= 0:
            return []
        norm = float(np.linalg.norm(vector))
        query = np.asarray(vector, dtype=np.float32) / (norm or 1.0)
        rows: npt.NDArray[np.intp] | None = None
        if scope is not None and scope.active:
            rows = np.flatnonzero(self.allowed(scope))
            similarity = self.vectors[rows] @ query
        else:
            similarity = self.vectors @ query
        take = min(n, len(similarity))
        if take == 0:
            return []
        # Pick the best n without sorting them all, then order those n; ties go to the earlier row.
        best = np.argpartition(-similarity, take - 1)[:take] if take < len(similarity) else np.arange(take)
        best = best[np.lexsort((best, -similarity[best]))]
        return [(self.ids[int(i if rows is None else rows[i])], float(similarity[i])) for i in best]


def _pack(texts: list[str]) -> npt.NDArray[np.uint8]:
    """Texts as one UTF-8 buffer, each ended by NUL (which no path, name or id holds): numpy's own text arrays
    spend four bytes a character on the longest one's length, ten times the room for a library's paths."""
    return np.frombuffer("".join(f"{text}\0" for text in texts).encode(), dtype=np.uint8).copy()


def _unpack(buffer: npt.NDArray[np.uint8]) -> list[str]:
    """The texts `_pack` stored (an empty text stays one)."""
    if buffer.dtype != np.uint8:
        raise ValueError("not a packed text buffer")
    return buffer.tobytes().decode().split("\0")[:-1]


class ChunkStore(Protocol):
    """The store reader's part that reads chunks back (see `assistant.adapters.chroma_store.ChunkReader`)."""

    def fetch(self, ids: list[str], query_vector: npt.NDArray[np.float32] | None = None) -> dict[str, StoredChunk]: ...


class ExactChunks:
    """What retrieval reads (`ChunkSource`): nearest chunks from the dense index, their texts from the store."""

    def __init__(self, index: DenseIndex, store: ChunkStore) -> None:
        self.index = index
        self.store = store

    def nearest(
        self, vector: npt.NDArray[np.float32], n: int, scope: ChunkFilter | None = None
    ) -> list[tuple[str, float]]:
        return self.index.nearest(vector, n, scope)

    def fetch(self, ids: list[str], query_vector: npt.NDArray[np.float32] | None = None) -> dict[str, StoredChunk]:
        return self.store.fetch(ids, query_vector)
