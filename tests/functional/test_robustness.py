"""Crash safety, concurrent writers, readers during indexing, and zero network use."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from assistant.adapters.chroma_store import ChromaStore
from assistant.config import Settings
from assistant.errors import IndexNotFoundError
from assistant.ingest.locking import write_lock
from assistant.ingest.sources import source_key

from ..conftest import CORPUS, REPO, index_snapshot, run_cli, table

pytestmark = pytest.mark.model


def _start_index(corpus: Path, index_dir: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    full_env.update(env)
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "index", str(corpus), "--index-dir", str(index_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
    )


def _wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float = 120) -> bool:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            return False
        if needle in line:
            return True
    return False


@pytest.fixture
def big_library(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def test_kill_9_at_any_moment_then_rerun_equals_clean_run(
    big_library: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    clean_dir, crashed_dir = tmp_path / "clean", tmp_path / "crashed"
    clean = run_cli("index", str(big_library), "--index-dir", str(clean_dir), env=cli_env)
    assert clean.returncode == 0, clean.stderr
    expected = index_snapshot(clean_dir, cli_env)

    rng = random.Random(2)
    # Kill during start-up, mid-embedding and mid-write: after the Nth file
    # commits plus a random delay, so each kill lands somewhere different.
    for nth in (0, 2, 5, 9):
        proc = _start_index(big_library, crashed_dir, cli_env)
        if nth:
            for _ in range(nth):
                if not _wait_for_line(proc, "added"):
                    break
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)

    final = run_cli("index", str(big_library), "--index-dir", str(crashed_dir), "--json", env=cli_env)
    assert final.returncode == 0, final.stderr
    assert index_snapshot(crashed_dir, cli_env) == expected


def test_second_writer_gets_a_clear_message(library: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    settings = Settings(index_dir=tmp_path / "ix", lock_timeout=0)
    with write_lock(settings):
        result = run_cli("index", str(library), "--index-dir", str(tmp_path / "ix"), env=cli_env)
    assert result.returncode == 1
    assert "another `assistant index` is writing" in result.stderr
    after = run_cli("index", str(library), "--index-dir", str(tmp_path / "ix"), env=cli_env)
    assert after.returncode == 0, after.stderr


def test_second_writer_waits_when_asked(library: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    first = _start_index(library, tmp_path / "ix", cli_env)
    assert _wait_for_line(first, "indexing")
    second = run_cli("index", str(library), "--index-dir", str(tmp_path / "ix"), "--wait", "300", "--json", env=cli_env)
    first.wait(timeout=300)
    assert first.returncode == 0
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["unchanged"] == 6


def test_reads_work_while_indexing(big_library: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    index_dir = tmp_path / "ix"
    seed = run_cli("index", str(big_library / "notes"), "--index-dir", str(index_dir), env=cli_env)
    assert seed.returncode == 0
    writer = _start_index(big_library, index_dir, cli_env)
    assert _wait_for_line(writer, "added")
    status = run_cli("status", "--json", "--index-dir", str(index_dir), env=cli_env)
    listed = run_cli("sources", "--json", "--index-dir", str(index_dir), env=cli_env)
    writer.wait(timeout=300)
    assert status.returncode == 0 and json.loads(status.stdout)["documents"] > 0
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) > 0
    assert writer.returncode == 0


SOCKET_GUARD = """
import socket, os
_log = os.environ["NETWORK_ATTEMPTS_LOG"]
def _refuse(*args, **kwargs):
    with open(_log, "a") as fh:
        fh.write(repr(args[1:] if len(args) > 1 else args) + "\\n")
    raise OSError("network disabled by the test")
_real_connect = socket.socket.connect
def _connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        return _refuse(self, address)
    return _real_connect(self, address)
socket.socket.connect = _connect
socket.socket.connect_ex = _connect
socket.getaddrinfo = _refuse
socket.create_connection = _refuse
"""


def test_index_and_read_with_no_network(library: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(SOCKET_GUARD)
    attempts = tmp_path / "attempts.log"
    env = {
        **cli_env,
        "PYTHONPATH": str(guard),
        "NETWORK_ATTEMPTS_LOG": str(attempts),
        "HF_HUB_OFFLINE": "0",
        "HOME": str(tmp_path / "home"),
    }
    prefix: list[str] = []
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["unshare", "-n"]
    index_dir = str(tmp_path / "ix")
    for args in (
        ["index", str(library), "--index-dir", index_dir, "--json"],
        ["status", "--json", "--index-dir", index_dir],
        ["sources", "--json", "--index-dir", index_dir],
    ):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        full_env.update(env)
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "assistant", *args],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr
    assert not attempts.exists() or attempts.read_text() == "", f"network attempted: {attempts.read_text()}"


def _stored_chunks(index_dir: Path, source: Path) -> int:
    """Chunks of one source file in the store, committed or not (read from this process)."""
    store = ChromaStore(Settings(index_dir=index_dir))
    try:
        store.open_for_read()
    except IndexNotFoundError:
        return 0
    return len(store._col("chunks").get(where={"source": source_key(str(source.resolve()))}, include=[])["ids"])


def _kill_once_stored(
    proc: subprocess.Popen[str], index_dir: Path, source: Path, *, below: int, timeout: float = 600
) -> int:
    """kill -9 the run as soon as some, but not all, of `source`'s new chunks are stored.

    The count first has to fall below `below` (the old version cleared), then
    rise above zero (the first group of the new one written).
    """
    deadline = time.monotonic() + timeout
    cleared = below == 0
    while time.monotonic() < deadline and proc.poll() is None:
        count = _stored_chunks(index_dir, source)
        cleared = cleared or count < below
        if cleared and count > 0:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            return count
        time.sleep(0.2)
    proc.kill()
    proc.wait(timeout=60)
    pytest.fail("the run ended before it could be killed mid-write")


TABLE_ROWS = 1200


def test_kill_9_mid_replace_then_revert_is_redone(tmp_path: Path, cli_env: dict[str, str]) -> None:
    library = tmp_path / "library"
    (library / "posts").mkdir(parents=True)
    shutil.copy(CORPUS / "notes" / "gifct-founding-hash-database.md", library / "note.md")
    csv_file = library / "posts" / "mirrors.csv"
    original = table(TABLE_ROWS)
    csv_file.write_text(original)
    index_dir = tmp_path / "ix"
    first = run_cli("index", str(library), "--index-dir", str(index_dir), env=cli_env)
    assert first.returncode == 0, first.stderr
    clean = index_snapshot(index_dir, cli_env)
    assert sum(1 for p in clean[2] if p.startswith("posts/mirrors.csv#row=")) == TABLE_ROWS

    csv_file.write_text(original + f"p{TABLE_ROWS + 1},2020-01-01,@desk1,One more channel moved.\n")
    stored = _kill_once_stored(_start_index(library, index_dir, cli_env), index_dir, csv_file, below=TABLE_ROWS)
    assert 0 < stored <= TABLE_ROWS
    csv_file.write_text(original)
    final = run_cli("index", str(library), "--index-dir", str(index_dir), "--json", env=cli_env)
    assert final.returncode == 0, final.stderr
    report = json.loads(final.stdout)
    assert (report["unchanged"], report["updated"]) == (1, 1)
    assert index_snapshot(index_dir, cli_env) == clean


def test_kill_9_mid_add_leaves_no_ghost_chunks(tmp_path: Path, cli_env: dict[str, str]) -> None:
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(CORPUS / "notes" / "gifct-founding-hash-database.md", library / "note.md")
    index_dir = tmp_path / "ix"
    first = run_cli("index", str(library), "--index-dir", str(index_dir), env=cli_env)
    assert first.returncode == 0, first.stderr
    committed = index_snapshot(index_dir, cli_env)

    csv_file = library / "mirrors.csv"
    csv_file.write_text(table(TABLE_ROWS))
    _kill_once_stored(_start_index(library, index_dir, cli_env), index_dir, csv_file, below=0)
    # Read while the table's chunks are in the store with no commit marker.
    assert index_snapshot(index_dir, cli_env) == committed
    asked = run_cli("ask", "Which channel moved to mirror 700?", "--json", "--index-dir", str(index_dir), env=cli_env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert [h["path"] for h in answer["retrieved"] if h["path"].startswith("mirrors.csv")] == []

    csv_file.unlink()
    final = run_cli("index", str(library), "--index-dir", str(index_dir), env=cli_env)
    assert final.returncode == 0, final.stderr
    assert index_snapshot(index_dir, cli_env) == committed
    assert _stored_chunks(index_dir, csv_file) == 0


def _unprivileged() -> list[str] | None:
    """A command prefix under which `chmod 000` really blocks reading, or None."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    probe = subprocess.run([*prefix, sys.executable, "-c", "import assistant"], capture_output=True, cwd=REPO)
    return prefix if probe.returncode == 0 else None


def test_unreadable_folder_is_a_failure_and_keeps_its_documents(cli_env: dict[str, str]) -> None:
    prefix = _unprivileged()
    if prefix is None:
        pytest.skip("running as root and cannot drop to user nobody (setpriv), so chmod 000 would not block reading")
    # Not under tmp_path: pytest makes that readable by its own user only.
    workspace = Path(tempfile.mkdtemp(prefix="assistant-unreadable-"))
    workspace.chmod(0o777)
    library = workspace / "library"
    blocked = library / "sub"
    try:
        blocked.mkdir(parents=True)
        shutil.copy(CORPUS / "notes" / "gifct-founding-hash-database.md", library / "top.md")
        shutil.copy(CORPUS / "notes" / "twitter-suspension-waves-2016.md", blocked / "inner.md")
        (workspace / "config.toml").write_text("")
        env = {
            **cli_env,
            "ASSISTANT_CONFIG": str(workspace / "config.toml"),
            "XDG_CACHE_HOME": str(workspace / "cache"),
            "HOME": str(workspace),
        }
        index_dir = str(workspace / "ix")

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
            full_env.update(env)
            command = [*prefix, sys.executable, "-m", "assistant", *args, "--index-dir", index_dir]
            return subprocess.run(command, capture_output=True, text=True, env=full_env, cwd=REPO, timeout=600)

        def listed() -> list[str]:
            result = run("sources", "--json")
            assert result.returncode == 0, result.stderr
            return sorted(d["path"] for d in json.loads(result.stdout))

        first = run("index", str(library))
        assert first.returncode == 0, first.stderr
        assert listed() == ["sub/inner.md", "top.md"]
        blocked.chmod(0)
        second = run("index", str(library))
        assert second.returncode == 3, second.stderr
        assert "failed sub: cannot read folder (Permission denied)" in second.stderr
        assert "removed sub/inner.md" not in second.stderr
        assert listed() == ["sub/inner.md", "top.md"]
    finally:
        blocked.chmod(0o755)
        shutil.rmtree(workspace, ignore_errors=True)
