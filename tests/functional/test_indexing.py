"""Incremental indexing into a real Chroma store in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.adapters.chroma_store import ChromaStore
from assistant.config import Settings
from assistant.errors import IndexMismatchError, IndexNotFoundError, UsageError
from assistant.ingest import exclusions, indexing
from assistant.service import AssistantService

from ..conftest import HashEmbedder, one_page_pdf


def _chunk_ids(settings: Settings) -> list[str]:
    store = ChromaStore(settings)
    store.open_for_read()
    return sorted(store._col("chunks").get(include=[])["ids"])


def _state(service: AssistantService) -> tuple[int, int, list[tuple[str, str, str]]]:
    status = service.status()
    docs = [(d.path, d.title, d.date) for d in service.sources()]
    return status.documents, status.chunks, docs


def test_first_index_counts_every_format(service: AssistantService, library: Path) -> None:
    report = service.index([library])
    assert report.failed == []
    assert report.added == 6 and report.updated == report.removed == report.unchanged == 0
    status = service.status()
    csv_rows = sum(1 for d in service.sources() if "#row=" in d.path)
    assert csv_rows >= 40
    assert status.documents == 5 + csv_rows
    assert status.chunks == report.chunks >= status.documents
    assert status.last_indexed is not None
    formats = {d.format for d in service.sources()}
    assert formats == {"markdown", "html", "pdf", "csv"}


def test_unchanged_files_cost_no_embedding(service: AssistantService, embedder: HashEmbedder, library: Path) -> None:
    service.index([library])
    calls, ids = embedder.texts, _chunk_ids(service.settings)
    report = service.index([library])
    assert embedder.texts == calls, "a no-op re-index embedded something"
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 6)
    assert _chunk_ids(service.settings) == ids


def test_changed_file_replaces_its_chunks(service: AssistantService, embedder: HashEmbedder, library: Path) -> None:
    service.index([library])
    note = library / "notes" / "gifct-founding-hash-database.md"
    before = {d.path: d for d in service.sources()}
    note.write_text(note.read_text().replace("---\n", "---\n", 1) + "\n\nA closing paragraph on transparency reports.")
    embedded_before = embedder.texts
    report = service.index([library])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 5)
    assert embedder.texts - embedded_before == report.chunks
    store = ChromaStore(service.settings)
    store.open_for_read()
    texts = store._col("chunks").get(where={"path": "notes/gifct-founding-hash-database.md"}, include=["documents"])
    assert any("closing paragraph on transparency" in t for t in texts["documents"] or [])
    assert len(texts["ids"]) == report.chunks
    assert {d.path for d in service.sources()} == set(before)


def test_shrinking_file_leaves_no_stale_chunks(service: AssistantService, library: Path) -> None:
    service.index([library])
    note = library / "notes" / "twitter-suspension-waves-2016.md"
    note.write_text("---\ntitle: Short now\n---\nTwitter suspended 125,000 accounts by February 2016.")
    service.index([library])
    store = ChromaStore(service.settings)
    store.open_for_read()
    got = store._col("chunks").get(where={"path": "notes/twitter-suspension-waves-2016.md"}, include=[])
    assert len(got["ids"]) == 1


def test_deleted_file_is_removed(service: AssistantService, library: Path) -> None:
    service.index([library])
    (library / "notes" / "gifct-founding-hash-database.md").unlink()
    report = service.index([library])
    assert report.removed == 1
    assert "notes/gifct-founding-hash-database.md" not in {d.path for d in service.sources()}
    assert not [i for i in _chunk_ids(service.settings) if "gifct" in i]


def test_indexing_one_folder_keeps_another(service: AssistantService, library: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "extra.md").write_text("---\ntitle: Extra\n---\nNetzDG entered into force in January 2018.")
    service.index([library])
    service.index([other])
    report = service.index([library])
    assert report.removed == 0
    assert "extra.md" in {d.path for d in service.sources()}


def test_file_then_folder_never_duplicates(service: AssistantService, library: Path) -> None:
    note = library / "notes" / "gifct-founding-hash-database.md"
    service.index([note])
    service.index([library])
    paths = [d.path for d in service.sources()]
    assert len(paths) == len(set(paths))
    assert sum(1 for p in paths if p.endswith("gifct-founding-hash-database.md")) == 1


def test_rebuild_starts_clean_with_same_ids(service: AssistantService, library: Path) -> None:
    service.index([library])
    ids = _chunk_ids(service.settings)
    report = service.index([library], rebuild=True)
    assert report.added == 6 and report.unchanged == 0
    assert _chunk_ids(service.settings) == ids


def test_failed_change_keeps_the_old_version(service: AssistantService, library: Path) -> None:
    service.index([library])
    posts = next((library / "posts").glob("*.csv"))
    rows_before = sum(1 for d in service.sources() if "#row=" in d.path)
    posts.write_text("id,count\n1,2\n")
    report = service.index([library])
    assert [f.path for f in report.failed] == [f"posts/{posts.name}"]
    assert "no text column" in report.failed[0].error
    assert sum(1 for d in service.sources() if "#row=" in d.path) == rows_before


def test_bad_files_fail_alone(service: AssistantService, library: Path) -> None:
    (library / "empty.md").write_text("")
    (library / "junk.txt").write_bytes(bytes(range(256)) * 10)
    (library / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    report = service.index([library])
    assert {f.path for f in report.failed} == {"empty.md", "junk.txt", "broken.pdf"}
    assert report.added == 6


def test_mismatched_settings_are_refused(settings: Settings, library: Path, embedder: HashEmbedder) -> None:
    AssistantService(settings, embedder=embedder).index([library])
    changed = settings.model_copy(update={"chunk_tokens": 120})
    with pytest.raises(IndexMismatchError, match="chunker") as info:
        AssistantService(changed, embedder=embedder).index([library])
    assert "--rebuild" in info.value.hint
    report = AssistantService(changed, embedder=embedder).index([library], rebuild=True)
    assert report.added == 6


def test_moved_root_updates_relative_paths(service: AssistantService, library: Path, tmp_path: Path) -> None:
    service.index([library])
    moved = tmp_path / "moved"
    shutil.copytree(library, moved)
    shutil.rmtree(library)
    service.index([moved])
    service.index([library.parent], rebuild=False)
    paths = [d.path for d in service.sources()]
    assert len(paths) == len(set(paths))


def test_paths_follow_the_root_given(service: AssistantService, library: Path) -> None:
    service.index([library / "notes"])
    assert "gifct-founding-hash-database.md" in {d.path for d in service.sources()}
    service.index([library])
    paths = {d.path for d in service.sources()}
    assert "notes/gifct-founding-hash-database.md" in paths
    assert "gifct-founding-hash-database.md" not in paths
    store = ChromaStore(service.settings)
    store.open_for_read()
    chunk_paths = {m["path"] for m in store._col("chunks").get(include=["metadatas"])["metadatas"] or []}
    assert "gifct-founding-hash-database.md" not in chunk_paths


def _write_posts(path: Path, rows: int, *, repeat_every: int = 0) -> list[str]:
    """A CSV of short posts, each distinct unless `repeat_every` makes every n-th repeat the first."""
    texts = []
    for number in range(1, rows + 1):
        if repeat_every and number % repeat_every == 0:
            texts.append(texts[0])
        else:
            texts.append(f"Post {number} shares channel {number % 97} propaganda with group {number % 13} today.")
    lines = ["date,author,text"] + [f"2019-03-{1 + n % 28:02d},user{n % 50},{t}" for n, t in enumerate(texts)]
    path.write_text("\n".join(lines) + "\n")
    return texts


@pytest.fixture
def table_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder for one table, with spool groups small enough that a few thousand rows pass through several."""
    monkeypatch.setattr(indexing, "SPOOL_GROUP", 600)
    folder = tmp_path / "table"
    folder.mkdir()
    return folder


def test_large_table_indexes_every_row_once(service: AssistantService, table_dir: Path) -> None:
    library = table_dir
    texts = _write_posts(library / "posts.csv", 3000)
    report = service.index([library])
    assert report.failed == [] and report.documents == report.chunks == 3000
    documents = service.sources()
    assert [d.path for d in documents] == [f"posts.csv#row={n}" for n in range(1, 3001)]
    assert all(d.format == "csv" and d.chunks == 1 for d in documents)
    assert service.document_text("posts.csv#row=2500") == texts[2499]
    ids = _chunk_ids(service.settings)
    again = service.index([library])
    assert (again.unchanged, again.added, again.updated) == (1, 0, 0)
    assert _chunk_ids(service.settings) == ids
    assert [d.path for d in service.sources()] == [d.path for d in documents]


def test_large_table_broken_late_keeps_the_old_version(service: AssistantService, table_dir: Path) -> None:
    library = table_dir
    posts = library / "posts.csv"
    _write_posts(posts, 2000)
    service.index([library])
    before = _state(service)
    # Well past the first spooled groups, a quote opens and never closes.
    posts.write_text(posts.read_text() + '2019-04-01,user1,"an unterminated quote\n' + "x," * 200_000)
    report = service.index([library])
    assert [f.path for f in report.failed] == ["posts.csv"]
    assert _state(service) == before


def test_repeated_rows_are_embedded_once(service: AssistantService, embedder: HashEmbedder, table_dir: Path) -> None:
    library = table_dir
    _write_posts(library / "posts.csv", 1200, repeat_every=4)
    report = service.index([library])
    assert report.documents == report.chunks == 1200
    assert embedder.texts == 900
    store = ChromaStore(service.settings)
    store.open_for_read()
    got = store._col("chunks").get(
        where={"path": {"$in": ["posts.csv#row=1", "posts.csv#row=4"]}}, include=["embeddings"]
    )
    vectors = got["embeddings"]
    assert vectors is not None and len(vectors) == 2
    assert float(vectors[0] @ vectors[1]) == pytest.approx(1.0, abs=1e-5)


def test_reading_a_missing_index_says_so(service: AssistantService) -> None:
    assert service.status().exists is False
    with pytest.raises(IndexNotFoundError):
        service.sources()


def test_a_pdfs_lost_ligatures_are_repaired_when_it_is_indexed(service: AssistantService, tmp_path: Path) -> None:
    # A font that draws "ff", "fi" and "tf" as one glyph leaves a NUL in the extracted text.
    library = tmp_path / "lost"
    library.mkdir()
    (library / "assessment.pdf").write_bytes(
        one_page_pdf(b"The e\\000ort to \\000nd o\\000ensive posts on the pla\\000orm was signi\\000cant.")
    )
    report = service.index([library])
    assert report.failed == []
    text = service.document_text("assessment.pdf")
    assert text == "The effort to find offensive posts on the platform was significant."
    # Search finds the words as written.
    hits = service.retrieve("significant effort platform", mode="bm25").hits
    assert hits and "significant" in hits[0].text


def test_an_excluded_file_leaves_the_index_and_stays_out(service: AssistantService, library: Path) -> None:
    service.index([library])
    note = "notes/gifct-founding-hash-database.md"
    report = service.index([library], exclude=exclusions.parse([Path(note).name], "--exclude"))
    assert report.removed == 1 and [(e.path, e.error) for e in report.excluded] == [(note, Path(note).name)]
    assert note not in {d.path for d in service.sources()}
    assert not [i for i in _chunk_ids(service.settings) if "gifct" in i]
    # Kept in the folder's ignore file, the pattern holds for every later run, as for the TUI's re-index.
    (library / exclusions.IGNORE_FILE).write_text("notes/gifct-*\n")
    again = service.index(service.indexed_roots())
    assert (again.added, again.removed) == (0, 0)
    assert note not in {d.path for d in service.sources()}
    # Taking the pattern away brings the file back.
    (library / exclusions.IGNORE_FILE).unlink()
    assert service.index([library]).added == 1


def test_patterns_that_would_empty_a_folder_change_nothing(service: AssistantService, library: Path) -> None:
    service.index([library])
    before = _state(service), _chunk_ids(service.settings)
    with pytest.raises(UsageError, match="every document there is left out"):
        service.index([library], exclude=exclusions.parse(["notes/", "web/", "reports/", "posts/"], "--exclude"))
    assert (_state(service), _chunk_ids(service.settings)) == before


def test_a_documents_author_is_a_word_the_library_knows(service: AssistantService, tmp_path: Path) -> None:
    # A blog post rarely names its own author in its text; the analyst still asks for her by name.
    folder = tmp_path / "blog"
    folder.mkdir()
    (folder / "moderation.md").write_text(
        '---\ntitle: "Moderating a forum"\nauthor: "Marisol Quenby"\n---\n'
        "Forum moderators removed threads that praised the attack within hours.\n"
    )
    (folder / "other.md").write_text(
        '---\ntitle: "Another forum"\nauthor: "Tobias Renn"\n---\n'
        "Forum moderators on another board left threads that praised the attack online for days.\n"
    )
    service.index([folder])
    retrieval = service.retrieve("What did Marisol Quenby write about forum moderators?", mode="bm25")
    assert "quenby" not in retrieval.unknown_terms and "marisol" not in retrieval.unknown_terms
    assert retrieval.hits[0].document.path == "moderation.md"
    answer = service.ask("What did Marisol Quenby write about forum moderators?", mode="bm25")
    assert "no indexed document mentions" not in answer.note
