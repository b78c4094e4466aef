"""The cross-lingual side of retrieval: e5 vectors of the chunks not written in English, kept beside the store.

Like the BM25 index it is derived data: one file stamped with the store's
generation, rebuilt from the store when the stamp differs, and safe to lose.
Only chunks of documents whose language is known and not English are in it
(a few per cent of a typical library), so building it costs little and an
English-only library never loads the multilingual model at all. A rebuild
embeds only chunks it has not seen: vectors are kept by chunk id and text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from assistant.config import Settings
from assistant.search.saved import load_arrays, save_arrays

FORMAT_VERSION = 2
#: How many passages go to the encoder at once: bounds memory, not results.
BATCH = 32


class PassageEncoder(Protocol):
    def queries(self, texts: list[str]) -> npt.NDArray[np.float32]: ...

    def passages(self, texts: list[str]) -> npt.NDArray[np.float32]: ...


def crosslingual_path(settings: Settings) -> Path:
    """Beside the index's other local state (see Settings.state_dir)."""
    return settings.state_dir / f"crosslingual-{settings.collection}.npz"


@dataclass(frozen=True)
class ForeignChunk:
    id: str
    text: str
    #: The chunk's document and its language, for telling the analyst what the library holds.
    path: str = ""
    language: str = ""

    @property
    def digest(self) -> str:
        return hashlib.sha1(f"{self.id}\0{self.text}".encode()).hexdigest()


class CrossLingualIndex:
    """The e5 vectors of the foreign-language chunks, with the store generation they were built from."""

    def __init__(
        self,
        ids: list[str],
        digests: list[str],
        vectors: npt.NDArray[np.float32],
        stamp: str,
        paths: list[str] | None = None,
        languages: list[str] | None = None,
    ) -> None:
        self.ids = ids
        self.digests = digests
        self.vectors = vectors
        self.stamp = stamp
        self.paths = paths if paths is not None else [""] * len(ids)
        self.languages = languages if languages is not None else [""] * len(ids)

    def documents_by_language(self) -> dict[str, int]:
        """How many documents of each language the vectors cover, most first."""
        documents: dict[str, set[str]] = {}
        for path, language in zip(self.paths, self.languages, strict=True):
            documents.setdefault(language, set()).add(path)
        return dict(sorted(((code, len(paths)) for code, paths in documents.items()), key=lambda kv: (-kv[1], kv[0])))

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(
        cls,
        chunks: Iterable[ForeignChunk],
        stamp: str,
        encoder: PassageEncoder,
        previous: CrossLingualIndex | None = None,
    ) -> CrossLingualIndex:
        """Embed the chunks, reusing `previous` vectors of unchanged ones (`save` writes the result)."""
        listed = list(chunks)
        known = {} if previous is None else {d: previous.vectors[i] for i, d in enumerate(previous.digests)}
        digests = [chunk.digest for chunk in listed]
        missing = [i for i, digest in enumerate(digests) if digest not in known]
        fresh: dict[str, npt.NDArray[np.float32]] = {}
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            for i, vector in zip(batch, encoder.passages([listed[i].text for i in batch]), strict=True):
                fresh[digests[i]] = vector
        rows = [fresh[d] if d in fresh else known[d] for d in digests]
        vectors = np.stack(rows).astype(np.float32) if rows else np.zeros((0, 0), dtype=np.float32)
        paths = [chunk.path for chunk in listed]
        return cls([chunk.id for chunk in listed], digests, vectors, stamp, paths, [chunk.language for chunk in listed])

    def save(self, path: Path) -> None:
        """Written whole or not at all (see `save_arrays`)."""
        save_arrays(
            path,
            FORMAT_VERSION,
            {
                "stamp": np.array(self.stamp),
                "ids": np.array(self.ids, dtype=str),
                "digests": np.array(self.digests, dtype=str),
                "paths": np.array(self.paths, dtype=str),
                "languages": np.array(self.languages, dtype=str),
                "vectors": self.vectors,
            },
        )

    @classmethod
    def load(cls, path: Path) -> CrossLingualIndex | None:
        """The saved index, or None when it is absent or malformed in any way (it is then rebuilt)."""
        data = load_arrays(path, FORMAT_VERSION, ("stamp", "ids", "digests", "paths", "languages", "vectors"))
        if data is None:
            return None
        try:
            ids = [str(i) for i in data["ids"]]
            digests = [str(d) for d in data["digests"]]
            vectors = data["vectors"].astype(np.float32, copy=False)
            paths = [str(p) for p in data["paths"]]
            languages = [str(code) for code in data["languages"]]
            rows = vectors.shape[0] if ids else 0
        except (ValueError, TypeError, IndexError):  # arrays of the wrong kind or shape where the columns belong
            return None
        if not len(ids) == len(digests) == len(paths) == len(languages) or rows != len(ids):
            return None
        return cls(ids, digests, vectors, str(data["stamp"]), paths, languages)

    def nearest(
        self, query: npt.NDArray[np.float32], n: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """The `n` chunks closest to an e5 query vector (among `allowed` ids when given), closest first."""
        if not self.ids:
            return []
        similarity = self.vectors @ query
        order = np.argsort(-similarity, kind="stable")
        found: list[tuple[str, float]] = []
        for i in order:
            chunk_id = self.ids[int(i)]
            if allowed is not None and chunk_id not in allowed:
                continue
            found.append((chunk_id, float(similarity[int(i)])))
            if len(found) >= n:
                break
        return found


class CrossLingualSearch:
    """What retrieval asks of the cross-lingual side: the nearest foreign chunks to a question.

    The question is encoded in a worker thread (`start`), so the e5 engine, which
    releases the interpreter while it runs, works while MiniLM encodes the same
    question; on two cores the multilingual side then adds little to a question's time.
    """

    def __init__(self, index: CrossLingualIndex, encoder: PassageEncoder) -> None:
        self.index = index
        self.encoder = encoder
        self._worker: ThreadPoolExecutor | None = None

    def start(self, question: str) -> Future[npt.NDArray[np.float32]] | None:
        """Begin encoding the question; None when there is nothing to match (the model is never loaded)."""
        if not len(self.index):
            return None
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crosslingual")
        return self._worker.submit(lambda: self.encoder.queries([question])[0])

    def nearest(
        self, pending: Future[npt.NDArray[np.float32]] | None, n: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """The foreign chunks closest to the question `start` began encoding, closest first."""
        if pending is None:
            return []
        return self.index.nearest(pending.result(), n, allowed)
