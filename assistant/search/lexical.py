"""The BM25 side of retrieval: a bm25s index persisted beside the vector store.

It holds one entry per chunk (same ids as Chroma) plus the few fields the
filters need, and carries the `last_indexed` stamp of the store it was built
from. `index` refreshes it after every run that changed something; a query
that finds it stale, missing or malformed in any way rebuilds it from the
store first, so the two can never silently disagree. A store with no chunks
gives a valid, empty index (bm25s itself cannot index nothing).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.config import Settings
from assistant.text.words import words

# 2: a chunk's text is indexed with its document's author (an index of version 1 is rebuilt on first use).
FORMAT_VERSION = 2


def lexical_dir(settings: Settings) -> Path:
    """Beside the index's other local state (see Settings.state_dir)."""
    return settings.state_dir / f"lexical-{settings.collection}"


@dataclass
class ChunkRow:
    """What lexical search keeps per chunk: enough to filter without the store."""

    id: str
    doc_id: str
    path: str
    publisher: str
    date_num: int


class LexicalIndex:
    """BM25 over chunk texts, with filter fields aligned to its rows."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._model: Any = None
        self.rows: list[ChunkRow] = []
        self.stamp: str | None = None
        self._vocab: dict[str, int] = {}
        self._df: npt.NDArray[np.int64] | None = None
        self.date_nums: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._by_path: dict[str, list[int]] | None = None

    # --- building ----------------------------------------------------------

    @classmethod
    def build(cls, folder: Path, rows: list[ChunkRow], texts: list[str], stamp: str) -> LexicalIndex:
        """Index the rows and save the index whole; an index with no rows is a valid, empty one."""
        meta = {
            "version": FORMAT_VERSION,
            "stamp": stamp,
            "rows": [[r.id, r.doc_id, r.path, r.publisher, r.date_num] for r in rows],
        }
        model = _bm25(texts) if rows else None
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            if model is not None:
                model.save(str(tmp / "bm25"), show_progress=False)
            (tmp / "rows.json").write_text(json.dumps(meta))
        except OSError:
            # Leave the last good index in place and give the space back.
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        # Swap in whole, so a reader never sees half an index.
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
        index = cls(folder)
        index._attach(model, stamp, rows)
        return index

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when it is absent or anything in it is malformed (it is then rebuilt)."""
        try:
            meta = json.loads((folder / "rows.json").read_text())
            parsed = _parse_meta(meta)
            if parsed is None:
                return None
            stamp, rows = parsed
            model = None
            if rows:
                import bm25s

                model = bm25s.BM25.load(str(folder / "bm25"), mmap=False, show_progress=False)
                if _document_count(model) != len(rows):
                    return None
        except Exception:  # whatever bm25s or a damaged file throws, the cure is the same: rebuild
            return None
        index = cls(folder)
        index._attach(model, stamp, rows)
        return index

    def _attach(self, model: Any, stamp: str, rows: list[ChunkRow]) -> None:
        self._model = model
        self.stamp = stamp
        self.rows = rows
        self._vocab = dict(model.vocab_dict) if model is not None else {}
        self.date_nums = np.array([r.date_num for r in self.rows], dtype=np.int64)
        self._by_path = None

    # --- searching -----------------------------------------------------------

    def rows_at(self, path: str) -> list[int]:
        """The rows of one document's chunks (by its path)."""
        if self._by_path is None:
            by_path: dict[str, list[int]] = {}
            for position, row in enumerate(self.rows):
                by_path.setdefault(row.path, []).append(position)
            self._by_path = by_path
        return self._by_path.get(path, [])

    def known(self, token: str) -> bool:
        return token in self._vocab

    def idf(self, token: str) -> float:
        """Inverse document frequency over chunks; rare words weigh more."""
        if self._model is None:
            return 0.0
        if self._df is None:
            indptr = np.asarray(self._model.scores["indptr"])
            self._df = np.diff(indptr)
        total = len(self.rows)
        position = self._vocab.get(token)
        df = int(self._df[position]) if position is not None and position < len(self._df) else 0
        return float(np.log((total - df + 0.5) / (df + 0.5) + 1.0))

    def search(self, tokens: list[str], k: int, mask: npt.NDArray[np.bool_] | None = None) -> list[tuple[int, float]]:
        """(row, score) pairs, best first, for the set of query tokens.

        A word given twice (a question naming Facebook twice, or an alias group
        listing "Christchurch" in three names) counts once.
        """
        scores = self.scores(tokens)
        if scores is None:
            return []
        return self.best(scores, k, mask)

    def scores(self, tokens: list[str]) -> npt.NDArray[np.float32] | None:
        """The BM25 score of every row for the set of query tokens (None when no token is indexed)."""
        ids = [self._vocab[t] for t in dict.fromkeys(tokens) if t in self._vocab]
        if not ids or not self.rows:
            return None
        return np.asarray(self._model.get_scores(ids), dtype=np.float32)

    def term_scores(self, tokens: list[str]) -> npt.NDArray[np.float32] | None:
        """The BM25 score of every row for each indexed token alone: one row of scores a token (a repeated one once)."""
        ids = [self._vocab[t] for t in dict.fromkeys(tokens) if t in self._vocab]
        if not ids or not self.rows:
            return None
        return np.stack([np.asarray(self._model.get_scores([i]), dtype=np.float32) for i in ids])

    def best(
        self, scores: npt.NDArray[np.float32], k: int, mask: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[int, float]]:
        """(row, score) pairs of the k best-scoring rows `mask` allows, best first, none scoring 0."""
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _bm25(texts: list[str]) -> Any:
    import bm25s

    model = bm25s.BM25()
    model.index([words(text) or ["_empty_"] for text in texts], show_progress=False)
    return model


#: The types of a saved row, field by field (see ChunkRow).
_ROW_TYPES = (str, str, str, str, int)


def _parse_meta(meta: Any) -> tuple[str, list[ChunkRow]] | None:
    """The stamp and rows of a saved rows.json, or None unless every part has the expected shape."""
    if not isinstance(meta, dict) or meta.get("version") != FORMAT_VERSION:
        return None
    stamp, raw = meta.get("stamp"), meta.get("rows")
    if not isinstance(stamp, str) or not isinstance(raw, list):
        return None
    rows: list[ChunkRow] = []
    for row in raw:
        if not isinstance(row, list) or len(row) != len(_ROW_TYPES):
            return None
        # bool is an int to Python, but never a valid date number.
        if any(not isinstance(v, t) or isinstance(v, bool) for v, t in zip(row, _ROW_TYPES, strict=True)):
            return None
        rows.append(ChunkRow(*row))
    return stamp, rows


def _document_count(model: Any) -> int:
    """How many documents a loaded bm25s model was built over (-1 when it does not say)."""
    try:
        return int(model.scores["num_docs"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return -1
