"""A typed filter applied to the vectors of a real Chroma index: exact search returns only the chunks it allows."""

from __future__ import annotations

from pathlib import Path

from assistant.adapters.chroma_store import ChromaStore, ChunkReader
from assistant.domain import ChunkFilter
from assistant.search.dense import DenseIndex
from assistant.service import AssistantService

from ..conftest import HashEmbedder


def _indexed(service: AssistantService, library: Path) -> tuple[ChunkReader, DenseIndex]:
    service.index([library])
    store = ChromaStore(service.settings)
    store.open_for_read()
    return ChunkReader(store), service.dense()


def test_nearest_returns_only_what_the_filter_allows(
    service: AssistantService, embedder: HashEmbedder, library: Path
) -> None:
    reader, dense = _indexed(service, library)
    vector = embedder.embed(["accounts suspended removed video copies"])[0]
    everything = dense.nearest(vector, 500)
    stored = reader.fetch([chunk_id for chunk_id, _ in everything])
    metas = {chunk_id: chunk.meta for chunk_id, chunk in stored.items()}
    assert len(metas) == len(everything) > 0

    dated = sorted(m.date_num for m in metas.values() if m.date_num)
    middle = dated[len(dated) // 2]
    scopes = [
        ChunkFilter(dates=(middle, middle)),
        ChunkFilter(source="TWITTER"),
        ChunkFilter(language=next(m.document.language for m in metas.values()).upper()),
        ChunkFilter(dates=(1, middle), source="notes/"),
        ChunkFilter(paths=(next(iter(metas.values())).document.path,)),
    ]
    for scope in scopes:
        found = {chunk_id for chunk_id, _ in dense.nearest(vector, 500, scope)}
        expected = {
            chunk_id
            for chunk_id, _ in everything
            if scope.allows(
                metas[chunk_id].document.path,
                metas[chunk_id].document.publisher,
                metas[chunk_id].date_num,
                metas[chunk_id].document.language,
            )
        }
        assert found == expected and found, scope
    assert dense.nearest(vector, 500, ChunkFilter(source="no such publisher")) == []
    assert dense.nearest(vector, 500, ChunkFilter(language="xx")) == []
