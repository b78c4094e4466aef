"""A question asking for a year the documents do not give is refused; one whose year they give is answered.

Real index and model on the demo corpus, with one made-up note that tells of a ban without dating it.
"""

from __future__ import annotations

import pytest

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.service import AssistantService

from ..conftest import build_index

pytestmark = pytest.mark.model

UNDATED = """---
title: Quay forum relay ban
publisher: Test Desk
---
The Quay forum banned the Copper Circle relay channels after moderators found repeated threats against dock workers.
Moderators said the Copper Circle relay channels had posted the threats from many new accounts each night.
"""


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder) -> AssistantService:
    settings, _ = build_index(
        tmp_path_factory.mktemp("refusals"), real_embedder, extra={"notes/quay-forum-relay-ban.md": UNDATED}
    )
    return AssistantService(settings, embedder=real_embedder)


def test_a_year_no_passage_gives_is_refused_with_the_reason(service: AssistantService) -> None:
    answer = service.ask("In which year did the Quay forum ban the Copper Circle relay channels?")
    assert answer.status == "not_covered"
    assert "a year" in answer.note
    assert not answer.citations


def test_a_year_a_passage_gives_is_answered(service: AssistantService) -> None:
    answer = service.ask("In which year did four technology companies found GIFCT?")
    assert answer.status == "answered"
    assert "2017" in answer.text


def test_the_topic_alone_is_still_answered(service: AssistantService) -> None:
    answer = service.ask("Why did the Quay forum ban the Copper Circle relay channels?")
    assert answer.status == "answered"
    assert any("Quay forum" in citation.quote for citation in answer.citations)
