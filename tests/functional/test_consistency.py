"""The index always equals a clean index of the same files, or a failure line says why not.

Interrupted replaces, chunks written before their commit marker, one file
reached by two paths, unreadable folders and symlinks that go away. Runs are
stopped mid-write here by an embedder that raises; the same states reached by
`kill -9` on the real command are tested in test_robustness.py.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from assistant.adapters.chroma_store import ChromaStore
from assistant.config import Settings
from assistant.ingest.sources import source_key
from assistant.service import AssistantService

from ..conftest import HashEmbedder, table

ROWS = 1200


class Interrupted(BaseException):
    """Stands in for the process dying: nothing in the indexer may catch it."""


class StopsAfter(HashEmbedder):
    """Embeds `calls` groups of chunks, then stops the run."""

    def __init__(self, calls: int) -> None:
        super().__init__()
        self.allowed = calls

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if self.calls >= self.allowed:
            raise Interrupted
        return super().embed(texts)


def _raw_chunk_sources(settings: Settings) -> list[str]:
    """The source key of every chunk stored, committed or not."""
    store = ChromaStore(settings)
    store.open_for_read()
    metas = store._col("chunks").get(include=["metadatas"])["metadatas"] or []
    return [str(m["source"]) for m in metas]


def _state(service: AssistantService) -> tuple[int, int, int, list[str]]:
    status = service.status()
    return status.documents, status.chunks, status.sources, sorted(d.path for d in service.sources())


def _clean_state(
    folder: Path, tmp_path: Path, name: str, paths: list[Path] | None = None
) -> tuple[int, int, int, list[str]]:
    clean = AssistantService(Settings(index_dir=tmp_path / name, lock_timeout=0), embedder=HashEmbedder())
    clean.index(paths or [folder])
    return _state(clean)


@pytest.fixture
def with_table(library: Path) -> Path:
    (library / "posts" / "mirrors.csv").write_text(table(ROWS))
    return library


def test_replace_stopped_midway_then_reverted_is_redone(settings: Settings, with_table: Path, tmp_path: Path) -> None:
    table_file = with_table / "posts" / "mirrors.csv"
    AssistantService(settings, embedder=HashEmbedder()).index([with_table])
    expected = _clean_state(with_table, tmp_path, "clean")
    original = table_file.read_text()
    table_file.write_text(original + f"p{ROWS + 1},2020-01-01,@desk1,One more channel moved.\n")
    with pytest.raises(Interrupted):
        AssistantService(settings, embedder=StopsAfter(1)).index([with_table])
    table_file.write_text(original)
    service = AssistantService(settings, embedder=HashEmbedder())
    report = service.index([with_table])
    assert report.unchanged == 6 and report.updated == 1
    assert sum(1 for path in _state(service)[3] if path.startswith("posts/mirrors.csv#row=")) == ROWS
    assert _state(service) == expected


def test_chunks_of_a_stopped_run_are_invisible_then_removed(settings: Settings, library: Path, tmp_path: Path) -> None:
    AssistantService(settings, embedder=HashEmbedder()).index([library])
    expected = _clean_state(library, tmp_path, "clean")
    table_file = library / "posts" / "mirrors.csv"
    table_file.write_text(table(ROWS))
    with pytest.raises(Interrupted):
        AssistantService(settings, embedder=StopsAfter(1)).index([library])
    ghost = source_key(str(table_file.resolve()))
    assert ghost in _raw_chunk_sources(settings), "the stopped run should have stored some of the table's chunks"
    reader = AssistantService(settings, embedder=HashEmbedder())
    assert _state(reader) == expected
    for mode in ("bm25", "dense"):
        hits = reader.retrieve("channel moved to mirror", k=20, mode=mode).hits  # type: ignore[arg-type]
        assert not [h for h in hits if h.document.path.startswith("posts/mirrors.csv")], mode
    assert reader.document_text("posts/mirrors.csv#row=1") is None

    table_file.unlink()
    writer = AssistantService(settings, embedder=HashEmbedder())
    writer.index([library])
    assert ghost not in _raw_chunk_sources(settings)
    assert _state(writer) == expected
    assert len(_raw_chunk_sources(settings)) == expected[1]


def test_stopped_run_outside_the_next_runs_folder_is_cleared(
    settings: Settings, with_table: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "extra.md").write_text("---\ntitle: Extra\n---\nNetzDG entered into force in January 2018.")
    with pytest.raises(Interrupted):
        AssistantService(settings, embedder=StopsAfter(1)).index([with_table])
    service = AssistantService(settings, embedder=HashEmbedder())
    service.index([other])
    expected = _clean_state(other, tmp_path, "clean")
    assert _state(service) == expected
    assert len(_raw_chunk_sources(settings)) == expected[1]


def test_a_bare_index_completes_a_first_run_that_was_stopped(settings: Settings, library: Path, tmp_path: Path) -> None:
    with pytest.raises(Interrupted):
        AssistantService(settings, embedder=StopsAfter(0)).index([library])
    service = AssistantService(settings, embedder=HashEmbedder())
    assert service.indexed_roots() == [library.resolve()]
    service.index(service.indexed_roots())
    assert _state(service) == _clean_state(library, tmp_path, "clean")


def _as_written_before_pending_markers(settings: Settings) -> ChromaStore:
    store = ChromaStore(settings)
    store.open_for_read()
    meta = store.metadata()
    meta.pop("markers", None)
    meta.pop("hnsw:space", None)
    store._col("chunks").modify(metadata=meta)
    return store


def test_an_older_index_with_a_stale_marker_is_repaired(settings: Settings, with_table: Path, tmp_path: Path) -> None:
    """An index damaged by a killed replace before markers could be pending."""
    service = AssistantService(settings, embedder=HashEmbedder())
    service.index([with_table])
    store = _as_written_before_pending_markers(settings)
    key = source_key(str((with_table / "posts" / "mirrors.csv").resolve()))
    store.clear_source(key)  # its old marker stays, as the old replace left it
    report = service.index([with_table])
    assert report.unchanged == 6 and report.added == 1
    assert _state(service) == _clean_state(with_table, tmp_path, "clean")


def test_an_older_index_with_unmarked_chunks_is_cleaned(settings: Settings, library: Path, tmp_path: Path) -> None:
    service = AssistantService(settings, embedder=HashEmbedder())
    service.index([library])
    store = _as_written_before_pending_markers(settings)
    gone = tmp_path / "gone.md"
    gone.write_text("Mirror sites multiplied after the takedown.")
    ghosts = AssistantService(Settings(index_dir=tmp_path / "scratch", lock_timeout=0), embedder=HashEmbedder())
    ghosts.index([gone])
    scratch = ChromaStore(ghosts.settings)
    scratch.open_for_read()
    got = scratch._col("chunks").get(include=["embeddings", "documents", "metadatas"])
    store._col("chunks").add(
        ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"], metadatas=got["metadatas"]
    )
    assert len(_raw_chunk_sources(settings)) > service.status().chunks
    service.index([library])
    assert len(_raw_chunk_sources(settings)) == service.status().chunks
    assert _state(service) == _clean_state(library, tmp_path, "clean")


@pytest.mark.parametrize("twice", ["same folder", "same file"])
def test_one_path_given_twice_is_indexed_once(
    service: AssistantService, library: Path, tmp_path: Path, twice: str
) -> None:
    note = library / "notes" / "gifct-founding-hash-database.md"
    via_parent = library / "notes" / ".." / "notes" / note.name
    paths = [library, library] if twice == "same folder" else [note, via_parent]
    report = service.index(paths)
    assert report.failed == []
    expected = _clean_state(library, tmp_path, "clean", paths[:1])
    assert _state(service) == expected
    note.write_text(note.read_text() + "\n\nA closing paragraph on transparency reports.\n")
    report = service.index(paths)
    assert report.updated == 1 and report.added == 0
    assert _state(service)[:3] == expected[:3]


def test_a_folder_and_a_file_inside_it_make_one_document(
    service: AssistantService, library: Path, tmp_path: Path
) -> None:
    note = library / "notes" / "gifct-founding-hash-database.md"
    expected = _clean_state(library, tmp_path, "clean")
    for paths in ([note, library], [library, note], [library / "notes", library]):
        service.index(paths)
        listed = [d.path for d in service.sources()]
        assert [p for p in listed if p.endswith(note.name)] == ["notes/gifct-founding-hash-database.md"]
        assert _state(service) == expected


@pytest.fixture
def unreadable(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[Path]]:
    """Folders os.walk cannot list, as when their permissions deny it (tests run as root)."""
    blocked: set[Path] = set()
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
        if Path(path) in blocked:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)  # type: ignore[return-value]

    monkeypatch.setattr(os, "scandir", scandir)
    yield blocked


def test_an_unreadable_folder_fails_and_keeps_its_documents(
    service: AssistantService, library: Path, unreadable: set[Path]
) -> None:
    service.index([library])
    before = _state(service)
    unreadable.add(library.resolve() / "notes")
    report = service.index([library])
    assert [(f.path, f.error) for f in report.failed] == [("notes", "cannot read folder (Permission denied)")]
    assert report.removed == 0
    assert _state(service) == before


def _link_outside(tmp_path: Path, link: Path) -> Path:
    """A symlink at `link` to a note outside every folder indexed."""
    outside = tmp_path / "elsewhere" / "target.md"
    outside.parent.mkdir()
    outside.write_text("---\ntitle: Linked note\n---\nA mirror network kept the channel alive.")
    link.symlink_to(outside)
    return link


def test_a_removed_symlink_to_a_file_outside_removes_its_document(
    service: AssistantService, library: Path, tmp_path: Path
) -> None:
    link = _link_outside(tmp_path, library / "notes" / "linked-note.md")
    service.index([library])
    assert "notes/linked-note.md" in {d.path for d in service.sources()}
    link.unlink()
    report = service.index([library])
    assert report.removed == 1
    assert _state(service) == _clean_state(library, tmp_path, "clean")


def test_a_single_symlinked_file_keeps_its_own_name_and_scope(
    service: AssistantService, library: Path, tmp_path: Path
) -> None:
    link = _link_outside(tmp_path, library / "shortcut.md")
    service.index([link])
    assert [d.path for d in service.sources()] == ["shortcut.md"]
    link.unlink()
    report = service.index([library])
    assert report.removed == 1
    assert "shortcut.md" not in {d.path for d in service.sources()}
