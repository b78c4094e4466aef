"""Answers to questions put in other words than the documents' (real model, Chroma, BM25, demo corpus)."""

from __future__ import annotations

import pytest

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.service import AssistantService

from ..conftest import build_index

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder) -> AssistantService:
    settings, _ = build_index(tmp_path_factory.mktemp("meaning"), real_embedder)
    return AssistantService(settings)


def test_a_question_in_other_word_forms_gets_the_figure_first(service: AssistantService) -> None:
    # The note says Twitter "suspended more than 125,000 accounts" and lists "125,000 suspensions disclosed";
    # the question asks for a "suspension count" it "disclosed": the same words in other forms.
    answer = service.ask("What suspension count did Twitter disclose in its February 2016 blog post?")
    assert answer.status == "answered"
    assert "125,000" in answer.citations[0].quote
