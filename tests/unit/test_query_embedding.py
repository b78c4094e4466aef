"""The numpy query encoder's pieces that need no weights: batching, erf, and no torch."""

from __future__ import annotations

import math

import numpy as np

from assistant.adapters.query_embedding import NumpyEncoder, erf


def test_empty_input_does_not_load_the_model() -> None:
    fresh = NumpyEncoder()
    assert fresh.dimension == 384
    out = fresh.embed([])
    assert out.shape == (0, 384)
    assert out.dtype == np.float32
    assert fresh._model is None


def test_erf_is_accurate() -> None:
    xs = np.linspace(-6.0, 6.0, 4001, dtype=np.float32)
    expected = np.array([math.erf(float(x)) for x in xs])
    # A few float32 ulps near 1.0: far below anything that moves a cosine.
    assert np.abs(erf(xs).astype(np.float64) - expected).max() < 1e-6
