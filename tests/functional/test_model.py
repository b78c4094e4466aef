"""The real embedding model: packaged, offline, normalised, and searchable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.adapters.chroma_store import ChromaStore
from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.config import Settings
from assistant.service import AssistantService

pytestmark = pytest.mark.model


def test_vectors_are_normalised_and_sized(real_embedder: SentenceTransformerEmbedder) -> None:
    vectors = real_embedder.embed(["Islamic State supporters on Telegram", "GIFCT hash sharing"])
    assert vectors.shape == (2, real_embedder.dimension) == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_real_index_finds_the_right_document(
    settings: Settings, real_embedder: SentenceTransformerEmbedder, library: Path
) -> None:
    AssistantService(settings, embedder=real_embedder).index([library])
    store = ChromaStore(settings)
    store.open_for_read()
    query = real_embedder.embed(["How many copies of the attack video did Facebook remove in the first day?"])
    result = store._col("chunks").query(query_embeddings=query, n_results=3, include=["metadatas"])
    paths = [m["path"] for m in (result["metadatas"] or [[]])[0]]
    assert "notes/christchurch-facebook-live-figures.md" in paths


def test_batching_by_length_keeps_each_texts_vector(real_embedder: SentenceTransformerEmbedder) -> None:
    short = [f"Post number {n} about the rally." for n in range(40)]
    long = ["A longer report paragraph on platform moderation and hash sharing. " * 12]
    mixed = real_embedder.embed([*short[:20], *long, *short[20:]])
    alone = np.vstack([real_embedder.embed([text]) for text in [*short[:20], *long, *short[20:]]])
    assert np.allclose(mixed, alone, atol=1e-5)
