"""An open index keeps what describes it (markers, counts) for one generation: an index run is still seen.

Real Chroma in tmp_path; the HashEmbedder both indexes and encodes the questions,
so the test needs no model (the real encoder is covered in test_answering.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import EmptyIndexError
from assistant.service import AssistantService

from ..conftest import HashEmbedder

NEW_FACT = """---
title: Lantern channel audit
publisher: Test Desk
date: 2021-05-04
---
The Lantern audit counted 4,812 mirror channels run by the Quillfeather network in May 2021.
Quillfeather moved its mirrors to a self-hosted forum after the audit was published.
"""
QUESTION = "How many mirror channels run by the Quillfeather network did the Lantern audit count in May 2021?"


def _service(settings: Settings, embedder: HashEmbedder) -> AssistantService:
    service = AssistantService(settings, embedder=embedder)
    service._query_encoder = embedder  # the index's own vectors: no model needed here
    return service


def _cites_new_file(service: AssistantService) -> bool:
    answer = service.ask(QUESTION)
    return answer.status == "answered" and any("4,812" in citation.quote for citation in answer.citations)


@pytest.mark.parametrize("writer", ["same service", "another service"])
def test_a_file_indexed_between_two_questions_is_answered(
    settings: Settings, embedder: HashEmbedder, library: Path, tmp_path: Path, writer: str
) -> None:
    reader = _service(settings, embedder)
    reader.index([library])
    assert not _cites_new_file(reader)
    documents = reader.status().documents

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "lantern-audit.md").write_text(NEW_FACT)
    (reader if writer == "same service" else _service(settings, embedder)).index([library, extra])

    assert _cites_new_file(reader)
    assert reader.status().documents == documents + 1
    assert any(d.path.endswith("lantern-audit.md") for d in reader.sources())


def test_a_removed_file_is_no_longer_cited(
    settings: Settings, embedder: HashEmbedder, library: Path, tmp_path: Path
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "lantern-audit.md").write_text(NEW_FACT)
    reader = _service(settings, embedder)
    reader.index([library, extra])
    assert _cites_new_file(reader)

    (extra / "lantern-audit.md").unlink()
    (extra / "other.md").write_text("---\ntitle: Other\n---\nAn unrelated note about weather stations and rainfall.\n")
    _service(settings, embedder).index([library, extra])
    assert not _cites_new_file(reader)


def test_an_index_that_was_empty_answers_once_another_run_fills_it(
    settings: Settings, embedder: HashEmbedder, library: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    reader = _service(settings, embedder)
    reader.index([empty])
    with pytest.raises(EmptyIndexError):
        reader.ask(QUESTION)

    (empty / "lantern-audit.md").write_text(NEW_FACT)
    _service(settings, embedder).index([empty])
    assert _cites_new_file(reader)
