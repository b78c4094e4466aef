"""The one service object both front ends call: index, status, sources (ask later).

`AssistantService` wires the settings to the store, chunker and embedder and
exposes the analyst's operations. It holds no UI code: the CLI and the TUI
are thin shells that render what it returns and turn its errors into
messages.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from assistant.chunking import Chunker
from assistant.config import Settings
from assistant.domain import DocumentInfo, IndexReport, IndexStatus
from assistant.embedding import Embedder, SentenceTransformerEmbedder, model_dir
from assistant.errors import IndexNotFoundError, UsageError
from assistant.indexing import Indexer, IndexProgress
from assistant.locking import write_lock
from assistant.sources import discover
from assistant.store import ChromaStore, IndexSpec


class AssistantService:
    """The analyst's operations over one index."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = SentenceTransformerEmbedder(
                self.settings.embedding_model, batch_size=self.settings.embedding_batch_size
            )
        return self._embedder

    @cached_property
    def chunker(self) -> Chunker:
        return Chunker(
            model_dir(self.settings.embedding_model) / "tokenizer.json",
            target_tokens=self.settings.chunk_tokens,
            overlap_tokens=self.settings.chunk_overlap_tokens,
        )

    def spec(self) -> IndexSpec:
        return IndexSpec(self.settings.embedding_model, self.embedder.dimension, self.chunker.description)

    def _store(self) -> ChromaStore:
        return ChromaStore(self.settings)

    def index(self, paths: list[Path], *, rebuild: bool = False, progress: IndexProgress | None = None) -> IndexReport:
        """Bring the index in line with the files under `paths`."""
        if not paths:
            raise UsageError("no paths to index")
        discovery = discover(paths, max_bytes=int(self.settings.max_file_mb * 1_000_000))
        with write_lock(self.settings):
            store = self._store()
            store.open_for_write(self.spec(), rebuild=rebuild)
            indexer = Indexer(self.settings, store, self.chunker, self.embedder, progress)
            return indexer.run(discovery)

    def status(self) -> IndexStatus:
        store = self._store()
        try:
            store.open_for_read()
        except IndexNotFoundError:
            return IndexStatus(
                location=store.location,
                mode="server" if store.is_server else "local",
                exists=False,
                documents=0,
                chunks=0,
                sources=0,
                embedding_model=self.settings.embedding_model,
                dimension=None,
                chunker="",
                last_indexed=None,
            )
        documents, chunks, sources = store.counts()
        meta = store.metadata()
        return IndexStatus(
            location=store.location,
            mode="server" if store.is_server else "local",
            exists=True,
            documents=documents,
            chunks=chunks,
            sources=sources,
            embedding_model=str(meta.get("embedding_model", "")),
            dimension=int(meta["dimension"]) if "dimension" in meta else None,
            chunker=str(meta.get("chunker", "")),
            last_indexed=str(meta["last_indexed"]) if "last_indexed" in meta else None,
        )

    def sources(self) -> list[DocumentInfo]:
        store = self._store()
        store.open_for_read()
        return store.documents()

    def indexed_roots(self) -> list[Path]:
        """The folders indexed before that still exist, for a bare `assistant index`."""
        store = self._store()
        try:
            store.open_for_read()
        except IndexNotFoundError:
            return []
        roots = sorted({record.root for record in store.sources().values()})
        return [Path(root) for root in roots if Path(root).is_dir()]
