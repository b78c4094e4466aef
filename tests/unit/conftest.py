"""Unit tests run without the embedding model, Chroma or another process.

Every test in this folder gets the guard below: opening a Chroma store,
loading any encoder's weights or starting a subprocess fails the test with
a message saying where such a test belongs (tests/functional/). That keeps
`make test-fast` (this folder) fast and keeps the split honest as tests are
added.
"""

from __future__ import annotations

import subprocess
from typing import Any, NoReturn

import pytest

from assistant.adapters import query_embedding
from assistant.adapters.chroma_store import ChromaStore
from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.adapters.multilingual import MultilingualEncoder

#: Unit tests that may start a process: the import-boundary checks run a fresh interpreter on purpose.
SUBPROCESS_ALLOWED = ("test_boundary.py", "test_slash_commands.py")


def _refuse(what: str) -> Any:
    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError(f"a unit test must not {what}; put the test in tests/functional/")

    return refuse


@pytest.fixture(autouse=True)
def _no_model_no_chroma(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    monkeypatch.setattr(ChromaStore, "_connect", _refuse("open a Chroma store"))
    monkeypatch.setattr(SentenceTransformerEmbedder, "_load", _refuse("load the embedding model"))
    monkeypatch.setattr(query_embedding, "_load_model", _refuse("load the query encoder's weights"))
    monkeypatch.setattr(MultilingualEncoder, "_load", _refuse("load the multilingual encoder"))
    if request.path.name not in SUBPROCESS_ALLOWED:
        monkeypatch.setattr(subprocess, "Popen", _refuse("start a process"))
