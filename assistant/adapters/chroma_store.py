"""The Chroma adapter: the only module that knows Chroma exists.

The index is three collections sharing a name prefix:
- `<name>`: one record per chunk, with its vector, text and citation metadata;
- `<name>-documents`: one record per document (title, publisher, date ...);
- `<name>-sources`: one record per source file with its content hash: the
  commit marker. Before anything of a file is removed or written, its marker
  is set to "pending"; it says "committed" again only once all the file's
  chunks and documents are stored. Readers see only committed files, and the
  next run clears whatever a pending marker covers, so an interrupted run is
  always redone and never half-visible.

Vectors are always passed in explicitly; collections are opened with no
embedding function, so Chroma never reaches for its default model, and any
process can read the index without registering anything.

Chroma's own failures stop here: every client and collection call is guarded
(`_Guarded`), so a lost server connection, a full disk or a damaged local
index reaches the front ends as one of the core's named errors.
"""

from __future__ import annotations

import errno
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from assistant.config import Settings, server_endpoint
from assistant.domain import (
    RECORD_MARK,
    Chunk,
    ChunkMeta,
    Document,
    DocumentInfo,
    SourceRecord,
    StoredChunk,
)
from assistant.errors import (
    AssistantError,
    DiskFullError,
    IndexDamagedError,
    IndexMismatchError,
    IndexNotFoundError,
    StoreUnavailableError,
)
from assistant.text.dates import date_number

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

SCHEMA_VERSION = 1
# Marks an index whose records have been checked against their markers (or
# that was created with pending markers). An index written before them may
# hold chunks no marker covers, or a marker whose chunks are gone; the first
# write run checks every record once and sets this.
MARKERS_KEY = "markers"
MARKERS_VERSION = 2
PENDING, COMMITTED = "pending", "committed"
# Below this much free space a failed local write is put down to a full disk:
# Chroma reports it only as a failed compaction, without the OS error.
LOW_DISK_BYTES = 8 * 1024 * 1024


def _placeholders(count: int) -> npt.NDArray[np.float32]:
    """Chroma needs a vector for every record; bookkeeping records get a dummy one."""
    return np.zeros((count, 1), dtype=np.float32)


@dataclass(frozen=True)
class IndexSpec:
    """What the vectors in an index mean; mixing two specs would corrupt results."""

    embedding_model: str
    dimension: int
    chunker: str


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _clean_meta(meta: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """Chroma rejects None values; drop them rather than invent a value."""
    return {k: v for k, v in meta.items() if v is not None}


class ChromaStore:
    """A Chroma database (local folder or server) holding one assistant index."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.name = settings.collection
        self._client: ClientAPI | None = None
        self._chunks: Collection | None = None
        self._documents: Collection | None = None
        self._sources: Collection | None = None
        #: Set by `open_for_read`: what describes the index (its markers, its chunk count) is then
        #: read once per generation, since it changes only when the content does.
        self._reading = False
        self._described: tuple[str, dict[str, Any]] | None = None

    # --- connection -----------------------------------------------------------

    @property
    def is_server(self) -> bool:
        return self.settings.chroma_url is not None

    @property
    def location(self) -> str:
        return self.settings.store_label

    def _connect(self, create: bool) -> ClientAPI:
        if self._client is not None:
            return self._client
        os.environ["ANONYMIZED_TELEMETRY"] = "False"
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if self.settings.chroma_url:
            scheme, host, port = server_endpoint(self.settings.chroma_url)
            headers = {}
            if self.settings.chroma_token is not None:
                headers["Authorization"] = f"Bearer {self.settings.chroma_token.get_secret_value()}"
            try:
                client = chromadb.HttpClient(
                    host=host,
                    port=port,
                    ssl=scheme == "https",
                    headers=headers,
                    settings=chroma_settings,
                )
                client.heartbeat()
                self._client = _guarded(client, self)
            except Exception as exc:
                self._client = None
                raise StoreUnavailableError(
                    f"cannot reach the Chroma server at {self.settings.chroma_url} ({_reason(exc)})",
                    hint="Check that the server is running and the URL and token are right.",
                ) from exc
        else:
            folder = Path(self.settings.index_dir)
            if not create and not (folder / "chroma.sqlite3").is_file():
                raise IndexNotFoundError(f"no index at {folder}")
            try:
                folder.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
            except BaseException as exc:
                if not _chroma_failure(exc):
                    raise
                raise self.failure(exc) or StoreUnavailableError(
                    f"cannot open the index at {folder} ({_reason(exc)})"
                ) from exc
            self._client = _guarded(client, self)
        return self._client

    def failure(self, exc: BaseException) -> AssistantError | None:
        """The core's error for a failure inside Chroma, or None when it is not the store's.

        "Not found" stays Chroma's (callers ask for collections that may not
        exist), and errors that come neither from Chroma nor from the
        connection or the disk are bugs that should surface as they are.
        """
        from chromadb.errors import ChromaError, InternalError, InvalidArgumentError, NotFoundError

        if isinstance(exc, AssistantError | NotFoundError) or "does not exist" in str(exc):
            return None
        reason = _reason(exc)
        if self.is_server:
            import httpx

            if isinstance(exc, httpx.TransportError | OSError):
                return StoreUnavailableError(
                    f"lost the connection to the Chroma server at {self.location} ({reason})",
                    hint="Check that the server is running, then run the command again; "
                    "an interrupted `assistant index` carries on where it stopped.",
                )
            if isinstance(exc, ChromaError):
                return StoreUnavailableError(
                    f"the Chroma server at {self.location} failed ({reason})",
                    hint="Check the server's log; run the command again once the server is healthy.",
                )
            return None
        folder = Path(self.settings.index_dir)
        # A panic of Chroma's Rust core means it gave up on the files ("database disk image is malformed").
        if not isinstance(exc, ChromaError | OSError) and not _rust_panic(exc):
            return None
        if _disk_full(exc, folder):
            return DiskFullError(f"cannot write the index at {folder}: {os.strerror(errno.ENOSPC)} ({reason})")
        if not isinstance(exc, InternalError | InvalidArgumentError) and not _rust_panic(exc):
            # Chroma's other errors (a permission, a duplicate id ...) say nothing about the files.
            return StoreUnavailableError(f"cannot use the index at {folder} ({reason})")
        # What a damaged database or vector segment raises when read: rebuilding is the cure.
        return IndexDamagedError(
            f"the index at {folder} is damaged: {reason}",
            hint=f"Run `assistant index PATH --rebuild` to build it again; if even that cannot open it, "
            f"delete the folder {folder} (it holds only the index) and index again.",
        )

    def _collection_names(self) -> set[str]:
        client = self._connect(create=False)
        return {c if isinstance(c, str) else c.name for c in client.list_collections()}

    def exists(self) -> bool:
        try:
            return self.name in self._collection_names()
        except IndexNotFoundError:
            return False

    def open_for_read(self) -> None:
        """Open an existing index; raise IndexNotFoundError when there is none."""
        client = self._connect(create=False)
        self._reading = True
        try:
            self._chunks = client.get_collection(self.name, embedding_function=None)
            self._documents = client.get_collection(f"{self.name}-documents", embedding_function=None)
            self._sources = client.get_collection(f"{self.name}-sources", embedding_function=None)
        except AssistantError:
            raise
        except Exception as exc:
            if "does not exist" in str(exc) or "NotFound" in type(exc).__name__:
                raise IndexNotFoundError(f"no index '{self.name}' at {self.location}") from exc
            raise StoreUnavailableError(f"cannot open the index at {self.location} ({_reason(exc)})") from exc

    def open_for_write(self, spec: IndexSpec, *, rebuild: bool = False) -> None:
        """Open or create the index, refusing one built with another spec."""
        client = self._connect(create=True)
        self._reading = False
        self._described = None
        if rebuild:
            try:
                for suffix in ("", "-documents", "-sources"):
                    if f"{self.name}{suffix}" in self._collection_names():
                        client.delete_collection(f"{self.name}{suffix}")
            except IndexDamagedError as exc:
                raise IndexDamagedError(
                    str(exc),
                    hint=f"`--rebuild` cannot open it either: delete the folder {self.settings.index_dir} "
                    "(it holds only the index) and index again.",
                ) from exc
        existing = self.name in self._collection_names()
        meta = {
            "schema": SCHEMA_VERSION,
            "embedding_model": spec.embedding_model,
            "dimension": spec.dimension,
            "chunker": spec.chunker,
            "created_at": _now(),
            MARKERS_KEY: MARKERS_VERSION,
        }
        self._chunks = client.get_or_create_collection(
            self.name,
            embedding_function=None,
            metadata=meta,
            configuration={"hnsw": {"space": "cosine"}},
        )
        if existing:
            self.check_spec(spec)
        self._documents = client.get_or_create_collection(
            f"{self.name}-documents", embedding_function=None, configuration={"hnsw": {"space": "l2"}}
        )
        self._sources = client.get_or_create_collection(
            f"{self.name}-sources", embedding_function=None, configuration={"hnsw": {"space": "l2"}}
        )

    def check_spec(self, spec: IndexSpec) -> None:
        found = self.spec()
        if found is None:
            return
        differences = [
            f"{label} is {theirs!r}, settings say {ours!r}"
            for label, theirs, ours in (
                ("embedding model", found.embedding_model, spec.embedding_model),
                ("dimension", found.dimension, spec.dimension),
                ("chunker", found.chunker, spec.chunker),
            )
            if theirs != ours
        ]
        if differences:
            raise IndexMismatchError(f"the index at {self.location} was built differently: " + "; ".join(differences))

    def spec(self) -> IndexSpec | None:
        meta = self._col("chunks").metadata or {}
        if "embedding_model" not in meta:
            return None
        return IndexSpec(str(meta["embedding_model"]), int(meta["dimension"]), str(meta["chunker"]))

    def refresh(self) -> None:
        """Reopen an index opened for reading if another store has indexed since it was opened.

        The collections' metadata (and so `generation`) is read when they are
        opened; this reads it again, which costs well under a millisecond.
        """
        client = self._connect(create=False)
        try:
            current = client.get_collection(self.name, embedding_function=None)
        except AssistantError:
            raise
        except Exception:
            current = None  # gone (a rebuild under way): reopening says so
        if current is None or current.id != self._col("chunks").id or current.metadata != self._col("chunks").metadata:
            self.open_for_read()

    def _remembered(self, what: str, read: Callable[[], Any]) -> Any:
        """`read()`, once per generation while the store is open for reading (always afresh for writing)."""
        if not self._reading:
            return read()
        generation = self.generation()
        if self._described is None or self._described[0] != generation:
            self._described = (generation, {})
        known = self._described[1]
        if what not in known:
            known[what] = read()
        return known[what]

    def generation(self) -> str:
        """Changes whenever the indexed content changes."""
        meta = self.metadata()
        return str(meta.get("generation", meta.get("last_indexed", "")))

    def last_indexed(self) -> str | None:
        """When an index run last completed (ISO time), or None before the first."""
        value = self.metadata().get("last_indexed")
        return None if value is None else str(value)

    def metadata(self) -> dict[str, Any]:
        return dict(self._col("chunks").metadata or {})

    def touch(self, *, changed: bool) -> None:
        """Record a completed index run; `changed` bumps the content generation.

        Derived indexes (BM25) remember the generation they were built from
        and are rebuilt when it moves.
        """
        meta = self.metadata()
        meta["last_indexed"] = _now()
        if changed or "generation" not in meta:
            meta["generation"] = f"{_now()}/{os.getpid()}/{self.counts()[1]}"
        meta.pop("hnsw:space", None)
        self._col("chunks").modify(metadata=meta)

    def _col(self, which: str) -> Collection:
        collection = {"chunks": self._chunks, "documents": self._documents, "sources": self._sources}[which]
        if collection is None:
            raise RuntimeError("the store is not open")
        return collection

    def max_batch(self) -> int:
        return int(self._connect(create=False).get_max_batch_size())

    # --- reading ------------------------------------------------------------

    def probe(self) -> None:
        """Touch every collection's records once, so a damaged store shows up now.

        `counts` reads only the markers; `status` calls this too, so a vector
        segment cut short (or a damaged database) is reported by `status`
        rather than by the next question.
        """
        for which in ("chunks", "documents", "sources"):
            self._col(which).count()

    def counts(self) -> tuple[int, int, int]:
        """(documents, chunks, sources) of the committed files.

        Summed from the markers, so records of a file still being written (or
        left by a killed run) are never counted.
        """
        committed = self.sources().values()
        return sum(r.documents for r in committed), sum(r.chunks for r in committed), len(committed)

    def _all_metadatas(self, which: str) -> Iterator[tuple[str, dict[str, Any]]]:
        collection = self._col(which)
        page = max(1, min(self.max_batch(), 5000))
        offset = 0
        while True:
            result = collection.get(include=["metadatas"], limit=page, offset=offset)
            ids = result["ids"]
            metadatas = result["metadatas"] or []
            for record_id, meta in zip(ids, metadatas, strict=False):
                yield record_id, dict(meta or {})
            if len(ids) < page:
                return
            offset += page

    def chunk_records(self) -> int:
        """How many chunk records the index holds, of committed files or not."""
        return int(self._remembered("chunk records", self._col("chunks").count))

    def markers(self) -> dict[str, SourceRecord]:
        """Every source marker, committed or pending."""
        return dict(self._remembered("markers", self._read_markers))

    def _read_markers(self) -> dict[str, SourceRecord]:
        records: dict[str, SourceRecord] = {}
        for key, meta in self._all_metadatas("sources"):
            records[key] = SourceRecord(
                key=key,
                abspath=str(meta.get("abspath", "")),
                root=str(meta.get("root", "")),
                relpath=str(meta.get("relpath", "")),
                content_hash=str(meta.get("content_hash", "")),
                documents=int(meta.get("documents", 0)),
                chunks=int(meta.get("chunks", 0)),
                indexed_at=str(meta.get("indexed_at", "")),
                pending=meta.get("state") == PENDING,
            )
        return records

    def sources(self) -> dict[str, SourceRecord]:
        """The committed source files: the only ones whose records readers see."""
        return {key: record for key, record in self.markers().items() if not record.pending}

    def documents(self) -> list[DocumentInfo]:
        committed = self.sources()
        infos = [
            document_info(doc_id, meta)
            for doc_id, meta in self._all_metadatas("documents")
            if meta.get("source") in committed
        ]
        return sorted(infos, key=lambda d: (d.source_path, _row_number(d.path), d.path))

    def chunk_ids(self, source_key: str) -> list[str]:
        return list(self._col("chunks").get(where={"source": source_key}, include=[])["ids"])

    # --- writing ------------------------------------------------------------

    def remove_source(self, record: SourceRecord) -> None:
        """Delete a source's chunks, documents and marker.

        The marker turns pending first and goes last, so a kill in between
        leaves records the next run still knows to clear.
        """
        self.begin_sources([record])
        self.clear_source(record.key)
        self._col("sources").delete(ids=[record.key])

    def clear_source(self, key: str) -> None:
        """Delete a source's chunks and documents (its marker must be pending)."""
        self._col("chunks").delete(where={"source": key})
        self._col("documents").delete(where={"source": key})

    def begin_sources(self, records: Sequence[SourceRecord]) -> None:
        """Mark sources pending before any of their records change.

        From here until `commit_source`, readers ignore their records and a
        new run redoes them, whatever the content hash says.
        """
        self._write_markers([replace(r, content_hash="", documents=0, chunks=0, pending=True) for r in records])

    def needs_check(self) -> bool:
        """True for an index written before pending markers existed and not yet checked."""
        return self.metadata().get(MARKERS_KEY) != MARKERS_VERSION

    def check_markers(self) -> list[SourceRecord]:
        """Make every record agree with a committed marker; return the markers dropped.

        Records of a source with no marker are deleted. A marker whose counts
        or content hash disagree with its records (a replace killed before
        markers could be pending) is dropped with its records, so the file is
        indexed afresh. One pass over each collection's metadata.
        """
        markers = self.markers()
        chunk_counts: dict[str, int] = {}
        for _, meta in self._all_metadatas("chunks"):
            key = str(meta.get("source", ""))
            chunk_counts[key] = chunk_counts.get(key, 0) + 1
        doc_counts: dict[str, int] = {}
        doc_hashes: dict[str, set[str]] = {}
        for _, meta in self._all_metadatas("documents"):
            key = str(meta.get("source", ""))
            doc_counts[key] = doc_counts.get(key, 0) + 1
            doc_hashes.setdefault(key, set()).add(str(meta.get("content_hash", "")))
        dropped: list[SourceRecord] = []
        for key, record in markers.items():
            intact = (
                not record.pending
                and chunk_counts.get(key, 0) == record.chunks
                and doc_counts.get(key, 0) == record.documents
                and doc_hashes.get(key, set()) <= {record.content_hash}
            )
            if not intact:
                self.remove_source(record)
                dropped.append(record)
        for key in (set(chunk_counts) | set(doc_counts)) - set(markers):
            self.clear_source(key)
        meta = self.metadata()
        meta[MARKERS_KEY] = MARKERS_VERSION
        meta.pop("hnsw:space", None)
        self._col("chunks").modify(metadata=meta)
        return dropped

    def add_chunks(self, chunks: Sequence[tuple[str, Chunk]], vectors: npt.NDArray[np.float32]) -> None:
        """Add chunks, each paired with the key of its source file."""
        step = self.max_batch()
        for begin in range(0, len(chunks), step):
            part = chunks[begin : begin + step]
            self._col("chunks").upsert(
                ids=[c.id for _, c in part],
                embeddings=vectors[begin : begin + step],
                documents=[c.text for _, c in part],
                metadatas=[_chunk_record(key, c) for key, c in part],
            )

    def add_documents(self, source_key: str, documents: Iterable[tuple[Document, int]]) -> None:
        batch: list[tuple[Document, int]] = []
        step = self.max_batch()
        for item in documents:
            batch.append(item)
            if len(batch) >= step:
                self._write_documents(source_key, batch)
                batch = []
        if batch:
            self._write_documents(source_key, batch)

    def _write_documents(self, source_key: str, batch: list[tuple[Document, int]]) -> None:
        self._col("documents").upsert(
            ids=[doc.id for doc, _ in batch],
            embeddings=_placeholders(len(batch)),
            metadatas=[_document_record(source_key, doc, chunks) for doc, chunks in batch],
        )

    def commit_source(self, record: SourceRecord) -> None:
        """Write the marker saying this source is completely indexed."""
        self._write_markers([replace(record, pending=False)])

    def _write_markers(self, records: Sequence[SourceRecord]) -> None:
        if not records:
            return
        self._col("sources").upsert(
            ids=[record.key for record in records],
            embeddings=_placeholders(len(records)),
            metadatas=[
                _clean_meta(
                    {
                        "abspath": record.abspath,
                        "root": record.root,
                        "relpath": record.relpath,
                        "content_hash": record.content_hash,
                        "documents": record.documents,
                        "chunks": record.chunks,
                        "indexed_at": record.indexed_at or _now(),
                        # Always written: an upsert keeps metadata keys it is not given.
                        "state": PENDING if record.pending else COMMITTED,
                    }
                )
                for record in records
            ],
        )


# Metadata comes back from Chroma as flat dictionaries; the two functions below
# turn them into the core's types. Every key is read with a default, so rows
# written before a key existed (or without an optional one: `page` is written
# only for PDF pages) still read.


def document_info(doc_id: str, meta: Mapping[str, Any]) -> DocumentInfo:
    """A DocumentInfo from a document record's (or a chunk's) metadata."""
    return DocumentInfo(
        id=doc_id,
        path=str(meta.get("path", "")),
        source_path=str(meta.get("source_path", "")),
        title=str(meta.get("title", "")),
        publisher=str(meta.get("publisher", "")),
        author=str(meta.get("author", "")),
        date=str(meta.get("date", "")),
        url=str(meta.get("url", "")),
        language=str(meta.get("language", "")),
        format=str(meta.get("format", "")),
        chunks=int(meta.get("chunks", 0)),
    )


def _pick(column: Any, keep: list[int]) -> Any:
    """The entries of one column of a `get` result (a list, or an array of vectors) at positions `keep`."""
    if column is None:
        return None
    if isinstance(column, np.ndarray):
        return column[keep]
    return [column[i] for i in keep]


def chunk_meta(meta: Mapping[str, Any]) -> ChunkMeta:
    """A chunk record's metadata as the core's type.

    A row without `date_num` counts as undated: outside every date range.
    """
    page = meta.get("page")
    return ChunkMeta(
        source_key=str(meta.get("source", "")),
        document=document_info(str(meta.get("doc_id", "")), {**meta, "chunks": 0}),
        date_num=int(meta.get("date_num", 0)),
        index=int(meta.get("index", 0)),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        tokens=int(meta.get("tokens", 0)),
        page=int(page) if page is not None else None,
        context=str(meta.get("context", "")),
    )


def _row_number(path: str) -> int:
    _, _, row = path.partition(RECORD_MARK)
    return int(row) if row.isdigit() else 0


def _document_fields(source_key: str, doc: Document) -> dict[str, str | int | float | bool | None]:
    """What a document's record and each of its chunks' records both keep about the document."""
    return {
        "source": source_key,
        "path": doc.path,
        "source_path": doc.source_path,
        "title": doc.title,
        "publisher": doc.publisher,
        "author": doc.author,
        "date": doc.date,
        "date_num": date_number(doc.date),
        "url": doc.url,
        "language": doc.language,
        "format": doc.format,
    }


def _document_record(source_key: str, doc: Document, chunks: int) -> dict[str, str | int | float | bool]:
    return _clean_meta({**_document_fields(source_key, doc), "content_hash": doc.content_hash, "chunks": chunks})


def _chunk_record(source_key: str, chunk: Chunk) -> dict[str, str | int | float | bool]:
    return _clean_meta(
        {
            **_document_fields(source_key, chunk.document),
            "doc_id": chunk.document.id,
            "index": chunk.index,
            "start": chunk.start,
            "end": chunk.end,
            "tokens": chunk.tokens,
            "page": chunk.page,
            "context": chunk.context,
        }
    )


def _disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether a failed local write is down to a full disk."""
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    text = str(exc).lower()
    if "no space left" in text or "disk is full" in text or "os error 28" in text:
        return True
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < LOW_DISK_BYTES


class _Guarded:
    """A Chroma client or collection whose calls raise the core's errors instead of Chroma's or httpx's.

    Every call into Chroma goes through one of these, so a killed server, a
    full disk or a damaged database becomes one named error with a next step
    wherever it strikes, including in calls added later.
    """

    def __init__(self, target: Any, store: ChromaStore) -> None:
        self._target = target
        self._store = store

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value
        if name in ("get_collection", "get_or_create_collection", "create_collection"):
            return self._wrap(value, returns_collection=True)
        return self._wrap(value)

    def _wrap(self, method: Callable[..., Any], *, returns_collection: bool = False) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = method(*args, **kwargs)
            except BaseException as exc:
                if not _chroma_failure(exc):
                    raise
                translated = self._store.failure(exc)
                if translated is None:
                    raise
                raise translated from exc
            return _guarded(result, self._store) if returns_collection else result

        return call


def _guarded(target: Any, store: ChromaStore) -> Any:
    return target if isinstance(target, _Guarded) else cast(Any, _Guarded(target, store))


def _rust_panic(exc: BaseException) -> bool:
    """A panic in Chroma's Rust core, which pyo3 raises as a BaseException that `except Exception` misses."""
    return type(exc).__name__ == "PanicException"


def _chroma_failure(exc: BaseException) -> bool:
    """An error from inside Chroma to translate, not an interrupt or an exit to let through."""
    return isinstance(exc, Exception) or _rust_panic(exc)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class ChunkReader:
    """Read-side helpers over an open ChromaStore (lookups and full scans).

    Nearest-chunk search is not here: it runs exactly over the vectors copied out by `vectors`
    (see `assistant.search.dense`), because the store's own search is approximate.

    Only chunks of committed files are returned: chunks written before their
    file's marker commits (a run in progress, or one that was killed) stay
    invisible.
    """

    def __init__(self, store: ChromaStore) -> None:
        self.store = store
        self._view: tuple[str, set[str]] | None = None

    def _committed(self) -> set[str]:
        """The source keys of committed files, reread when the index changes."""
        generation = self.store.generation()
        if self._view is None or self._view[0] != generation:
            markers = self.store.markers()
            self._view = (generation, {key for key, record in markers.items() if not record.pending})
        return self._view[1]

    def fetch(self, ids: list[str], query_vector: npt.NDArray[np.float32] | None = None) -> dict[str, StoredChunk]:
        """The chunks with these ids that belong to committed files."""
        if not ids:
            return {}
        include: list[Any] = ["documents", "metadatas"]
        if query_vector is not None:
            include.append("embeddings")
        got = self.store._col("chunks").get(ids=ids, include=include)
        texts = got["documents"] or []
        metas = got["metadatas"] or []
        vectors = got.get("embeddings")
        committed = self._committed()
        chunks: dict[str, StoredChunk] = {}
        for position, chunk_id in enumerate(got["ids"]):
            meta = dict(metas[position] or {})
            if meta.get("source") not in committed:
                continue
            similarity = None
            if query_vector is not None and vectors is not None:
                similarity = float(np.dot(np.asarray(vectors[position], dtype=np.float32), query_vector))
            chunks[chunk_id] = StoredChunk(chunk_id, texts[position] or "", chunk_meta(meta), similarity)
        return chunks

    def chunks_at(self, path: str) -> list[StoredChunk]:
        """Every chunk of one document (by its path), in no particular order."""
        got = self.store._col("chunks").get(where={"path": path}, include=["documents", "metadatas"])
        committed = self._committed()
        return [
            StoredChunk(chunk_id, text or "", chunk_meta(meta))
            for chunk_id, text, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False)
            if meta and meta.get("source") in committed
        ]

    def scan(self) -> Iterator[StoredChunk]:
        """Every committed chunk's text and metadata, page by page."""
        for got in self._pages(["documents", "metadatas"]):
            for chunk_id, text, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False):
                yield StoredChunk(chunk_id, text or "", chunk_meta(meta))

    def vectors(self) -> Iterator[tuple[str, ChunkMeta, npt.NDArray[np.float32]]]:
        """Every committed chunk's metadata and stored vector, page by page (for exact search)."""
        for got in self._pages(["metadatas", "embeddings"]):
            vectors = got.get("embeddings")
            vectors = [] if vectors is None else vectors
            for chunk_id, meta, vector in zip(got["ids"], got["metadatas"] or [], vectors, strict=False):
                yield chunk_id, chunk_meta(meta), np.asarray(vector, dtype=np.float32)

    def _pages(self, include: list[Any]) -> Iterator[Any]:
        """The collection page by page, each page holding only committed chunks (with `include` fields)."""
        collection = self.store._col("chunks")
        committed = self._committed()
        page = max(1, min(self.store.max_batch(), 5000))
        offset = 0
        while True:
            got = collection.get(include=include, limit=page, offset=offset)
            keep = [i for i, meta in enumerate(got["metadatas"] or []) if meta and meta.get("source") in committed]
            yield {key: _pick(value, keep) for key, value in got.items() if key in ("ids", *include)}
            if len(got["ids"]) < page:
                return
            offset += page
