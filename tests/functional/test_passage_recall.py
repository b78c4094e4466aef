"""The passage that answers reaches the answerer even when it is not its document's best match (real model, Chroma)."""

from __future__ import annotations

import pytest

from assistant.adapters.chroma_store import ChromaStore, ChunkReader
from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.config import Settings
from assistant.domain import ChunkFilter
from assistant.service import AssistantService

from ..conftest import build_index

pytestmark = pytest.mark.model

PATH = "notes/lantern-bay-network-review.md"
QUESTION = "Which messaging app did the Lantern Bay network move its recruitment channel to after the ban?"
ANSWER = "the network quietly moved its recruitment channel to a small messaging app called Driftwire"

_SCENE = (
    "The Lantern Bay network is a loose online movement that recruits young men through channels on "
    "mainstream platforms. Its recruitment channels post memes, short videos and invitations to private "
    "groups, and moderators of several platforms have tracked the network since it first appeared. "
)
_FILLER = [
    "Researchers counted {n} recruitment channels run by the Lantern Bay network in the quarter, most of "
    "them mirrors of one another that reposted the same invitations within minutes. Each channel named a "
    "new moderator every few weeks so that a ban of one account would not silence the network. ",
    "The ban of the Lantern Bay network's main channel followed a wave of reports from users who had been "
    "sent invitations by strangers. The platform said the network had broken its rules on violent "
    "organisations {n} times and removed the channel together with its backup accounts. ",
    "Volunteers who watched the network wrote that its recruitment posts grew more careful after the ban, "
    "with fewer open slogans and more coded jokes. The posts still pointed readers to private groups, and "
    "report {n} of the review lists the phrases they used. ",
]
_ANSWER_PARAGRAPH = (
    "Funding for the review came from two small foundations, and the team of four analysts kept its notes in "
    "a shared archive. The analysts met weekly and compared their counts before each report went out. "
    f"In the month after the ban, {ANSWER}, where invitations circulated by word of mouth. "
    "The archive also holds the team's correspondence with the platforms and the drafts of each report."
)


def _review() -> str:
    paragraphs = [_SCENE]
    for n in range(1, 7):
        paragraphs.append(_SCENE + _FILLER[n % 3].format(n=n * 3))
    paragraphs.insert(4, _ANSWER_PARAGRAPH)
    front = "---\ntitle: Lantern Bay network review\npublisher: Test Desk\ndate: 2021-09-01\n---\n"
    return front + "\n\n".join(paragraphs) + "\n"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder) -> Settings:
    settings, _ = build_index(tmp_path_factory.mktemp("passages"), real_embedder, extra={PATH: _review()})
    return settings


def test_the_answer_passage_is_read_and_quoted_although_another_passage_matched_better(
    indexed: Settings, real_embedder: SentenceTransformerEmbedder
) -> None:
    service = AssistantService(indexed, embedder=real_embedder)
    store = ChromaStore(indexed)
    store.open_for_read()
    reader = ChunkReader(store)
    vector = service.query_encoder.embed([QUESTION])[0]
    inside = service.dense().nearest(vector, 50, ChunkFilter(paths=(PATH,)))
    texts = reader.fetch([chunk_id for chunk_id, _ in inside])
    holding = [n for n, (chunk_id, _) in enumerate(inside) if ANSWER in texts[chunk_id].text]
    # The document has several passages, and the one holding the answer is not its nearest in meaning.
    assert len(inside) >= 4 and holding and holding[0] > 0

    answer = service.ask(QUESTION)
    assert answer.status == "answered"
    # The answerer reads the passage among its first few, and the answer quotes it from this document.
    read = [hit.text for hit in answer.passages]
    assert any(ANSWER in text for text in read[:3])
    quoting = [c for c in answer.citations if "Driftwire" in c.quote]
    assert quoting and quoting[0].hit.document.path == PATH
    assert "Driftwire" in answer.text
