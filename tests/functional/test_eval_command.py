"""`assistant eval` end to end: follow-ups asked as conversations, splits, passage recall, per-question detail.

The corpus and questions are made up for this test; the real model and a real Chroma index are used.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.config import Settings
from assistant.conversation.store import default_store_path

from ..conftest import build_index, run_cli

pytestmark = pytest.mark.model

PIER = """---
title: Portmere harbour works
publisher: Coastal Desk
date: 2011-06-02
---
The Portmere Harbour Board closed the eastern pier for eleven weeks in 2011 to replace its timber deck.
The board said storms in the previous winter had split more than 300 planks.
Ferries moved to the west quay while the work went on, and fares stayed the same.
"""

LIGHTHOUSE = """---
title: A new lamp for Gull Point
publisher: Coastal Desk
date: 2014-09-12
---
The Gull Point lighthouse received an electric lamp in 2014, ending a century of oil lamps.
Its keeper, Mara Lindqvist, retired the same year after thirty years at the point.
"""

MARKET = """---
title: Fish market moves inland
publisher: Coastal Desk
date: 2016-03-20
---
The Portmere fish market left the waterfront in 2016 for a larger hall beside the ring road.
Traders had asked for cold storage, which the old sheds could not hold.
"""


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder) -> Settings:
    root = tmp_path_factory.mktemp("eval-command")
    source = root / "source"
    for name, text in (("pier.md", PIER), ("lighthouse.md", LIGHTHOUSE), ("market.md", MARKET)):
        (source / "notes").mkdir(parents=True, exist_ok=True)
        (source / "notes" / name).write_text(text)
    settings, _ = build_index(root / "built", real_embedder, source=source)
    return settings


FOLLOW_UP = ["What did the Portmere Harbour Board close in 2011?", "Why did it close it?"]


def test_eval_asks_follow_ups_as_a_conversation_and_reports_splits_and_passages(
    indexed: Settings, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    rows = [
        {
            "id": "p1",
            "type": "factoid",
            "split": "tune",
            "question": "Who kept the Gull Point lighthouse before it got an electric lamp?",
            "gold_docs": ["notes/lighthouse.md"],
            "key_facts": ["Mara Lindqvist"],
            "evidence": ["Its keeper, Mara Lindqvist, retired the same year"],
        },
        {
            "id": "p2",
            "type": "followup",
            "split": "check",
            "question": FOLLOW_UP,
            "gold_docs": ["notes/pier.md"],
            "key_facts": ["storms split more than 300 planks"],
            "evidence": ["storms in the previous winter had split more than 300 planks"],
        },
        {
            "id": "p3",
            "type": "unanswerable",
            "split": "check",
            "question": "How much did the Portmere tram network cost to build in 1995?",
            "gold_docs": [],
            "key_facts": [],
        },
    ]
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    index_dir = str(indexed.index_dir)

    result = run_cli("eval", str(questions), "--json", "--index-dir", index_dir, env=cli_env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)

    # Measuring keeps no record: the conversation store beside the index is never created.
    assert not default_store_path(indexed).exists()

    overall = payload["summary"]["overall"]
    assert overall["questions"] == 3 and overall["with_evidence"] == 2
    assert {"evidence@1", "evidence@3", "evidence@10", "median_answer_chars"} <= set(overall)
    assert list(payload["splits"]) == ["tune", "check"]
    assert set(payload["splits"]["tune"]) == {"factoid", "overall"}
    assert set(payload["splits"]["check"]) == {"followup", "unanswerable", "overall"}
    assert payload["splits"]["check"]["overall"]["questions"] == 2

    by_id = {q["id"]: q for q in payload["questions"]}
    single, follow_up = by_id["p1"], by_id["p2"]
    assert single["split"] == "tune" and single["status"] == "answered"
    assert single["gold_rank"] == 1 and single["evidence_rank"] == 1 and single["answer_chars"] > 0
    # The follow-up's pronoun is searched as what its first turn named, and its last answer is scored.
    assert follow_up["turns"] == 2 and follow_up["searched_as"][0] == FOLLOW_UP[0]
    assert "Portmere Harbour Board" in follow_up["searched_as"][1]
    assert follow_up["gold_rank"] == 1 and follow_up["evidence_rank"] is not None
    refused = by_id["p3"]
    assert refused["status"] == "not_covered" and refused["not_covered_reason"]

    # The follow-up was searched exactly as `ask --session` searches it.
    for turn in FOLLOW_UP:
        asked = run_cli("ask", turn, "--json", "--session", "harbour", "--index-dir", index_dir, env=cli_env)
        assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["rewritten_question"] == follow_up["searched_as"][1]

    plain = run_cli("eval", str(questions), "--index-dir", index_dir, env=cli_env)
    assert plain.returncode == 0, plain.stderr
    for heading in ("Evaluation (hybrid, 3 questions)", "Split tune", "Split check", "ev@10", "median chars"):
        assert heading in plain.stdout
