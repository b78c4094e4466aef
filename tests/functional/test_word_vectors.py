"""The packaged encoder's word vectors, which sentence choice uses to match meaning across wording."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.adapters.query_embedding import NumpyEncoder
from assistant.domain import WordVectors

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def encoder() -> NumpyEncoder:
    return NumpyEncoder()


def test_the_encoder_offers_word_vectors(encoder: NumpyEncoder) -> None:
    assert isinstance(encoder, WordVectors)


def test_a_paraphrase_is_nearer_than_a_sentence_on_another_subject(encoder: NumpyEncoder) -> None:
    banned, prohibited, harbour, removed, taken_down = encoder.word_vectors(
        [
            "The platform banned the group.",
            "The service prohibited the organisation.",
            "Boats moored in the harbour at dusk.",
            "The videos were removed.",
            "The clips were taken down.",
        ]
    )
    assert banned @ prohibited > banned @ harbour + 0.15
    assert removed @ taken_down > removed @ harbour + 0.15


def test_vectors_are_unit_length_and_a_text_without_words_is_zero(encoder: NumpyEncoder) -> None:
    vectors = encoder.word_vectors(["Accounts were suspended in waves.", ""])
    assert vectors.shape == (2, encoder.dimension) and vectors.dtype == np.float32
    assert abs(float(np.linalg.norm(vectors[0])) - 1.0) < 1e-5
    assert not vectors[1].any()
