"""Exact nearest-chunk search over the stored vectors: order, filters, ties, and the saved file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.domain import LAST_DATE_NUM, ChunkFilter
from assistant.search.dense import DenseIndex, VectorRow
from assistant.search.retrieval import Filters


def _row(chunk_id: str, vector: list[float], **fields: object) -> VectorRow:
    defaults: dict[str, object] = {
        "path": "notes/a.md",
        "publisher": "Desk Weekly",
        "date_num": 20190315,
        "language": "en",
    }
    defaults.update(fields)
    return VectorRow(
        chunk_id,
        str(defaults["path"]),
        str(defaults["publisher"]),
        int(str(defaults["date_num"])),
        str(defaults["language"]),
        np.array(vector, dtype=np.float32),
    )


def _index() -> DenseIndex:
    return DenseIndex.build(
        [
            _row("far", [0.0, 1.0, 0.0]),
            # Not of unit length: its cosine, not its dot product, decides.
            _row("near", [10.0, 1.0, 0.0], path="reports/b.pdf", publisher="Signal Review", date_num=20210101),
            _row("middle", [1.0, 1.0, 0.0], path="reports/b.pdf", publisher="Signal Review", date_num=20210101),
            _row("undated", [1.0, 0.2, 0.0], path="web/c.html", publisher="Undercurrent", date_num=0, language="de"),
        ],
        "gen-1",
    )


QUESTION = np.array([1.0, 0.0, 0.0], dtype=np.float32)


def test_the_nearest_chunks_come_back_by_cosine_nearest_first() -> None:
    found = _index().nearest(QUESTION * 3, 10)
    assert [chunk_id for chunk_id, _ in found] == ["near", "undated", "middle", "far"]
    similarity = dict(found)
    assert similarity["near"] == pytest.approx(10 / np.sqrt(101), abs=1e-6)
    assert similarity["far"] == pytest.approx(0.0, abs=1e-6)
    assert [chunk_id for chunk_id, _ in _index().nearest(QUESTION, 2)] == ["near", "undated"]


def test_equal_vectors_keep_the_stores_order_every_time() -> None:
    rows = [_row(f"retweet-{n}", [1.0, 0.5, 0.0]) for n in range(30)] + [_row("other", [0.0, 0.0, 1.0])]
    index = DenseIndex.build(rows, "gen-1")
    first = [chunk_id for chunk_id, _ in index.nearest(QUESTION, 5)]
    assert first == [f"retweet-{n}" for n in range(5)]
    assert all([chunk_id for chunk_id, _ in index.nearest(QUESTION, 5)] == first for _ in range(5))


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (ChunkFilter(paths=("reports/b.pdf",)), ["near", "middle"]),
        (ChunkFilter(paths=("reports/b.pdf", "notes/a.md", "not/indexed.md")), ["near", "middle", "far"]),
        (ChunkFilter(source="SIGNAL"), ["near", "middle"]),  # a case-blind part of the publisher
        (ChunkFilter(source="web/"), ["undated"]),  # or of the path
        (ChunkFilter(language="DE"), ["undated"]),
        (Filters(since="2020").scope(), ["near", "middle"]),
        (Filters(until="2019-03").scope(), ["far"]),  # an undated chunk is outside every range
        (ChunkFilter(dates=(1, LAST_DATE_NUM), source="desk"), ["far"]),
        (ChunkFilter(source="nobody"), []),
    ],
)
def test_a_filter_lets_through_only_the_chunks_it_allows(scope: ChunkFilter, expected: list[str]) -> None:
    assert [chunk_id for chunk_id, _ in _index().nearest(QUESTION, 10, scope)] == expected


def test_an_empty_library_finds_nothing() -> None:
    empty = DenseIndex.build([], "gen-0")
    assert len(empty) == 0
    assert empty.nearest(QUESTION, 5) == []
    assert empty.nearest(QUESTION, 5, ChunkFilter(source="desk")) == []


def test_the_saved_index_reads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "dense.npz"
    _index().save(path)
    loaded = DenseIndex.load(path)
    assert loaded is not None and loaded.stamp == "gen-1"
    assert loaded.nearest(QUESTION, 10, ChunkFilter(language="de")) == _index().nearest(
        QUESTION, 10, ChunkFilter(language="de")
    )
    assert not list(tmp_path.glob("*.tmp")), "the temporary file is moved into place"


def test_a_document_without_publisher_or_language_reads_back_as_saved(tmp_path: Path) -> None:
    path = tmp_path / "dense.npz"
    DenseIndex.build([_row("only", [1.0, 0.0, 0.0], publisher="", language="")], "gen-1").save(path)
    loaded = DenseIndex.load(path)
    assert loaded is not None and (loaded.publishers, loaded.languages) == ([""], [""])
    assert loaded.nearest(QUESTION, 1) == [("only", pytest.approx(1.0))]


@pytest.mark.parametrize(
    "damage", ["missing", "garbled", "truncated", "rows out of step", "another version", "numbers for ids"]
)
def test_a_missing_or_damaged_file_loads_as_nothing_so_it_is_rebuilt(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "dense.npz"
    index = _index()
    if damage == "rows out of step":
        index.documents = index.documents[:-1]
    index.save(path)
    if damage == "missing":
        path.unlink()
    elif damage == "garbled":
        path.write_bytes(b"not a table of vectors")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage in ("another version", "numbers for ids"):
        with np.load(path) as saved:
            arrays = {name: saved[name] for name in saved.files}
        if damage == "another version":
            arrays["version"] = np.array(0)
        else:
            arrays["ids"] = np.arange(4, dtype=np.float64)
        np.savez(path, **arrays)
    assert DenseIndex.load(path) is None
