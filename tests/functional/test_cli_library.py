"""The `assistant` command on the whole demo corpus, as an analyst runs it day to day.

The audit trail of plain questions and briefs, `sources` on a library with a
table file, one entry per cited source, output in a pipe, and questions that
are refused before any search. Real subprocesses, the real model and a real
Chroma folder.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import __version__

from ..conftest import CORPUS, run_cli

pytestmark = pytest.mark.model

LONG = "an-archive-folder-with-a-deliberately-long-name-to-test-how-tables-behave-in-pipes"
LONG_NOTE = f"notes/{LONG}-about-the-christchurch-call-commitments.md"
LONG_TITLE = "The Christchurch Call commitments as signed in Paris by governments and technology companies in May 2019"
CENSUS = "What did the ISIS Twitter Census count, and who wrote it?"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str], str]]:
    """The demo corpus (plus one long-named note) indexed once under a long path: (index, env, index output)."""
    root = tmp_path_factory.mktemp("library") / LONG
    shutil.copytree(CORPUS, root / "corpus")
    (root / "corpus" / LONG_NOTE).write_text(
        f"---\ntitle: {LONG_TITLE}\npublisher: Desk of the Archive\ndate: 2019-05-16\n---\n"
        "Governments and technology companies signed the Christchurch Call in Paris on 15 May 2019.\n"
    )
    (root / "config.toml").write_text("")
    env = {"ASSISTANT_CONFIG": str(root / "config.toml"), "XDG_CACHE_HOME": str(root / "cache")}
    result = run_cli("index", str(root / "corpus"), "--index-dir", str(root / f"index-{LONG}"), env=env)
    assert result.returncode == 0, result.stderr
    yield root / f"index-{LONG}", env, result.stdout


@pytest.fixture
def index(indexed: tuple[Path, dict[str, str], str], tmp_path: Path) -> str:
    """A private copy of the index, so each test starts with an empty audit trail."""
    copy = tmp_path / f"index-{LONG}"
    shutil.copytree(indexed[0], copy)
    return str(copy)


@pytest.fixture
def env(indexed: tuple[Path, dict[str, str], str]) -> dict[str, str]:
    return indexed[1]


def _history(index: str, env: dict[str, str], *args: str) -> list[dict[str, object]]:
    result = run_cli("history", "--json", "--index-dir", index, *args, env=env)
    assert result.returncode == 0, result.stderr
    records: list[dict[str, object]] = json.loads(result.stdout)
    return records


# --- the audit trail -------------------------------------------------------------------------


def test_plain_questions_and_briefs_are_kept_in_the_audit_trail(index: str, env: dict[str, str]) -> None:
    human = run_cli("ask", CENSUS, "--index-dir", index, "--source", "brookings", env=env)
    assert human.returncode == 0, human.stderr
    scripted = run_cli("ask", "How did Gab lose its hosting after Pittsburgh?", "--json", "--index-dir", index, env=env)
    assert scripted.returncode == 0, scripted.stderr
    uncovered = run_cli("ask", "What did the Zorblax Institute conclude?", "--index-dir", index, env=env)
    assert uncovered.returncode == 0, uncovered.stderr
    brief = run_cli("brief", "Gab after Pittsburgh", "--index-dir", index, env=env)
    assert brief.returncode == 0, brief.stderr

    records = _history(index, env)
    assert [r["question"] for r in records] == [
        CENSUS,
        "How did Gab lose its hosting after Pittsburgh?",
        "What did the Zorblax Institute conclude?",
        "/brief Gab after Pittsburgh",
    ]
    assert [r["status"] for r in records] == ["answered", "answered", "not_covered", "answered"]
    daily = str(records[0]["conversation"])
    assert daily.startswith("cli-20") and {r["conversation"] for r in records} == {daily}
    first = records[0]
    assert first["filters"] == {"source": "brookings"} and first["backend"] == "extractive"
    state = first["index_state"]
    assert isinstance(state, dict) and state["documents"] >= 96
    answer = json.loads(scripted.stdout)
    assert records[1]["answer"] == answer["answer"]
    assert [c["quote"] for c in records[1]["citations"]] == [c["quote"] for c in answer["citations"]]  # type: ignore[union-attr]
    assert "question" in answer and "rewritten_question" not in answer, "the JSON of a plain ask is unchanged"
    listed = run_cli("history", "--index-dir", index, env=env)
    assert CENSUS in listed.stdout and daily in listed.stdout


def test_the_audit_can_be_switched_off_and_history_says_so(index: str, env: dict[str, str]) -> None:
    assert run_cli("ask", CENSUS, "--no-audit", "--index-dir", index, env=env).returncode == 0
    assert (
        run_cli("brief", "Gab after Pittsburgh", "--no-audit", "--json", "--index-dir", index, env=env).returncode == 0
    )
    off = {**env, "ASSISTANT_AUDIT": "false"}
    assert run_cli("ask", CENSUS, "--session", "desk", "--index-dir", index, env=off).returncode == 0
    assert _history(index, env) == []
    result = run_cli("history", "--index-dir", index, env=off)
    assert result.returncode == 0 and "audit trail is off" in result.stderr
    assert "audit trail is off" not in run_cli("history", "--index-dir", index, env=env).stderr


def test_history_filters_by_session_day_and_count(index: str, env: dict[str, str]) -> None:
    for question, session in ((CENSUS, None), ("and Telegram?", "desk"), ("Why was Gab dropped?", None)):
        extra = ("--session", session) if session else ()
        assert run_cli("ask", question, *extra, "--json", "--index-dir", index, env=env).returncode == 0
    everything = _history(index, env)
    assert len(everything) == 3
    assert [r["question"] for r in _history(index, env, "--limit", "2")] == ["and Telegram?", "Why was Gab dropped?"]
    assert [r["question"] for r in _history(index, env, "--session", "desk")] == ["and Telegram?"]
    today = str(everything[0]["asked_at"])[:10]
    assert len(_history(index, env, "--since", today)) == 3
    assert _history(index, env, "--since", "2999-01-01") == []
    bad = run_cli("history", "--since", "yesterday", "--index-dir", index, env=env)
    assert bad.returncode == 2 and "not a date" in bad.stderr


# --- sources ---------------------------------------------------------------------------------


def test_sources_folds_table_records_into_one_line_per_file(index: str, env: dict[str, str]) -> None:
    everything = json.loads(run_cli("sources", "--json", "--index-dir", index, env=env).stdout)
    records = [d for d in everything if d["path"].startswith("posts/monitoring-posts-2014-2024.csv#row=")]
    assert len(records) > 50 and len(everything) == len(records) + sum(
        1 for d in everything if "#row=" not in d["path"]
    )
    assert {d["publisher"] for d in records} >= {"Twitter", "Mastodon"}, "the platform column is the publisher"

    grouped = run_cli("sources", "--index-dir", index, env=env).stdout
    assert f"monitoring-posts-2014-2024.csv — {len(records)} records" in grouped
    assert "#row=" not in grouped
    assert grouped.count("\n") < len(everything) - len(records) + 15
    listed = run_cli("sources", "--records", "--index-dir", index, env=env).stdout
    assert listed.count("#row=") == len(records)


def test_sources_filters_and_limits(index: str, env: dict[str, str]) -> None:
    def paths(*args: str) -> list[str]:
        result = run_cli("sources", "--json", "--index-dir", index, *args, env=env)
        assert result.returncode == 0, result.stderr
        return [d["path"] for d in json.loads(result.stdout)]

    everything = paths()
    mastodon = paths("--source", "MASTODON")
    assert mastodon and all(p.startswith("posts/") for p in mastodon)
    in_2019 = json.loads(
        run_cli("sources", "--json", "--since", "2019", "--until", "2019", "--index-dir", index, env=env).stdout
    )
    assert in_2019 and all(d["date"].startswith("2019") for d in in_2019)
    assert len(in_2019) < len(everything)
    assert paths("--language", "xx") == []
    assert len(paths("--language", "en")) > len(everything) // 2
    assert paths("--limit", "3") == everything[:3]
    human = run_cli("sources", "--limit", "2", "--records", "--index-dir", index, env=env)
    assert f"{len(everything) - 2:,} more lines not shown" in human.stdout
    assert run_cli("sources", "--since", "spring", "--index-dir", index, env=env).returncode == 2


# --- an answer's sources -----------------------------------------------------------------------


def test_a_cited_document_is_listed_once_with_its_sentence_numbers(index: str, env: dict[str, str]) -> None:
    as_json = run_cli("ask", CENSUS, "--json", "--index-dir", index, env=env)
    citations = json.loads(as_json.stdout)["citations"]
    census = [c["n"] for c in citations if c["path"] == "notes/isis-twitter-census-2015.md"]
    assert len(census) >= 2, "the census note answers more than one sentence"
    human = run_cli("ask", CENSUS, "--index-dir", index, env=env).stdout
    sources = human.split("\nSources\n", 1)[1]
    headers = [line for line in sources.splitlines() if "· notes/isis-twitter-census-2015.md" in line]
    assert headers == [headers[0]] and headers[0].startswith("[" + ", ".join(map(str, census)) + "] ")
    for n in census:
        assert f"    [{n}] " in sources
    paths = {c["path"] for c in citations}
    assert sum(line.startswith("[") for line in sources.splitlines()) == len(paths)


# --- pipes -----------------------------------------------------------------------------------


def test_piped_tables_are_never_cut(indexed: tuple[Path, dict[str, str], str], index: str, env: dict[str, str]) -> None:
    long_question = "Which governments and technology companies signed the Christchurch Call in Paris in May 2019, " * 3
    assert run_cli("ask", long_question.strip(), "--index-dir", index, env=env).returncode == 0
    outputs = {
        "index": indexed[2],
        "status": run_cli("status", "--index-dir", index, env=env).stdout,
        "sources": run_cli("sources", "--index-dir", index, env=env).stdout,
        "history": run_cli("history", "--index-dir", index, env=env).stdout,
    }
    for command, text in outputs.items():
        assert "…" not in text, f"{command} cut text to fit the pipe"
    assert "unchanged" in outputs["index"]
    assert index in outputs["status"]
    assert LONG_TITLE in outputs["sources"] and LONG_NOTE in outputs["sources"]
    assert long_question.strip() in outputs["history"]


# --- bad questions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "is empty"), ("?!?.,;:--!!", "only punctuation"), ("w" * 2001, "the limit is 2,000")],
    ids=["empty", "punctuation", "too-long"],
)
def test_unsearchable_questions_are_usage_errors_before_any_search(
    tmp_path: Path, env: dict[str, str], question: str, message: str
) -> None:
    missing = str(tmp_path / "no-index")
    for command in (("ask", question), ("ask", question, "--json", "--session", "desk"), ("brief", question)):
        result = run_cli(*command, "--index-dir", missing, env=env)
        assert result.returncode == 2, (command, result.stderr)
        assert message in result.stderr and "assistant index" not in result.stderr
    assert not Path(missing).exists(), "nothing was opened or recorded"


def test_version(env: dict[str, str]) -> None:
    result = run_cli("--version", env=env)
    assert result.returncode == 0 and result.stdout.strip() == f"assistant {__version__}"
