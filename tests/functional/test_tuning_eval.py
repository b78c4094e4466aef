"""`assistant eval` records the tuning that produced its numbers, and uses the tuning it was given.

The index is built with the fast hashing embedder (real Chroma, real BM25);
the command itself runs as a real subprocess with its own query model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.service import AssistantService
from assistant.tuning import DEFAULTS, AnswerTuning, RetrievalTuning, Tuning

from ..conftest import HashEmbedder, run_cli

pytestmark = pytest.mark.model


def test_eval_json_records_the_tuning_it_ran_with(
    library: Path, tmp_path: Path, env_dir: Path, cli_env: dict[str, str]
) -> None:
    index_dir = tmp_path / "index"
    report = AssistantService(Settings(index_dir=index_dir, lock_timeout=0), embedder=HashEmbedder()).index([library])
    assert report.failed == []
    questions = tmp_path / "questions.jsonl"
    row = {
        "id": "q1",
        "type": "factoid",
        "question": "how did the shared hash database of terrorist content start?",
        "gold_docs": ["notes/gifct-founding-hash-database.md"],
        "key_facts": [],
    }
    questions.write_text(json.dumps(row) + "\n")
    (env_dir / "config.toml").write_text("[tuning.retrieval]\nrrf_k = 30\n")
    # Thresholds of nothing: whatever is retrieved covers the question.
    env = {**cli_env, "ASSISTANT_TUNING__ANSWER__MIN_SIMILARITY": "0", "ASSISTANT_TUNING__ANSWER__MIN_OVERLAP": "0"}
    expected = Tuning(retrieval=RetrievalTuning(rrf_k=30), answer=AnswerTuning(min_similarity=0.0, min_overlap=0.0))

    result = run_cli("eval", str(questions), "--json", "--index-dir", str(index_dir), env=env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["tuning"] == expected.as_json()
    assert payload["tuning_fingerprint"] == expected.fingerprint() != DEFAULTS.fingerprint()
    assert [q["status"] for q in payload["questions"]] == ["answered"]

    plain = run_cli("eval", str(questions), "--index-dir", str(index_dir), env=env)
    assert plain.returncode == 0, plain.stderr
    assert f"tuning {expected.fingerprint()} (changed from the defaults" in plain.stdout
