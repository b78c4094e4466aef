"""Failures of the store and its disk: each is a named error with a next step, never a traceback.

Covered here: a disk that fills up during a build (a real tmpfs), a
damaged Chroma database or vector segment, an index with no chunks, a
malformed BM25 table, and the lock shared by every spelling of one server.
A Chroma server killed mid-run is in test_server.py.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import EmptyIndexError, IndexDamagedError
from assistant.search.lexical import LexicalIndex, lexical_dir
from assistant.service import AssistantService
from assistant.tui.app import BriefingApp
from assistant.tui.widgets import QuestionInput, TurnView

from ..conftest import CORPUS, HashEmbedder, index_snapshot, run_cli


def _mount_tmpfs(target: Path, size: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip() or 'mount failed'})")


# The demo corpus indexes to about 3.3 MB and its web folder alone to about 0.75 MB,
# so 1.5 MB holds the folder with room to spare and fails the whole corpus by far.
# Margins this wide keep the test off the edge where a few kilobytes of SQLite
# growth decide whether the disk fills before or after a commit.
SMALL_DISK = "1536k"


@pytest.mark.model
@pytest.mark.slow
def test_disk_full_names_the_cause_keeps_what_was_indexed_and_the_next_run_finishes(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    small = tmp_path / "small-disk"
    _mount_tmpfs(small, SMALL_DISK)
    corpus = tmp_path / "corpus"
    try:
        # A first build that cannot fit: the cause and the next step, no traceback.
        first = run_cli("index", str(CORPUS), "--index-dir", str(small / "first"), env=cli_env)
        assert first.returncode == 1, first.stdout + first.stderr
        assert "No space left on device" in first.stderr and "Traceback" not in first.stderr
        assert "Free some space" in first.stderr
        shutil.rmtree(small / "first")

        # An index that fits, then a run that adds more than the disk holds. All
        # new files go in one embedding batch, so the disk fills before any of
        # them commits; the files committed by the earlier run must survive.
        corpus.mkdir()
        shutil.copytree(CORPUS / "web", corpus / "web")
        index_dir = small / "index"
        fits = run_cli("index", str(corpus), "--index-dir", str(index_dir), "--json", env=cli_env)
        assert fits.returncode == 0, fits.stderr
        kept = json.loads(fits.stdout)["added"]
        assert kept > 0
        shutil.copytree(CORPUS, corpus, dirs_exist_ok=True)
        full = run_cli("index", str(corpus), "--index-dir", str(index_dir), env=cli_env)
        assert full.returncode == 1, full.stdout + full.stderr
        assert "No space left on device" in full.stderr and "Traceback" not in full.stderr

        # While the disk is still full, status either reads the index or says why it cannot.
        status = run_cli("status", "--index-dir", str(index_dir), env=cli_env)
        assert "Traceback" not in status.stderr
        assert status.returncode == 0 or "No space left on device" in status.stderr

        subprocess.run(["mount", "-o", "remount,size=64m", str(small)], check=True)
        again = run_cli("index", str(corpus), "--index-dir", str(index_dir), "--json", env=cli_env)
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["unchanged"] == kept, "files committed before the disk filled are kept"
        got = index_snapshot(index_dir, cli_env)
    finally:
        subprocess.run(["umount", "-l", str(small)], capture_output=True)

    clean_dir = tmp_path / "clean"
    clean = run_cli("index", str(corpus), "--index-dir", str(clean_dir), env=cli_env)
    assert clean.returncode == 0, clean.stderr
    assert got == index_snapshot(clean_dir, cli_env)


@pytest.fixture
def built(service: AssistantService, library: Path) -> AssistantService:
    report = service.index([library])
    assert report.failed == [] and report.chunks > 0
    return service


def _damaged_messages(index_dir: Path, env: dict[str, str], *commands: list[str]) -> list[str]:
    texts = []
    for command in commands:
        result = run_cli(*command, "--index-dir", str(index_dir), env=env)
        assert result.returncode == 1, f"{command}: {result.stdout}"
        assert "Traceback" not in result.stderr, result.stderr
        assert f"the index at {index_dir} is damaged" in result.stderr, result.stderr
        assert "--rebuild" in result.stderr and f"delete the folder {index_dir}" in result.stderr
        texts.append(result.stderr)
    return texts


# Different damage fails in different places: in SQLite through Chroma's Python side, or as a panic of
# its Rust core, which Python raises as a BaseException that `except Exception` does not catch.
@pytest.mark.parametrize("seed", [7, 8, 9])
def test_random_bytes_in_the_database_are_a_named_error(
    built: AssistantService, cli_env: dict[str, str], seed: int
) -> None:
    index_dir = Path(built.settings.index_dir)
    database = index_dir / "chroma.sqlite3"
    data = bytearray(database.read_bytes())
    rng = random.Random(seed)
    # The header stays, so it is still "a database", only a damaged one.
    for position in range(len(data) // 10, len(data) * 9 // 10):
        data[position] = rng.randrange(256)
    database.write_bytes(bytes(data))
    _damaged_messages(index_dir, cli_env, ["ask", "Who founded the GIFCT?"], ["sources"])


class PanicException(BaseException):
    """Stands in for pyo3's panic type, which Python code cannot import."""


def test_a_panic_of_chromas_core_is_a_damaged_index_and_an_interrupt_stays_an_interrupt(
    built: AssistantService,
) -> None:
    store = built._store()
    store.open_for_read()
    failure = store.failure(PanicException("Expect it to be fetched: database disk image is malformed"))
    assert failure is not None and "is damaged" in str(failure)
    chunks = store._col("chunks")

    def interrupted(*_: Any, **__: Any) -> None:
        raise KeyboardInterrupt

    def panicked(*_: Any, **__: Any) -> None:
        raise PanicException("database disk image is malformed")

    with pytest.raises(KeyboardInterrupt):
        chunks._wrap(interrupted)()
    with pytest.raises(IndexDamagedError):
        chunks._wrap(panicked)()


def test_empty_vector_segment_file_is_a_named_error_and_rebuild_repairs_it(
    built: AssistantService, library: Path, cli_env: dict[str, str]
) -> None:
    index_dir = Path(built.settings.index_dir)
    # What a write cut short by a full disk leaves: the chunk segment's metadata file at 0 bytes.
    segment = max(index_dir.glob("*/data_level0.bin"), key=lambda p: p.stat().st_size).parent
    (segment / "index_metadata.pickle").write_bytes(b"")
    texts = _damaged_messages(index_dir, cli_env, ["status"], ["status", "--json"], ["ask", "Who founded the GIFCT?"])
    assert all("Error deserializing pickle file" in text for text in texts)

    fresh = AssistantService(built.settings, embedder=HashEmbedder())
    fresh.index([library], rebuild=True)
    status = run_cli("status", "--json", "--index-dir", str(index_dir), env=cli_env)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["chunks"] > 0


@pytest.fixture
def unreadable(tmp_path: Path) -> Path:
    """A folder where every file fails: one empty, one binary behind a text extension."""
    folder = tmp_path / "unreadable"
    folder.mkdir()
    (folder / "empty.md").write_text("")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    return folder


def test_index_of_only_failing_files_is_an_empty_index(service: AssistantService, unreadable: Path) -> None:
    report = service.index([unreadable])
    assert sorted(f.path for f in report.failed) == ["binary.txt", "empty.md"]
    assert service.status().exists and service.status().chunks == 0
    with pytest.raises(EmptyIndexError, match="no documents yet") as caught:
        service.ask("What did the platforms remove?")
    assert "assistant index" in caught.value.hint
    with pytest.raises(EmptyIndexError):
        service.brief("platform responses")
    assert service.lexical().rows == []


def test_cli_on_an_empty_index_reports_instead_of_crashing(
    tmp_path: Path, unreadable: Path, cli_env: dict[str, str]
) -> None:
    index_dir = str(tmp_path / "index")
    indexed = run_cli("index", str(unreadable), "--index-dir", index_dir, env=cli_env)
    assert indexed.returncode == 3, indexed.stderr
    assert "failed empty.md" in indexed.stderr and "failed binary.txt" in indexed.stderr
    assert "Traceback" not in indexed.stderr
    for command in (["ask", "What did the platforms remove?"], ["brief", "platform responses"]):
        result = run_cli(*command, "--index-dir", index_dir, env=cli_env)
        assert result.returncode == 1, result.stdout
        assert "has no documents yet" in result.stderr and "assistant index PATH" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_chat_on_an_empty_index_shows_the_message(
    service: AssistantService, unreadable: Path, tmp_path: Path
) -> None:
    from assistant.conversation.store import ConversationStore

    service.index([unreadable])
    app = BriefingApp(service.settings, service=service, store=ConversationStore(tmp_path / "c.sqlite3"))
    async with app.run_test(size=(110, 36), notifications=True) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        field = app.query_one(QuestionInput)
        field.focus()
        field.value = "What did the platforms remove?"
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        turn = list(app.chat.query(TurnView))[-1].turn
        assert turn is not None and turn.status == "error"
        assert "has no documents yet" in turn.answer
        assert app.is_running


MALFORMED: dict[str, Any] = {
    "rows is a dict": lambda meta: {**meta, "rows": {"a": 1}},
    "a short row": lambda meta: {**meta, "rows": [row[:3] for row in meta["rows"]]},
    "a number where text belongs": lambda meta: {**meta, "rows": [[1, *row[1:]] for row in meta["rows"]]},
    "text where the date number belongs": lambda meta: {**meta, "rows": [[*row[:4], "x"] for row in meta["rows"]]},
    "fewer rows than the BM25 model": lambda meta: {**meta, "rows": meta["rows"][:-1]},
    "a list at the top": lambda meta: [meta],
    "no stamp": lambda meta: {k: v for k, v in meta.items() if k != "stamp"},
    "rows is null": lambda meta: {**meta, "rows": None},
}


@pytest.mark.parametrize("damage", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_bm25_table_is_rebuilt(built: AssistantService, damage: str) -> None:
    folder = lexical_dir(built.settings)
    chunks = built.status().chunks
    table = folder / "rows.json"
    table.write_text(json.dumps(MALFORMED[damage](json.loads(table.read_text()))))
    assert LexicalIndex.load(folder) is None

    rebuilt = AssistantService(built.settings, embedder=HashEmbedder()).lexical()
    assert len(rebuilt.rows) == chunks
    assert rebuilt.search(["christchurch"], 5)
    assert LexicalIndex.load(folder) is not None


def test_bm25_table_that_is_not_json_or_has_no_model_is_rebuilt(built: AssistantService) -> None:
    folder = lexical_dir(built.settings)
    shutil.rmtree(folder / "bm25")
    assert LexicalIndex.load(folder) is None
    (folder / "rows.json").write_bytes(b"\x00\xff not json")
    assert LexicalIndex.load(folder) is None
    assert len(AssistantService(built.settings, embedder=HashEmbedder()).lexical().rows) == built.status().chunks
