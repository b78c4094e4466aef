"""The `assistant` command as scripts use it: JSON contract and exit codes.

These run the real command in a subprocess, so they use the real embedding
model and a real Chroma folder in tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import run_cli

pytestmark = pytest.mark.model

INDEX_KEYS = {"added", "updated", "removed", "unchanged", "failed", "documents", "chunks", "seconds"}


def test_index_json_contract_and_rerun(library: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    index_dir = str(tmp_path / "ix")
    first = run_cli("index", str(library), "--index-dir", index_dir, "--json", env=cli_env)
    assert first.returncode == 0, first.stderr
    payload = json.loads(first.stdout)
    assert payload.keys() >= INDEX_KEYS
    assert payload["added"] == 6 and payload["failed"] == []
    assert payload["documents"] >= 45 and payload["chunks"] >= payload["documents"]

    second = run_cli("index", str(library), "--index-dir", index_dir, "--json", env=cli_env)
    again = json.loads(second.stdout)
    assert (again["added"], again["unchanged"], again["chunks"]) == (0, 6, payload["chunks"])

    status = json.loads(run_cli("status", "--json", "--index-dir", index_dir, env=cli_env).stdout)
    assert status["documents"] == payload["documents"] and status["chunks"] == payload["chunks"]
    assert status["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert status["index_path"] == index_dir and status["last_indexed"]

    listed = json.loads(run_cli("sources", "--json", "--index-dir", index_dir, env=cli_env).stdout)
    assert len(listed) == payload["documents"]
    assert {"title", "publisher", "date", "path", "url"} <= listed[0].keys()
    rows = [d["path"] for d in listed if "#row=" in d["path"]]
    assert rows[0].endswith("#row=1")


def test_partial_failure_exits_3_and_names_files(library: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    (library / "empty.md").write_text("")
    (library / "nocol.csv").write_text("a,b\n1,2\n")
    result = run_cli("index", str(library), "--index-dir", str(tmp_path / "ix"), "--json", env=cli_env)
    assert result.returncode == 3
    failed = {f["path"]: f["error"] for f in json.loads(result.stdout)["failed"]}
    assert failed == {"empty.md": "file is empty", "nocol.csv": failed["nocol.csv"]}
    assert "no text column" in failed["nocol.csv"]

    human = run_cli("index", str(library), "--index-dir", str(tmp_path / "ix"), env=cli_env)
    assert human.returncode == 3
    assert "empty.md: file is empty" in human.stderr


def test_usage_errors_exit_2(tmp_path: Path, cli_env: dict[str, str]) -> None:
    assert run_cli("index", "--no-such-flag", env=cli_env).returncode == 2
    missing = run_cli("index", str(tmp_path / "absent"), "--index-dir", str(tmp_path / "ix"), env=cli_env)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr


def test_exclude_leaves_files_out_and_refuses_to_empty_a_folder(
    library: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    index_dir = str(tmp_path / "ix")
    (library / "README.md").write_text("About this library: one file of each format, copied for tests.")
    first = run_cli("index", str(library), "--index-dir", index_dir, "--exclude", "/README.md", "--json", env=cli_env)
    assert first.returncode == 0, first.stderr
    payload = json.loads(first.stdout)
    assert payload["added"] == 6 and payload["excluded"] == [{"path": "README.md", "pattern": "/README.md"}]
    # Patterns given on the command line hold for that run: the second names both.
    human = run_cli(
        "index", str(library), "--index-dir", index_dir, "--exclude", "/README.md", "--exclude", "posts/", env=cli_env
    )
    assert human.returncode == 0, human.stderr
    assert "left out by exclusion patterns" in human.stdout and "posts/" in human.stdout
    listed = json.loads(run_cli("sources", "--json", "--index-dir", index_dir, env=cli_env).stdout)
    assert not any(d["path"].startswith("posts/") or d["path"] == "README.md" for d in listed)

    refused = run_cli("index", str(library), "--index-dir", index_dir, "--exclude", "*", "--json", env=cli_env)
    assert refused.returncode == 2 and "every document there is left out by '*' (--exclude)" in refused.stderr
    assert json.loads(run_cli("sources", "--json", "--index-dir", index_dir, env=cli_env).stdout) == listed
    bad = run_cli("index", str(library), "--index-dir", index_dir, "--exclude", "!README.md", env=cli_env)
    assert bad.returncode == 2 and "--exclude '!README.md'" in bad.stderr


def test_missing_index_is_an_error_with_a_hint(tmp_path: Path, cli_env: dict[str, str]) -> None:
    result = run_cli("sources", "--index-dir", str(tmp_path / "none"), env=cli_env)
    assert result.returncode == 1
    assert "assistant index" in result.stderr
    status = json.loads(run_cli("status", "--json", "--index-dir", str(tmp_path / "none"), env=cli_env).stdout)
    assert status["exists"] is False


def test_bad_config_is_exit_1(tmp_path: Path, cli_env: dict[str, str]) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("chunk_tokens = 5000\n")
    result = run_cli("status", env={**cli_env, "ASSISTANT_CONFIG": str(config)})
    assert result.returncode == 1 and "chunk_tokens" in result.stderr


def test_bare_index_reindexes_known_folders(library: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    index_dir = str(tmp_path / "ix")
    assert run_cli("index", str(library), "--index-dir", index_dir, env=cli_env).returncode == 0
    (library / "new.md").write_text("---\ntitle: New\n---\nThe Christchurch Call was launched in Paris in May 2019.")
    result = run_cli("index", "--index-dir", index_dir, "--json", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["added"] == 1


def test_python_dash_m_works(cli_env: dict[str, str]) -> None:
    result = run_cli("--help", env=cli_env)
    assert result.returncode == 0 and "index" in result.stdout


def test_fifty_megabyte_file_is_refused_by_default(library: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    huge = library / "huge-report.txt"
    with huge.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: refused before it is ever read
    result = run_cli("index", str(library), "--index-dir", str(tmp_path / "ix"), "--json", env=cli_env)
    assert result.returncode == 3
    payload = json.loads(result.stdout)
    assert [f["path"] for f in payload["failed"]] == ["huge-report.txt"]
    assert "52.4 MB, over the 32 MB limit" in payload["failed"][0]["error"]
    assert payload["added"] == 6
