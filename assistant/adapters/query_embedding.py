"""Query-time embedding without torch: the packaged MiniLM model run in plain numpy.

Answering a question in a fresh process must be quick, and importing torch and
sentence-transformers alone takes several seconds. This module owns a second
implementation of the same model (a six-layer BERT encoder, mean pooling, L2
normalisation) that needs only numpy, `tokenizers` and `safetensors`, so a
query can be embedded a fraction of a second after start-up.

The vectors must be interchangeable with the ones `SentenceTransformerEmbedder`
wrote into the index, otherwise search silently degrades. Every step here
therefore follows what sentence-transformers does with this model (same
tokenizer file, same truncation length, float32 throughout, exact GELU), and
the tests compare the two on varied texts.

The matrix products run on one BLAS thread. A question is a few dozen
tokens: splitting such small products over threads saves nothing on an idle
machine and costs several times the work on a busy one, where the threads
wait for each other. The result is the same to the bit either way.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from threadpoolctl import ThreadpoolController
from tokenizers import Tokenizer

from assistant.adapters.embedding import model_dir
from assistant.errors import ConfigError

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

Array = npt.NDArray[np.float32]

# Abramowitz & Stegun 7.1.26. Its absolute error (1.5e-7) is at the level of
# float32 rounding, so it is as good as an exact erf for a float32 network,
# and it avoids importing scipy (about 0.3 s) just for one function.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(np.float32(a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))
_INV_SQRT2 = 1.0 / math.sqrt(2.0)


def erf(x: Array) -> Array:
    """The error function, elementwise, in float32."""
    z: Array = np.abs(x)
    t: Array = 1.0 / (1.0 + _ERF_P * z)
    # Horner's rule for a1*t + a2*t**2 + ... + a5*t**5.
    poly: Array = t * _ERF_A[-1]
    for a in reversed(_ERF_A[:-1]):
        poly = t * (poly + a)
    decay: Array = np.exp(-(z * z))
    magnitude: Array = 1.0 - poly * decay
    return np.copysign(magnitude, x)


def gelu(x: Array) -> Array:
    """The exact (erf) GELU that BERT's "gelu" means, not the tanh approximation."""
    result: Array = 0.5 * x * (1.0 + erf(x * _INV_SQRT2))
    return result


def layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    result: Array = centred / np.sqrt(variance + eps) * weight + bias
    return result


@dataclass(frozen=True)
class _Layer:
    # Weights are stored transposed to (in, out) so every projection is `x @ w + b`;
    # query, key and value are fused so one matmul produces all three.
    qkv_w: Array
    qkv_b: Array
    attn_out_w: Array
    attn_out_b: Array
    attn_norm_w: Array
    attn_norm_b: Array
    ffn_in_w: Array
    ffn_in_b: Array
    ffn_out_w: Array
    ffn_out_b: Array
    ffn_norm_w: Array
    ffn_norm_b: Array


@dataclass(frozen=True)
class _Model:
    word: Array
    position: Array
    token_type: Array
    embed_norm_w: Array
    embed_norm_b: Array
    layers: list[_Layer]
    heads: int
    eps: float
    tokenizer: Tokenizer


def _read_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _load_model(folder: Path) -> _Model:
    config = _read_json(folder / "config.json")
    if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
        raise ConfigError(f"the numpy query encoder only runs BERT models with GELU; {folder} is not one")
    if config.get("position_embedding_type", "absolute") != "absolute":
        raise ConfigError(f"the numpy query encoder needs absolute position embeddings; {folder} has other ones")
    pooling_file = folder / "1_Pooling" / "config.json"
    if pooling_file.is_file():
        pooling = _read_json(pooling_file)
        modes = {key for key, value in pooling.items() if key.startswith("pooling_mode_") and value}
        # Any other pooling would give vectors that do not match the index.
        if modes != {"pooling_mode_mean_tokens"}:
            raise ConfigError(f"the numpy query encoder only does mean pooling; {folder} uses {sorted(modes)}")

    # sentence-transformers truncates to its own max_seq_length, not to the
    # length saved in tokenizer.json (128 for this model), so that file's
    # truncation and fixed padding must both be replaced.
    max_length = int(config["max_position_embeddings"])
    st_config = folder / "sentence_bert_config.json"
    if st_config.is_file():
        max_length = min(max_length, int(_read_json(st_config).get("max_seq_length") or max_length))
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)

    tensors = load_file(folder / "model.safetensors")

    def get(key: str) -> Array:
        # Checkpoints saved by older code prefix every name with "bert.".
        value = tensors.get(key, tensors.get(f"bert.{key}"))
        if value is None:
            raise ConfigError(f"{folder / 'model.safetensors'} has no tensor named {key}")
        return np.ascontiguousarray(value, dtype=np.float32)

    def linear(prefix: str) -> tuple[Array, Array]:
        return np.ascontiguousarray(get(f"{prefix}.weight").T), get(f"{prefix}.bias")

    layers = []
    for index in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{index}"
        parts = [linear(f"{p}.attention.self.{name}") for name in ("query", "key", "value")]
        attn_out_w, attn_out_b = linear(f"{p}.attention.output.dense")
        ffn_in_w, ffn_in_b = linear(f"{p}.intermediate.dense")
        ffn_out_w, ffn_out_b = linear(f"{p}.output.dense")
        layers.append(
            _Layer(
                qkv_w=np.ascontiguousarray(np.concatenate([w for w, _ in parts], axis=1)),
                qkv_b=np.concatenate([b for _, b in parts]),
                attn_out_w=attn_out_w,
                attn_out_b=attn_out_b,
                attn_norm_w=get(f"{p}.attention.output.LayerNorm.weight"),
                attn_norm_b=get(f"{p}.attention.output.LayerNorm.bias"),
                ffn_in_w=ffn_in_w,
                ffn_in_b=ffn_in_b,
                ffn_out_w=ffn_out_w,
                ffn_out_b=ffn_out_b,
                ffn_norm_w=get(f"{p}.output.LayerNorm.weight"),
                ffn_norm_b=get(f"{p}.output.LayerNorm.bias"),
            )
        )
    return _Model(
        word=get("embeddings.word_embeddings.weight"),
        position=get("embeddings.position_embeddings.weight"),
        token_type=get("embeddings.token_type_embeddings.weight"),
        embed_norm_w=get("embeddings.LayerNorm.weight"),
        embed_norm_b=get("embeddings.LayerNorm.bias"),
        layers=layers,
        heads=int(config["num_attention_heads"]),
        eps=float(config["layer_norm_eps"]),
        tokenizer=tokenizer,
    )


def _forward(model: _Model, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.float32]) -> Array:
    """Token vectors of the last layer, shape (batch, length, hidden)."""
    batch, length = ids.shape
    # Single-sentence input: every token has type 0, as the tokenizer would say.
    x = model.word[ids] + model.position[:length] + model.token_type[0]
    x = layer_norm(x, model.embed_norm_w, model.embed_norm_b, model.eps)
    hidden = x.shape[-1]
    heads = model.heads
    head_dim = hidden // heads
    scale = np.float32(1.0 / math.sqrt(head_dim))
    # Padding keys get a huge negative score so softmax gives them exactly zero
    # weight; that is what keeps a padded batch equal to one-at-a-time calls.
    key_bias = ((1.0 - mask) * np.float32(np.finfo(np.float32).min))[:, None, None, :]
    for layer in model.layers:
        qkv = x @ layer.qkv_w + layer.qkv_b
        qkv = qkv.reshape(batch, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = (q @ k.transpose(0, 1, 3, 2)) * scale + key_bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = layer_norm(
            context @ layer.attn_out_w + layer.attn_out_b + x, layer.attn_norm_w, layer.attn_norm_b, model.eps
        )
        inner = gelu(x @ layer.ffn_in_w + layer.ffn_in_b)
        x = layer_norm(inner @ layer.ffn_out_w + layer.ffn_out_b + x, layer.ffn_norm_w, layer.ffn_norm_b, model.eps)
    return x.astype(np.float32, copy=False)


class NumpyEncoder:
    """The packaged sentence-transformers model, run in numpy for fast cold starts.

    Satisfies the `Embedder` protocol. The weights (about 90 MB) are read on
    the first `embed`, so constructing one is free.
    """

    def __init__(self, name: str = DEFAULT_MODEL, *, batch_size: int = 32) -> None:
        self.name = name
        self.path = model_dir(name)
        self.batch_size = batch_size
        self._model: _Model | None = None
        self._threads: ThreadpoolController | None = None

    def _load(self) -> _Model:
        if self._model is None:
            self._model = _load_model(self.path)
        return self._model

    @property
    def dimension(self) -> int:
        """Read from the model's config, so asking does not load the weights."""
        pooling = self.path / "1_Pooling" / "config.json"
        if pooling.is_file():
            return int(_read_json(pooling)["word_embedding_dimension"])
        return int(_read_json(self.path / "config.json")["hidden_size"])

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._load()
        if self._threads is None:
            self._threads = ThreadpoolController()  # finds the BLAS library numpy loaded (about 1 ms)
        with self._threads.limit(limits=1, user_api="blas"):
            return self._embed(model, texts)

    def _embed(self, model: _Model, texts: list[str]) -> npt.NDArray[np.float32]:
        encodings = model.tokenizer.encode_batch(texts)
        out = np.empty((len(texts), model.word.shape[1]), dtype=np.float32)
        # Batching texts of similar length keeps padding, and so wasted work, small.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            length = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.float32)
            for row, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            tokens = _forward(model, ids, mask)
            summed = (tokens * mask[:, :, None]).sum(axis=1)
            counts = np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
            pooled = summed / counts
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
            out[rows] = pooled / norms
        return out
