"""Exact nearest-chunk search over a real Chroma index: the table of vectors an index run leaves beside it.

Real Chroma in tmp_path, with the HashEmbedder standing in for MiniLM (its vectors are the index's own, so
the question is encoded the same way). What is checked is what an analyst would notice: the nearest passages
are truly the nearest, a changed library is searched as it now is, and a lost, damaged or unwritable table
never costs an answer or an indexed file.
"""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
import pytest

from assistant.adapters.chroma_store import ChromaStore, ChunkReader
from assistant.config import Settings
from assistant.errors import DiskFullError
from assistant.search.dense import DenseIndex, dense_path
from assistant.service import AssistantService

from ..conftest import HashEmbedder

QUESTION = "How many copies of the livestream video did the platform remove?"
LATE = """---
title: Lantern network review
publisher: Test Desk
date: 2022-05-01
---
The Lantern network ran four thousand mirror channels before the messaging app deleted them in one night.
"""


def _service(settings: Settings, embedder: HashEmbedder) -> AssistantService:
    service = AssistantService(settings, embedder=embedder)
    service._query_encoder = embedder  # the index's own vectors stand in for MiniLM
    return service


def _brute_force(settings: Settings, vector: np.ndarray, n: int) -> list[str]:
    """The n nearest committed chunks, by comparing the question with every vector the store holds."""
    store = ChromaStore(settings)
    store.open_for_read()
    rows = list(ChunkReader(store).vectors())
    matrix = np.stack([vector_ for _, _, vector_ in rows])
    similarity = matrix @ vector / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(vector))
    order = sorted(range(len(rows)), key=lambda i: -similarity[i])
    return [rows[i][0] for i in order[:n]]


def test_an_index_run_leaves_the_table_and_it_holds_the_truly_nearest_chunks(
    settings: Settings, embedder: HashEmbedder, library: Path
) -> None:
    service = _service(settings, embedder)
    service.index([library])
    saved = DenseIndex.load(dense_path(settings))
    assert saved is not None and len(saved) == service.status().chunks
    vector = embedder.embed([QUESTION])[0]
    assert [chunk_id for chunk_id, _ in saved.nearest(vector, 5)] == _brute_force(settings, vector, 5)


def test_a_question_after_the_library_changed_searches_it_as_it_now_is(
    settings: Settings, embedder: HashEmbedder, library: Path
) -> None:
    service = _service(settings, embedder)
    service.index([library])
    before = DenseIndex.load(dense_path(settings))
    (library / "lantern.md").write_text(LATE)
    # Another process indexes the new file; this one's table is now stale and must not be trusted.
    _service(settings, embedder).index([library])
    hits = service.retrieve("Lantern network mirror channels deleted messaging app").hits
    assert hits and hits[0].document.path.endswith("lantern.md")
    assert before is not None and service.dense().stamp != before.stamp


@pytest.mark.parametrize("damage", ["deleted", "garbled"])
def test_a_lost_or_damaged_table_is_rebuilt_by_the_next_question_with_the_same_answer(
    settings: Settings, embedder: HashEmbedder, library: Path, damage: str
) -> None:
    _service(settings, embedder).index([library])
    expected = [hit.chunk_id for hit in _service(settings, embedder).retrieve(QUESTION).hits]
    path = dense_path(settings)
    if damage == "deleted":
        path.unlink()
    else:
        path.write_bytes(b"not a table of vectors")
    assert [hit.chunk_id for hit in _service(settings, embedder).retrieve(QUESTION).hits] == expected
    assert DenseIndex.load(path) is not None


def test_a_state_folder_that_refuses_writes_still_answers(
    settings: Settings, embedder: HashEmbedder, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _service(settings, embedder).index([library])
    expected = [hit.chunk_id for hit in _service(settings, embedder).retrieve(QUESTION).hits]
    dense_path(settings).unlink()

    def refuse(self: DenseIndex, path: Path) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(DenseIndex, "save", refuse)
    service = _service(settings, embedder)
    assert [hit.chunk_id for hit in service.retrieve(QUESTION).hits] == expected
    # The table is kept for the session: the next question does not rebuild it again.
    kept = service.dense()
    service.retrieve(QUESTION)
    assert service.dense() is kept and not dense_path(settings).exists()


def test_a_full_disk_while_saving_the_table_is_reported_and_keeps_the_indexed_files(
    settings: Settings, embedder: HashEmbedder, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _service(settings, embedder)
    service.index([library])
    before = service.status().documents

    def full(self: DenseIndex, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(DenseIndex, "save", full)
    (library / "lantern.md").write_text(LATE)
    with pytest.raises(DiskFullError, match="vector table") as raised:
        service.index([library])
    assert str(dense_path(settings)) in str(raised.value)
    monkeypatch.undo()
    again = _service(settings, embedder)
    assert again.status().documents == before + 1  # the new file was indexed before the save failed
    assert (
        again.retrieve("Lantern network mirror channels deleted messaging app")
        .hits[0]
        .document.path.endswith("lantern.md")
    )
