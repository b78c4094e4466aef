"""The incremental indexing pipeline: files -> documents -> chunks -> vectors -> store.

For each source file: hash it; skip it when the committed hash matches; else
load and chunk it completely (so a broken new version never destroys the old
one), mark it pending, clear its old records, embed and add the new chunks and
documents, and commit its marker last. Small files are grouped so the model
embeds in large batches; a large table's chunks wait in a temporary file rather
than in memory, and a text embedded moments before (a repost) reuses its
vector. A killed run leaves pending files, which readers ignore and the next
run redoes from scratch (or clears, if the file is gone), reaching exactly the
state of a clean run.
"""

from __future__ import annotations

import pickle
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Protocol

import numpy as np
import numpy.typing as npt

from assistant.config import Settings
from assistant.domain import Chunk, Document, Embedder, FileFailure, IndexReport, SourceRecord
from assistant.errors import DocumentError
from assistant.ingest.chunking import Chunker, embed_text
from assistant.ingest.loaders import ColumnOptions, load
from assistant.ingest.sources import Discovery, SourceFile, hash_bytes

# Chunks embedded per model call: large enough for the model to sort by length
# and batch well, small enough to keep memory flat.
EMBED_GROUP = 512
# Chunks of one file held in memory; beyond this they are written to a
# temporary file, so a 200,000-row table is chunked completely before its old
# version is cleared without ever being in memory whole.
SPOOL_GROUP = 4096
# Vectors of recently embedded texts kept for reuse (reposts recur throughout
# a table); 8,192 vectors of 384 floats are about 12 MB.
RECENT_VECTORS = 8192


class IndexProgress(Protocol):
    """What a front end hears while indexing runs."""

    def start(self, files: int, total_bytes: int) -> None: ...

    def file_done(self, path: str, status: str, chunks: int, size: int) -> None: ...

    def chunks_embedded(self, count: int) -> None: ...


class SilentProgress:
    def start(self, files: int, total_bytes: int) -> None:
        pass

    def file_done(self, path: str, status: str, chunks: int, size: int) -> None:
        pass

    def chunks_embedded(self, count: int) -> None:
        pass


class _Spool:
    """One file's chunked documents in order, without their text, spilled to disk in groups.

    Each group pairs documents (with their chunk counts) with their chunks;
    the chunks point at the text-less document, so a record's text is held
    once (in its chunk), not twice.
    """

    def __init__(self) -> None:
        self.documents = 0
        self.chunks = 0
        self._docs: list[tuple[Document, int]] = []
        self._pieces: list[Chunk] = []
        self._file: IO[bytes] | None = None

    def add(self, document: Document, pieces: list[Chunk]) -> None:
        lean = _lean(document)
        self._docs.append((lean, len(pieces)))
        self._pieces.extend(replace(piece, document=lean) for piece in pieces)
        self.documents += 1
        self.chunks += len(pieces)
        if len(self._pieces) >= SPOOL_GROUP:
            if self._file is None:
                # Kept open across calls and closed by close(), so no `with`.
                self._file = tempfile.TemporaryFile(prefix="assistant-chunks-")  # noqa: SIM115
            pickle.dump((self._docs, self._pieces), self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._docs, self._pieces = [], []

    def groups(self) -> Iterator[tuple[list[tuple[Document, int]], list[Chunk]]]:
        """The groups in the order they were added (read once)."""
        if self._file is not None:
            self._file.seek(0)
            while True:
                try:
                    yield pickle.load(self._file)
                except EOFError:
                    break
        if self._docs:
            yield self._docs, self._pieces

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


@dataclass
class _Pending:
    source: SourceFile
    content_hash: str
    spool: _Spool
    replaced: bool


@dataclass
class _Batch:
    items: list[_Pending] = field(default_factory=list)

    @property
    def chunk_count(self) -> int:
        return sum(item.spool.chunks for item in self.items)


class IndexWriter(Protocol):
    """The writes an index run makes, in the order that keeps every committed source whole.

    A source's records change only between `begin_sources` (its marker turns pending, so readers
    ignore it) and `commit_source`; a run killed in between leaves the old records or none, never
    half of the new ones. The Chroma adapter (`assistant.adapters.chroma_store`) is the one in use.
    """

    def needs_check(self) -> bool: ...

    def check_markers(self) -> list[SourceRecord]: ...

    def markers(self) -> dict[str, SourceRecord]: ...

    def begin_sources(self, records: Sequence[SourceRecord]) -> None: ...

    def clear_source(self, key: str) -> None: ...

    def add_documents(self, source_key: str, documents: Iterable[tuple[Document, int]]) -> None: ...

    def add_chunks(self, chunks: Sequence[tuple[str, Chunk]], vectors: npt.NDArray[np.float32]) -> None: ...

    def commit_source(self, record: SourceRecord) -> None: ...

    def remove_source(self, record: SourceRecord) -> None: ...

    def touch(self, *, changed: bool) -> None: ...


class Indexer:
    """Brings a store in line with the files under some roots."""

    def __init__(
        self,
        settings: Settings,
        store: IndexWriter,
        chunker: Chunker,
        embedder: Embedder,
        progress: IndexProgress | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.chunker = chunker
        self.embedder = embedder
        self.progress = progress or SilentProgress()
        #: Source keys committed by the current run.
        self._committed: set[str] = set()
        self._recent: dict[str, npt.NDArray[np.float32]] = {}
        self.columns = ColumnOptions(
            settings.csv_text_column, settings.csv_date_column, settings.csv_author_column, settings.csv_title_column
        )

    def run(self, discovery: Discovery) -> IndexReport:
        """Index the discovered files and drop committed ones that are gone.

        Only files inside the discovery's scope can be dropped: indexing one
        folder never removes what another folder contributed.
        """
        started = time.perf_counter()
        self._committed = set()
        report = IndexReport(
            skipped=list(discovery.skipped), excluded=list(discovery.excluded), failed=list(discovery.failed)
        )
        if self.store.needs_check():
            self.store.check_markers()
        markers = self.store.markers()
        present = {f.real_path for f in discovery.files} | discovery.failed_paths

        self.progress.start(len(discovery.files), sum(f.size for f in discovery.files))
        batch = _Batch()
        seen: set[str] = set()
        for source in discovery.files:
            # Discovery gives each real file once; a second copy in one batch
            # would write the same chunk ids twice.
            if source.key in seen:
                continue
            seen.add(source.key)
            pending = self._prepare(source, markers, report)
            if pending is None:
                continue
            batch.items.append(pending)
            if batch.chunk_count >= EMBED_GROUP:
                self._flush(batch, report)
                batch = _Batch()
        self._flush(batch, report)

        for key, record in markers.items():
            if record.pending:
                # Left by a killed run and not redone by this one: nothing of it
                # is committed, so it goes whether or not the file is in scope.
                if key in self._committed:
                    continue
                self.store.remove_source(record)
                if record.abspath not in present:
                    report.removed += 1
                    self.progress.file_done(record.relpath, "removed", 0, 0)
                continue
            # Scope follows where the file was found (a symlink's own place),
            # not its target; files under an unreadable folder are kept.
            if record.abspath in present or not _in_scope(record.location, discovery.scope):
                continue
            if _in_scope(record.location, [(folder, True) for folder in discovery.failed_folders]):
                continue
            self.store.remove_source(record)
            report.removed += 1
            self.progress.file_done(record.relpath, "removed", 0, 0)

        self.store.touch(changed=bool(report.added or report.updated or report.removed))
        report.seconds = time.perf_counter() - started
        return report

    def _prepare(self, source: SourceFile, markers: dict[str, SourceRecord], report: IndexReport) -> _Pending | None:
        """Read, hash, load and chunk one file; None when there is nothing to embed."""
        try:
            data = source.abspath.read_bytes()
        except OSError as exc:
            self._fail(report, source, f"cannot read file ({exc.strerror or exc})")
            return None
        content_hash = hash_bytes(data, source.manifest)
        previous = markers.get(source.key)
        # Paths shown to the analyst are relative to the root given this time, and
        # every chunk carries one; a file seen under a new root is re-indexed so
        # its documents and citations show the new path. A pending marker never
        # matches: its file's records are incomplete.
        if (
            previous is not None
            and not previous.pending
            and previous.content_hash == content_hash
            and previous.relpath == source.relpath
        ):
            report.unchanged += 1
            if previous.root != str(source.root):
                self.store.commit_source(_record(source, content_hash, previous.documents, previous.chunks))
            self.progress.file_done(source.relpath, "unchanged", 0, source.size)
            return None
        spool = _Spool()
        try:
            for document in load(source, data, content_hash, self.columns, self.chunker):
                spool.add(document, self.chunker.split(document))
        except DocumentError as exc:
            spool.close()
            self._fail(report, source, exc.cause)
            return None
        except Exception as exc:  # a loader bug must not sink the whole run
            spool.close()
            self._fail(report, source, f"could not be read ({type(exc).__name__}: {exc})")
            return None
        if not spool.chunks:
            spool.close()
            self._fail(report, source, "no text to index")
            return None
        return _Pending(source, content_hash, spool, replaced=previous is not None)

    def _flush(self, batch: _Batch, report: IndexReport) -> None:
        """Replace the batch's files in the store: clear, embed and add, then commit."""
        if not batch.items:
            return
        # Pending before anything of the old versions goes, so a kill from here
        # on can never leave an old marker over missing records.
        self.store.begin_sources([_record(item.source, "", 0, 0) for item in batch.items])
        for item in batch.items:
            self.store.clear_source(item.source.key)
        part: list[tuple[str, Chunk]] = []
        for item in batch.items:
            key = item.source.key  # resolves the path on disk: once per file
            for group_documents, group_chunks in item.spool.groups():
                self.store.add_documents(key, group_documents)
                for chunk in group_chunks:
                    part.append((key, chunk))
                    if len(part) >= EMBED_GROUP:
                        self._embed_and_add(part, report)
                        part = []
            item.spool.close()
        self._embed_and_add(part, report)
        for item in batch.items:
            documents, chunks = item.spool.documents, item.spool.chunks
            self.store.commit_source(_record(item.source, item.content_hash, documents, chunks))
            self._committed.add(item.source.key)
            if item.replaced:
                report.updated += 1
            else:
                report.added += 1
            report.documents += documents
            report.chunks += chunks
            self.progress.file_done(
                item.source.relpath, "updated" if item.replaced else "added", chunks, item.source.size
            )

    def _embed_and_add(self, part: list[tuple[str, Chunk]], report: IndexReport) -> None:
        """Embed a group of chunks and store them.

        A text seen recently in this run (a repost, a boilerplate line) is not
        embedded again: the model gives the same text the same vector.
        """
        if not part:
            return
        texts = [embed_text(c.context, c.text) for _, c in part]
        fresh = [text for text in dict.fromkeys(texts) if text not in self._recent]
        if fresh:
            embed_started = time.perf_counter()
            vectors = self.embedder.embed(fresh)
            report.embed_seconds += time.perf_counter() - embed_started
            self._recent.update(zip(fresh, vectors, strict=True))
        vectors = np.stack([self._recent[text] for text in texts])
        while len(self._recent) > RECENT_VECTORS:
            del self._recent[next(iter(self._recent))]
        self.store.add_chunks(part, vectors)
        self.progress.chunks_embedded(len(part))

    def _fail(self, report: IndexReport, source: SourceFile, cause: str) -> None:
        report.failed.append(FileFailure(source.relpath, cause))
        self.progress.file_done(source.relpath, "failed", 0, source.size)


def _record(source: SourceFile, content_hash: str, documents: int, chunks: int) -> SourceRecord:
    return SourceRecord(
        key=source.key,
        abspath=source.real_path,
        root=str(source.root),
        relpath=source.relpath,
        content_hash=content_hash,
        documents=documents,
        chunks=chunks,
        indexed_at="",
    )


def _lean(document: Document) -> Document:
    """Drop the text once chunked; documents are stored as metadata only."""
    return replace(document, text="")


def _in_scope(path: Path, scope: Sequence[tuple[Path, bool]]) -> bool:
    return any(path == root or (is_folder and path.is_relative_to(root)) for root, is_folder in scope)
