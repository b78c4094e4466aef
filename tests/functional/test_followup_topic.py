"""A follow-up that leans on the earlier turn's topic, not its names, finds that topic's document.

The real model and index over the demo corpus, asked through `Session` as
`ask --session`, the chat and the evaluation do.
"""

from __future__ import annotations

import pytest

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.conversation.session import Session
from assistant.service import AssistantService

from ..conftest import build_index

pytestmark = pytest.mark.model

HASH_DATABASE_NOTE = "notes/gifct-founding-hash-database.md"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder) -> AssistantService:
    settings, _ = build_index(tmp_path_factory.mktemp("followup-topic"), real_embedder)
    return AssistantService(settings, embedder=real_embedder)


def test_that_tool_keeps_the_earlier_topic_in_view(service: AssistantService) -> None:
    session = Session(service)
    session.ask("Which shared database did the big platforms set up to block known terrorist images?")
    follow = session.ask("Who founded that tool?")
    # What was searched (and shown to the analyst) names the database, not the bare "that tool" ...
    assert follow.turn.rewritten_question == "Who founded the shared database?"
    assert follow.answer is not None
    # ... so the database's own note is the first document retrieved for the follow-up.
    assert follow.answer.retrieved and follow.answer.retrieved[0].document.path == HASH_DATABASE_NOTE


def test_a_follow_up_prefers_the_documents_the_last_answer_cited(service: AssistantService) -> None:
    session = Session(service)
    first = session.ask("Which shared database did the big platforms set up to block known terrorist images?")
    assert first.answer is not None and first.answer.citations
    cited = {citation.hit.document.path for citation in first.answer.citations}
    follow = session.prepare("Who founded that tool?")
    assert follow.is_rewritten and set(follow.thread) == cited
    # The same search with and without the thread: each passage of a cited document scores higher by the
    # tuned factor, and no other passage moves.
    plain = {hit.chunk_id: hit for hit in service.retrieve(follow.rewritten).hits}
    threaded = {hit.chunk_id: hit for hit in service.retrieve(follow.rewritten, thread=follow.thread).hits}
    factor = service.settings.tuning.retrieval.thread_boost
    shared = set(plain) & set(threaded)
    assert any(plain[c].document.path in cited for c in shared)
    for chunk_id in shared:
        expected = plain[chunk_id].score * (factor if plain[chunk_id].document.path in cited else 1.0)
        assert threaded[chunk_id].score == pytest.approx(expected, rel=1e-6)
    # A question that stands alone is searched on its own.
    assert session.prepare("How did Facebook handle live video in 2016?").thread == ()
