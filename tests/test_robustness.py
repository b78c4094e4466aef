"""Crash safety, concurrent writers, readers during indexing, and zero network use."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.locking import write_lock

from .conftest import CORPUS, run_cli

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


def _snapshot(index_dir: Path, env: dict[str, str]) -> tuple[int, int, list[str]]:
    status = json.loads(run_cli("status", "--json", "--index-dir", str(index_dir), env=env).stdout)
    listed = json.loads(run_cli("sources", "--json", "--index-dir", str(index_dir), env=env).stdout)
    return status["documents"], status["chunks"], sorted(d["path"] for d in listed)


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
    expected = _snapshot(clean_dir, cli_env)

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
    assert _snapshot(crashed_dir, cli_env) == expected


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
